using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Definitions;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Pensioner routes: enrolment (operator), eligibility (client), the masked profile and erasure (operator).</summary>
public sealed class PensionersApi(
    ApiPipeline pipeline,
    EnrollmentService enrollment,
    EligibilityService eligibility,
    PensionerAdministrationService administration,
    IOptions<CertificationOptions> certificationOptions)
{
    private static readonly HashSet<string> EnrollmentFields = ["idNumber", "name", "regionCode", "referenceSource"];

    /// <summary>
    /// POST /api/pensioners (operator): enrol or re-enrol a pensioner with a reference photo. 201 new, 200 re-enrolled,
    /// 202 when the new reference is not live or does not match the current one (pending a second operator's approval
    /// in review case <c>pendingReviewCaseId</c>; the current reference stays), and 202 for a first enrolment with
    /// <c>referenceSource=id-photo</c> (nobody is enrolled until another operator approves the id-photo-enrollment case).
    /// </summary>
    public Task<IResult> EnrollAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.EnrollPensioner, async caller =>
        {
            byte[] photo = [];
            var maxBytes = certificationOptions.Value.MaxPhotoBytes;
            var fields = await PhotoRequestReader.ReadAsync(request, EnrollmentFields, maxBytes, async (_, stream, ct) =>
            {
                using var buffer = new MemoryStream();
                await using var upload = await Core.Photos.PhotoUploadStream.OpenAsync(stream, maxBytes, ct);
                await upload.CopyToAsync(buffer, ct);
                photo = buffer.ToArray();
            }, cancellationToken);
            var result = await enrollment.EnrollAsync(new EnrollPensionerCommand(
                fields.GetValueOrDefault("idNumber"), fields.GetValueOrDefault("name"), fields.GetValueOrDefault("regionCode"), photo, caller.Operator,
                fields.GetValueOrDefault("referenceSource")), cancellationToken);
            caller.PensionerId = result.PensionerId;
            var body = new EnrollmentResponse(result.PensionerId, result.ReferenceVersion, result.Created, result.EnrolledAt, result.PendingReviewCaseId);
            var location = Location(Routes.PensionerEligibility, "pensionerId", result.PensionerId);
            if (result.PendingReviewCaseId is { } caseId)
            {
                // Four-eyes: the new reference (or an ID-photo first enrolment) waits for a second operator.
                caller.AuditDetail = (result.ReferenceVersion == 0 ? "id-photo enrolment pending, case " : "reference change pending, case ") + caseId;
                return Results.Json(body, ApiJson.Options, statusCode: StatusCodes.Status202Accepted).WithLocation(Location(Routes.ReviewCase, "caseId", caseId));
            }
            return result.Created
                ? Results.Json(body, ApiJson.Options, statusCode: StatusCodes.Status201Created).WithLocation(location)
                : Results.Json(body, ApiJson.Options);
        });

    /// <summary>GET /api/pensioners/{pensionerId}/eligibility (client): state and dates as China Standard Time calendar dates.</summary>
    public Task<IResult> GetEligibilityAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetEligibility, async () =>
        {
            var view = await eligibility.GetAsync(pensionerId, cancellationToken);
            return Results.Json(new EligibilityResponse(view.PensionerId, view.State, Date(view.LastCertifiedOn), Date(view.ValidUntil),
                Date(view.DueSoonFrom), Date(view.AsOf)!, "Asia/Shanghai"), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/pensioners/{pensionerId} (operator: clerk, reviewer, admin; region checked): the profile with the ID
    /// number masked; an admin may add <c>?reveal=idNumber</c> for the full number (recorded in the audit table).
    /// </summary>
    public Task<IResult> GetPensionerAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetPensioner, async caller =>
        {
            caller.PensionerId = Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var reveal = string.Equals(request.Query["reveal"].ToString(), "idNumber", StringComparison.Ordinal);
            var view = await administration.GetAsync(pensionerId, caller.Operator!, reveal, cancellationToken);
            if (view.IdNumberRevealed) caller.AuditDetail = "idNumber revealed";
            return Results.Json(new PensionerResponse(view.PensionerId, view.IdNumber, view.IdNumberRevealed, view.Name, view.RegionCode,
                view.ReferenceVersion, view.EnrolledAt, view.State, Date(view.ValidUntil), view.ReferenceSource), ApiJson.Options);
        });

    /// <summary>
    /// DELETE /api/pensioners/{pensionerId} (operator: admin; region checked): erases the pensioner's photos, rows and
    /// index entries; 200 with counts. The audit row records the erasure with counts only.
    /// </summary>
    public Task<IResult> ErasePensionerAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ErasePensioner, async caller =>
        {
            caller.PensionerId = Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var erased = await administration.EraseAsync(pensionerId, caller.Operator!, cancellationToken);
            caller.AuditDetail = string.Create(CultureInfo.InvariantCulture,
                $"erased certifications={erased.Certifications} referencePhotos={erased.ReferencePhotos} rows={erased.PensionerRows}");
            return Results.Json(new ErasureResponse(erased.PensionerId, erased.Certifications, erased.ReferencePhotos, erased.PensionerRows), ApiJson.Options);
        });
}

/// <summary>A pensioner as an operator sees it; <c>idNumber</c> is masked unless <c>idNumberRevealed</c>.</summary>
public sealed record PensionerResponse(string PensionerId, string IdNumber, bool IdNumberRevealed, string Name, string RegionCode,
    int ReferenceVersion, DateTimeOffset EnrolledAt, EligibilityState State, string? ValidUntil, string ReferenceSource);

/// <summary>What an erasure removed.</summary>
public sealed record ErasureResponse(string PensionerId, int Certifications, int ReferencePhotos, int PensionerRows);

/// <summary>Enrollment response; <c>pendingReviewCaseId</c> when the new reference waits for a second operator (202).</summary>
public sealed record EnrollmentResponse(string PensionerId, int ReferenceVersion, bool Created, DateTimeOffset? EnrolledAt, string? PendingReviewCaseId);

/// <summary>Eligibility; dates are China Standard Time calendar dates (yyyy-MM-dd).</summary>
public sealed record EligibilityResponse(string PensionerId, EligibilityState State, string? LastCertifiedOn, string? ValidUntil, string? DueSoonFrom, string AsOf, string TimeZone);
