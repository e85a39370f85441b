using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Cycle;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Region routes (operator): the region's pensioner lists and payroll changes, read from the cycle's read model.</summary>
public sealed class RegionsApi(ApiPipeline pipeline, CycleQueryService cycleQueries)
{
    /// <summary>
    /// GET /api/regions/{regionCode}/payment-changes?month=yyyy-MM (operator): suspensions, resumptions with back-pay
    /// months, and stops (death, transfer) recorded in the month. JSON, or CSV when the Accept header asks for text/csv.
    /// </summary>
    public Task<IResult> GetPaymentChangesAsync(HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetPaymentChanges, async caller =>
        {
            RequireServesRegion(caller, regionCode);
            var month = request.Query["month"].ToString();
            var changes = await cycleQueries.PaymentChangesAsync(regionCode, month, cancellationToken);
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
        pipeline.RunAsync(request, HttpEndpoints.ListRegionPensioners, async caller =>
        {
            RequireServesRegion(caller, regionCode);
            var pageSize = PageSize(request);
            var page = await cycleQueries.ListAsync(regionCode, request.Query["state"].ToString(), request.Query["continuationToken"].ToString(), pageSize, cancellationToken);
            return Results.Json(new RegionPensionersResponse(
                page.Items.Select(p => new RegionPensionerBody(p.PensionerId, p.State, Date(p.ValidUntil), Date(p.Since)!, p.PreferredChannel)).ToArray(),
                page.ContinuationToken), ApiJson.Options);
        });

    /// <summary>The <c>pageSize</c> query value: absent is null; anything but one whole number is 400 invalid-page-size.</summary>
    private static int? PageSize(HttpRequest request)
    {
        var values = request.Query["pageSize"];
        if (values.Count == 0) return null;
        if (values.Count > 1 || !int.TryParse(values.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var size))
            throw new Core.Errors.ProblemException(Core.Errors.ProblemTypes.InvalidPageSize);
        return size;
    }

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

/// <summary>One payroll change; months are yyyy-MM, dates yyyy-MM-dd (China Standard Time).</summary>
public sealed record PaymentChangeBody(string PensionerId, string Kind, string EffectiveOn, string? StopFromMonth, string? ResumeFromMonth, IReadOnlyList<string> BackPayMonths, string? DateOfDeath, string EventId);

/// <summary>Payment changes response.</summary>
public sealed record PaymentChangesResponse(string RegionCode, string Month, IReadOnlyList<PaymentChangeBody> Changes);

/// <summary>One pensioner in an operator list.</summary>
public sealed record RegionPensionerBody(string PensionerId, EligibilityState State, string? ValidUntil, string Since, string? PreferredChannel);

/// <summary>A page of an operator list; pass continuationToken back for the next page (null on the last).</summary>
public sealed record RegionPensionersResponse(IReadOnlyList<RegionPensionerBody> Items, string? ContinuationToken);
