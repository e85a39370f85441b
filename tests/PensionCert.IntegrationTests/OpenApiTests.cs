using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Http;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// The checked-in OpenAPI document (functions/PensionCert.Http/openapi.json) is the contract: it is valid OpenAPI 3,
/// the local host serves it at /api/openapi.json, every documented operation exists with exactly the documented
/// methods, every served route is documented, responses use documented status codes and problem codes, and its
/// enums and schemas agree with the C# catalogues and response records.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class OpenApiTests(LocalHostFixture host)
{
    private static readonly string DocumentPath = Path.Combine(TestRepository.Root, "functions", "PensionCert.Http", "openapi.json");
    private static readonly JsonElement Document = JsonDocument.Parse(File.ReadAllText(DocumentPath)).RootElement.Clone();
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    [Fact]
    public void Document_IsValidOpenApi3WithoutWarnings()
    {
        var result = OpenApiDocument.Parse(File.ReadAllText(DocumentPath), "json");

        Assert.NotNull(result.Document);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_0, result.Diagnostic!.SpecificationVersion);
        Assert.Empty(result.Diagnostic.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Diagnostic.Warnings.Select(e => e.ToString()));
        Assert.Empty(result.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => e.ToString()));
        Assert.Equal("/" + Core.Definitions.Routes.Prefix, Document.GetProperty("servers")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Get_OpenApiJson_ServesTheCheckedInDocumentAnonymously()
    {
        using var response = await host.Http.GetAsync("/api/openapi.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(DocumentPath), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void DocumentedOperations_AreAllServed()
    {
        var missing = DocumentedOperations().Except(ServedOperations()).ToArray();

        Assert.True(missing.Length == 0, "Documented but not served: " + string.Join("; ", missing));
    }

    [Fact]
    public void ServedRoutes_AreAllDocumented()
    {
        var undocumented = ServedOperations().Except(DocumentedOperations()).ToArray();

        Assert.True(undocumented.Length == 0, "Served but not documented in openapi.json: " + string.Join("; ", undocumented));
        Assert.Equal(HttpEndpoints.All.Count, DocumentedOperations().Length);
    }

    [Fact]
    public void OperationIds_AreTheFunctionNames()
    {
        var documented = Operations().Select(o => $"{o.OperationId} {o.Method} api{o.Path}").Order();
        var endpoints = HttpEndpoints.All.Select(e => $"{e.FunctionName} {e.Method} api/{e.Route}").Order();

        Assert.Equal(endpoints, documented);
    }

    [Fact]
    public void Security_MatchesEndpointAccess()
    {
        foreach (var endpoint in HttpEndpoints.All)
        {
            var operation = Operations().Single(o => o.OperationId == endpoint.FunctionName).Element;
            var schemes = operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Order().ToArray();
            string[] expected = endpoint.Access switch
            {
                ApiAccess.Anonymous => [],
                ApiAccess.Operator => ["operatorBearer"],
                ApiAccess.Session => ["sessionToken"],
                _ => ["functionCode", "functionKey"],
            };
            Assert.True(expected.SequenceEqual(schemes), $"{endpoint.FunctionName}: {string.Join(",", schemes)}");
        }
    }

    [Fact]
    public async Task EveryDocumentedOperation_AnswersWithADocumentedStatusAndProblemCode()
    {
        foreach (var operation in Operations())
        {
            var path = "/api" + operation.Path
                .Replace("{pensionerId}", "p" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
                .Replace("{certificationId}", "c" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
                .Replace("{visitId}", "v110105" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
                .Replace("{helperId}", "h" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal);
            (string, string)? key = operation.Element.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).FirstOrDefault() switch
            {
                "operatorBearer" => LocalHostFixture.OperatorKeyHeader,
                "functionKey" => LocalHostFixture.ClientKeyHeader,
                _ => null,
            };
            var content = operation.Method == "POST" ? new StringContent("{}", Encoding.UTF8, "application/json") : null;

            using var response = await host.Http.SendAsync(LocalHostFixture.Request(new HttpMethod(operation.Method), path, key, content));

            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var responses = operation.Element.GetProperty("responses");
            Assert.True(responses.TryGetProperty(status, out var documented), $"{operation.Method} {path} answered undocumented {status}");
            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var code = body.RootElement.GetProperty("code").GetString();
                Assert.Contains(code, documented.GetProperty("x-problem-codes").EnumerateArray().Select(c => c.GetString()));
                AssertMatchesSchema(body.RootElement, "Problem");
            }
        }
    }

    [Fact]
    public async Task UndocumentedMethods_OnDocumentedPaths_Are405()
    {
        foreach (var (path, methods) in Operations().GroupBy(o => o.Path).Select(g => (g.Key, g.Select(o => o.Method).ToHashSet())))
        {
            var concrete = "/api" + path.Replace("{pensionerId}", "p" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
                .Replace("{certificationId}", "c" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
                .Replace("{visitId}", "v110105" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
                .Replace("{helperId}", "h" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal);
            foreach (var method in AllMethods.Where(m => !methods.Contains(m)))
            {
                using var response = await host.Http.SendAsync(LocalHostFixture.Request(new HttpMethod(method), concrete, LocalHostFixture.ClientKeyHeader));
                Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} {concrete}: {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public void ProblemCodes_ExistInTheCatalogueWithTheDocumentedStatus()
    {
        var catalogue = ProblemCatalogue();
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in Operations())
        {
            foreach (var response in operation.Element.GetProperty("responses").EnumerateObject())
            {
                if (!response.Value.TryGetProperty("x-problem-codes", out var codes)) continue;
                Assert.Equal("#/components/schemas/Problem", response.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
                foreach (var code in codes.EnumerateArray().Select(c => c.GetString()!))
                {
                    Assert.True(catalogue.TryGetValue(code, out var problem), $"{operation.OperationId} {response.Name}: unknown problem code {code}");
                    Assert.True(ProblemResult.StatusCode(problem!.Kind).ToString(System.Globalization.CultureInfo.InvariantCulture) == response.Name,
                        $"{operation.OperationId}: {code} is documented under {response.Name} but answers {ProblemResult.StatusCode(problem.Kind)}");
                    documented.Add(code);
                }
            }
        }

        // not-found, method-not-allowed, uri-too-long and request-headers-too-large belong to no operation (unknown
        // routes and methods, the local host's request-size limits on every route; see info.description).
        var undocumented = catalogue.Keys.Except(documented)
            .Except([ProblemTypes.NotFound.Code, ProblemTypes.MethodNotAllowed.Code, ProblemTypes.UriTooLong.Code, ProblemTypes.RequestHeadersTooLarge.Code]).ToArray();
        Assert.True(undocumented.Length == 0, "Problem codes no operation documents: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Enums_MatchTheCatalogues()
    {
        Assert.Equal(CertificationChannels.Names.Order(), SchemaEnum("Channel").Order());
        Assert.Equal(Enum.GetNames<CertificationStatus>(), SchemaEnum("CertificationStatus"));
        Assert.Equal(Enum.GetNames<EligibilityState>(), SchemaEnum("EligibilityState"));
        Assert.Equal(Core.Review.ReviewReasons.All.Order(), SchemaEnum("ReviewReason").Order());
        Assert.Equal(Core.Enrollment.ReferenceSources.All.Order(), SchemaEnum("ReferenceSource").Order());
        foreach (var form in new[] { "EnrollmentForm", "EnrollmentJson" })
            Assert.Equal(Core.Enrollment.ReferenceSources.All.Order(), Schema(form).GetProperty("properties").GetProperty("referenceSource").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(Enum.GetValues<Core.Review.ReviewCaseState>().Select(ReviewApi.StateName), SchemaEnum("ReviewCaseState"));
        Assert.Equal(Core.Certification.Guidance.Messages.Keys.Order(), Schema("Guidance").GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order());
    }

    [Fact]
    public void RegionListStateParameter_ListsExactlyTheListableStates()
    {
        // It referred to EligibilityState, so NeverCertified looked valid but is refused (invalid-state-filter).
        var state = Document.GetProperty("paths").GetProperty("/regions/{regionCode}/pensioners").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "state");

        Assert.Equal(CycleQueryService.ListableStates.Select(s => s.ToString()).Order(),
            state.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order());
    }

    [Fact]
    public void PhotoEncodings_NameEveryAcceptedFormat()
    {
        // WebP is accepted (magic-byte sniffing) but was missing from the multipart photo encodings.
        var encodings = Document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject())
            .Where(o => o.Value.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("multipart/form-data", out var form)
                && form.TryGetProperty("encoding", out var encoding) && encoding.TryGetProperty("photo", out _))
            .Select(o => o.Value.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("encoding").GetProperty("photo").GetProperty("contentType").GetString()!)
            .ToArray();

        Assert.NotEmpty(encodings);
        foreach (var contentType in encodings)
            Assert.Equal(["image/jpeg", "image/png", "image/webp"], contentType.Split(", ").Order());
    }

    [Theory]
    [InlineData("HealthResponse", typeof(HealthResponse))]
    [InlineData("EnrollmentResponse", typeof(EnrollmentResponse))]
    [InlineData("SubmissionResponse", typeof(SubmissionResponse))]
    [InlineData("CertificationResponse", typeof(CertificationResponse))]
    [InlineData("EligibilityResponse", typeof(EligibilityResponse))]
    [InlineData("PensionerResponse", typeof(PensionerResponse))]
    [InlineData("ErasureResponse", typeof(ErasureResponse))]
    [InlineData("ReviewCasesResponse", typeof(ReviewCasesResponse))]
    [InlineData("ReviewCase", typeof(ReviewCaseBody))]
    [InlineData("ReviewCaseDetailsResponse", typeof(ReviewCaseDetailsResponse))]
    [InlineData("ReviewPhotoLink", typeof(ReviewPhotoLink))]
    [InlineData("ReviewDecisionRequest", typeof(ReviewDecisionRequest))]
    [InlineData("StatusReversalRequest", typeof(StatusReversalRequest))]
    [InlineData("NameChangeRequest", typeof(NameChangeRequest))]
    [InlineData("InvestigationOutcomeRequest", typeof(InvestigationOutcomeRequest))]
    [InlineData("Guidance", typeof(GuidanceBody))]
    [InlineData("EvidenceImportResponse", typeof(EvidenceImportResponse))]
    [InlineData("EvidenceResult", typeof(EvidenceResultBody))]
    [InlineData("PaymentChangesResponse", typeof(PaymentChangesResponse))]
    [InlineData("PaymentChange", typeof(PaymentChangeBody))]
    [InlineData("RegionPensionersResponse", typeof(RegionPensionersResponse))]
    [InlineData("RegionPensioner", typeof(RegionPensionerBody))]
    [InlineData("CycleCommandResponse", typeof(CycleCommandResponse))]
    [InlineData("Reason", typeof(ReasonBody))]
    [InlineData("PensionerHistoryResponse", typeof(PensionerHistoryResponse))]
    [InlineData("HistoryCertification", typeof(HistoryCertificationBody))]
    [InlineData("HistoryReference", typeof(HistoryReferenceBody))]
    [InlineData("HistoryLiveReference", typeof(HistoryLiveReferenceBody))]
    [InlineData("HistoryAuditEntry", typeof(HistoryAuditBody))]
    [InlineData("HomeVisit", typeof(HomeVisitBody))]
    [InlineData("HomeVisitSummary", typeof(HomeVisitSummary))]
    [InlineData("HomeVisitsResponse", typeof(HomeVisitsResponse))]
    [InlineData("HomeVisitRequestStatus", typeof(HomeVisitRequestStatus))]
    [InlineData("FamilyHelperRequestResponse", typeof(FamilyHelperRequestResponse))]
    [InlineData("FamilyHelper", typeof(FamilyHelperBody))]
    [InlineData("FamilyHelpersResponse", typeof(FamilyHelpersResponse))]
    [InlineData("AssistedCertificationsResponse", typeof(AssistedCertificationsResponse))]
    [InlineData("AssistedCertification", typeof(AssistedCertificationBody))]
    public void ResponseSchemas_HaveExactlyTheRecordsProperties(string schema, Type type)
    {
        var serialized = ApiJson.Options.GetTypeInfo(type).Properties.Select(p => p.Name).Order();
        var documented = Schema(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order();

        Assert.Equal(serialized, documented);
    }

    [Fact]
    public void RequestSchemas_ListTheFieldsTheHandlersAccept()
    {
        string[] enrollment = ["idNumber", "name", "regionCode", "referenceSource", PhotoRequestReader.PhotoField];
        string[] certification = ["channel", "idNumber", "pensionerId", "helperId", PhotoRequestReader.PhotoField];
        foreach (var schema in new[] { "EnrollmentForm", "EnrollmentJson" })
            Assert.Equal(enrollment.Order(), Schema(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        foreach (var schema in new[] { "CertificationForm", "CertificationJson" })
            Assert.Equal(certification.Order(), Schema(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        string[] offline = ["channel", "idNumber", "pensionerId", "servicePoint", "idDocumentChecked", "visitId", PhotoRequestReader.PhotoField];
        foreach (var schema in new[] { "OfflineCertificationForm", "OfflineCertificationJson" })
            Assert.Equal(offline.Order(), Schema(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        foreach (var (schema, type) in new[] { ("HomeVisitRequest", typeof(HomeVisitRequestBody)), ("ClientHomeVisitRequest", typeof(ClientHomeVisitRequestBody)),
                     ("ScheduleHomeVisitRequest", typeof(ScheduleHomeVisitBody)), ("CompleteHomeVisitRequest", typeof(CompleteHomeVisitBody)),
                     ("VisitOutcomeRequest", typeof(VisitReasonBody)), ("FamilyHelperRequest", typeof(FamilyHelperRequestBody)) })
            Assert.Equal(ApiJson.Options.GetTypeInfo(type).Properties.Select(p => p.Name).Order(),
                Schema(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }

    private sealed record Operation(string OperationId, string Method, string Path, JsonElement Element);

    private static Operation[] Operations() =>
        Document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(m => AllMethods.Contains(m.Name.ToUpperInvariant()))
                .Select(m => new Operation(m.Value.GetProperty("operationId").GetString()!, m.Name.ToUpperInvariant(), path.Name, m.Value)))
            .ToArray();

    /// <summary>"METHOD api/route" for every documented operation (server URL + path).</summary>
    private static string[] DocumentedOperations()
    {
        var server = Document.GetProperty("servers")[0].GetProperty("url").GetString()!.Trim('/');
        return Operations().Select(o => $"{o.Method} {server}{o.Path}").Order().ToArray();
    }

    /// <summary>"METHOD api/route" for every route the running local host serves, except the static sites' files (operator console, phone page) and the development sign-in (not API).</summary>
    private string[] ServedOperations() =>
        host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !IsStaticSite(e.RoutePattern.RawText!.TrimStart('/'), Core.Definitions.Routes.ConsoleSite)
                && !IsStaticSite(e.RoutePattern.RawText!.TrimStart('/'), Core.Definitions.Routes.PhonePageSite))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText!.TrimStart('/')}"))
            .Order().ToArray();

    private static bool IsStaticSite(string route, string site) =>
        route.StartsWith(site + "/", StringComparison.Ordinal) || route.StartsWith($"{Core.Definitions.Routes.Prefix}/{site}/", StringComparison.Ordinal);

    private static JsonElement Schema(string name) => Document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    private static string[] SchemaEnum(string name) => Schema(name).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static void AssertMatchesSchema(JsonElement body, string schema)
    {
        var properties = Schema(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var property in body.EnumerateObject()) Assert.Contains(property.Name, properties);
        foreach (var required in Schema(schema).GetProperty("required").EnumerateArray())
            Assert.True(body.TryGetProperty(required.GetString()!, out _), $"{schema}.{required.GetString()} missing");
    }

    private static Dictionary<string, ProblemType> ProblemCatalogue() =>
        typeof(ProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ProblemType))
            .Select(f => (ProblemType)f.GetValue(null)!)
            .ToDictionary(p => p.Code, StringComparer.Ordinal);
}
