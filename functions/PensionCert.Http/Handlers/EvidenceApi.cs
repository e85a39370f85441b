using System.Globalization;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Evidence;

namespace PensionCert.Http;

/// <summary>The integration machine identity's route: other agencies' records (data comparison, deaths) imported in batches.</summary>
public sealed class EvidenceApi(ApiPipeline pipeline, EvidenceImportService evidenceImport)
{
    /// <summary>
    /// POST /api/evidence (operator): a streamed batch of data-comparison and death records (JSON lines or CSV, up to
    /// 100,000 records). 200 with counts per result and per-record results (line, result, pensioner id); never echoes ID numbers.
    /// </summary>
    public Task<IResult> ImportEvidenceAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ImportEvidence, async caller =>
        {
            var report = await evidenceImport.ImportAsync(EvidenceRequestReader.Read(request, cancellationToken), caller.Operator!, cancellationToken);
            caller.AuditDetail = string.Create(CultureInfo.InvariantCulture,
                $"machine identity (integration): evidence received={report.Received} certified={report.Counts[EvidenceResults.Certified]} deceased={report.Counts[EvidenceResults.Deceased]} regionNotServed={report.Counts[EvidenceResults.RegionNotServed]}");
            return Results.Json(new EvidenceImportResponse(report.Received, report.Counts,
                report.Results.Select(r => new EvidenceResultBody(r.Line, r.Result, r.PensionerId)).ToArray()), ApiJson.Options);
        });
}

/// <summary>Evidence import response.</summary>
public sealed record EvidenceImportResponse(int Received, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<EvidenceResultBody> Results);

/// <summary>One record's result.</summary>
public sealed record EvidenceResultBody(int Line, string Result, string? PensionerId);
