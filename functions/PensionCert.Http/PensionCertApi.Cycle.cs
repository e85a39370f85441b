using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Evidence;

namespace PensionCert.Http;

/// <summary>The annual cycle's operator endpoints.</summary>
public sealed partial class PensionCertApi
{
    /// <summary>
    /// POST /api/evidence (operator): a streamed batch of data-comparison and death records (JSON lines or CSV, up to
    /// 100,000 records). 200 with counts per result and per-record results (line, result, pensioner id); never echoes ID numbers.
    /// </summary>
    public Task<IResult> ImportEvidenceAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.ImportEvidence, async caller =>
        {
            var report = await _evidenceImport.ImportAsync(EvidenceRequestReader.Read(request, cancellationToken), caller.Operator!, cancellationToken);
            caller.AuditDetail = string.Create(CultureInfo.InvariantCulture,
                $"evidence received={report.Received} certified={report.Counts[EvidenceResults.Certified]} deceased={report.Counts[EvidenceResults.Deceased]} regionNotServed={report.Counts[EvidenceResults.RegionNotServed]}");
            return Results.Json(new EvidenceImportResponse(report.Received, report.Counts,
                report.Results.Select(r => new EvidenceResultBody(r.Line, r.Result, r.PensionerId)).ToArray()), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/regions/{regionCode}/payment-changes?month=yyyy-MM (operator): suspensions, resumptions with back-pay
    /// months, and stops (death, transfer) recorded in the month. JSON, or CSV when the Accept header asks for text/csv.
    /// </summary>
    public Task<IResult> GetPaymentChangesAsync(HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.GetPaymentChanges, async caller =>
        {
            RequireServesRegion(caller, regionCode);
            var month = request.Query["month"].ToString();
            var changes = await _cycleQueries.PaymentChangesAsync(regionCode, month, cancellationToken);
            var rows = changes.Select(c => new PaymentChangeBody(c.PensionerId, c.Kind, Date(c.EffectiveOn)!, c.StopFromMonth, c.ResumeFromMonth,
                c.BackPayMonths, Date(c.DateOfDeath), c.EventId)).ToArray();
            if (WantsCsv(request))
                return Results.Text(ToCsv(rows), "text/csv; charset=utf-8", Encoding.UTF8);
            return Results.Json(new PaymentChangesResponse(regionCode, month, rows), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/regions/{regionCode}/pensioners?state=Overdue&amp;pageSize=100&amp;continuationToken=… (operator):
    /// one page of the region's pensioners in a state (DueSoon, Overdue, UnderInvestigation, Suspended, Deceased,
    /// Transferred, Valid), as of the last published event.
    /// </summary>
    public Task<IResult> ListRegionPensionersAsync(HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.ListRegionPensioners, async caller =>
        {
            RequireServesRegion(caller, regionCode);
            int? pageSize = int.TryParse(request.Query["pageSize"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
            var page = await _cycleQueries.ListAsync(regionCode, request.Query["state"].ToString(), request.Query["continuationToken"].ToString(), pageSize, cancellationToken);
            return Results.Json(new RegionPensionersResponse(
                page.Items.Select(p => new RegionPensionerBody(p.PensionerId, p.State, Date(p.ValidUntil), Date(p.Since)!, p.PreferredChannel)).ToArray(),
                page.ContinuationToken), ApiJson.Options);
        });

    /// <summary>
    /// POST /api/pensioners/{pensionerId}/investigation (operator), body <c>{"outcome":"suspend"}</c>: suspend,
    /// certified, home-visit-requested or home-visit-closed. 200 with the result (Applied or AlreadyApplied).
    /// </summary>
    public Task<IResult> RecordInvestigationOutcomeAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.RecordInvestigationOutcome, async caller =>
        {
            await RequireServesPensionerAsync(caller, pensionerId, cancellationToken);
            var body = await ReadJsonAsync<InvestigationOutcomeRequest>(request, cancellationToken);
            var outcome = body.Outcome?.Trim().ToLowerInvariant() switch
            {
                "suspend" => InvestigationOutcome.Suspend,
                "certified" => InvestigationOutcome.Certified,
                "home-visit-requested" => InvestigationOutcome.HomeVisitRequested,
                "home-visit-closed" => InvestigationOutcome.HomeVisitClosed,
                _ => throw new ProblemException(ProblemTypes.InvalidInvestigationOutcome),
            };
            var result = await _cycle.RecordInvestigationOutcomeAsync(pensionerId, outcome, cancellationToken);
            return Results.Json(new CycleCommandResponse(pensionerId, body.Outcome!.Trim().ToLowerInvariant(), result.ToString()), ApiJson.Options);
        });

    /// <summary>
    /// POST /api/pensioners/{pensionerId}/status (operator), body <c>{"status":"deceased","effectiveOn":"2025-03-01"}</c>
    /// (date of death, or of transfer for <c>transferred</c>): stops reminders and payment. 200 with the result.
    /// </summary>
    public Task<IResult> ChangePensionerStatusAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.ChangePensionerStatus, async caller =>
        {
            await RequireServesPensionerAsync(caller, pensionerId, cancellationToken);
            var body = await ReadJsonAsync<StatusChangeRequest>(request, cancellationToken);
            var status = body.Status?.Trim().ToLowerInvariant();
            if (status is not ("deceased" or "transferred")) throw new ProblemException(ProblemTypes.InvalidStatusChange);
            if (!DateOnly.TryParseExact(body.EffectiveOn?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
                throw new ProblemException(ProblemTypes.InvalidDate);
            var result = status == "deceased"
                ? await _cycle.MarkDeceasedAsync(pensionerId, on, "operator", cancellationToken)
                : await _cycle.MarkTransferredAsync(pensionerId, on, cancellationToken);
            return result switch
            {
                CycleCommandResult.NotFound => throw new ProblemException(ProblemTypes.PensionerNotFound),
                CycleCommandResult.Inactive => throw new ProblemException(ProblemTypes.PensionerInactive),
                _ => Results.Json(new CycleCommandResponse(pensionerId, status, result.ToString()), ApiJson.Options),
            };
        });

    /// <summary>Region routes: the operator must serve the region (403 region-not-served).</summary>
    private static void RequireServesRegion(ApiCaller caller, string regionCode)
    {
        if (!Core.Identity.AdministrativeRegionCode.TryParse(regionCode, out _)) throw new ProblemException(ProblemTypes.InvalidRegionCode);
        if (!caller.Operator!.Serves(regionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
    }

    /// <summary>Pensioner routes: the pensioner must exist (404) and be in one of the operator's regions (403).</summary>
    private async Task RequireServesPensionerAsync(ApiCaller caller, string pensionerId, CancellationToken cancellationToken)
    {
        caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
        await administration.GetAsync(pensionerId, caller.Operator!, revealIdNumber: false, cancellationToken);
    }

    private static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim();
        if (!mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ProblemException(ProblemTypes.UnsupportedContentType);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.StrictRequestOptions, cancellationToken)
                ?? throw new ProblemException(ProblemTypes.MalformedRequest);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new ProblemException(ProblemTypes.MalformedRequest);
        }
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase)
        || string.Equals(request.Query["format"].ToString(), "csv", StringComparison.OrdinalIgnoreCase);

    private static string ToCsv(IEnumerable<PaymentChangeBody> rows)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var name in new[] { "pensionerId", "kind", "effectiveOn", "stopFromMonth", "resumeFromMonth", "backPayMonths", "dateOfDeath", "eventId" })
                csv.WriteField(name);
            csv.NextRecord();
            foreach (var r in rows)
            {
                csv.WriteField(r.PensionerId);
                csv.WriteField(r.Kind);
                csv.WriteField(r.EffectiveOn);
                csv.WriteField(r.StopFromMonth);
                csv.WriteField(r.ResumeFromMonth);
                csv.WriteField(string.Join(' ', r.BackPayMonths));
                csv.WriteField(r.DateOfDeath);
                csv.WriteField(r.EventId);
                csv.NextRecord();
            }
        }
        return writer.ToString();
    }
}

/// <summary>Evidence import response.</summary>
public sealed record EvidenceImportResponse(int Received, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<EvidenceResultBody> Results);

/// <summary>One record's result.</summary>
public sealed record EvidenceResultBody(int Line, string Result, string? PensionerId);

/// <summary>One payroll change; months are yyyy-MM, dates yyyy-MM-dd (China Standard Time).</summary>
public sealed record PaymentChangeBody(string PensionerId, string Kind, string EffectiveOn, string? StopFromMonth, string? ResumeFromMonth, IReadOnlyList<string> BackPayMonths, string? DateOfDeath, string EventId);

/// <summary>Payment changes response.</summary>
public sealed record PaymentChangesResponse(string RegionCode, string Month, IReadOnlyList<PaymentChangeBody> Changes);

/// <summary>One pensioner in an operator list.</summary>
public sealed record RegionPensionerBody(string PensionerId, EligibilityState State, string? ValidUntil, string Since, string? PreferredChannel);

/// <summary>A page of an operator list; pass continuationToken back for the next page (null on the last).</summary>
public sealed record RegionPensionersResponse(IReadOnlyList<RegionPensionerBody> Items, string? ContinuationToken);

/// <summary>Investigation outcome request.</summary>
public sealed record InvestigationOutcomeRequest(string? Outcome);

/// <summary>Status change request.</summary>
public sealed record StatusChangeRequest(string? Status, string? EffectiveOn);

/// <summary>Result of an operator command.</summary>
public sealed record CycleCommandResponse(string PensionerId, string Action, string Result);
