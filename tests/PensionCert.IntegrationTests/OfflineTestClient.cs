using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests;

/// <summary>HTTP steps of offline certification, home visits and family helpers, as an operator console or client app takes them.</summary>
internal static class OfflineTestClient
{
    public const string Region = "110105";

    /// <summary>A clerk of <see cref="Region"/> with a recognisable subject.</summary>
    public static (string, string) Clerk(string subject = "clerk-counter-01", string region = Region) =>
        ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Clerk, [region], subject));

    public static DateOnly ChinaToday => ChinaTime.Today(TimeProvider.System);

    /// <summary>POST /api/offline-certifications (multipart).</summary>
    public static Task<HttpResponseMessage> SubmitOfflineAsync(this LocalHostFixture host, (string, string) @operator, string pensionerId, string photo,
        string channel = "counter", string servicePoint = "110105-counter-01", string idDocumentChecked = "true", string? visitId = null)
    {
        var fields = new List<(string, string)> { ("pensionerId", pensionerId), ("channel", channel), ("servicePoint", servicePoint), ("idDocumentChecked", idDocumentChecked) };
        if (visitId is not null) fields.Add(("visitId", visitId));
        return host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/offline-certifications", @operator, LocalHostFixture.Multipart([.. fields]).WithPhoto(photo)));
    }

    /// <summary>Submits an offline capture, asserts 202 and returns the certification id.</summary>
    public static async Task<string> SubmitOfflineOkAsync(this LocalHostFixture host, (string, string) @operator, string pensionerId, string photo,
        string channel = "counter", string? visitId = null)
    {
        using var response = await host.SubmitOfflineAsync(@operator, pensionerId, photo, channel, visitId: visitId);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.StartsWith("/api/offline-certifications/", response.Headers.Location?.ToString());
        return JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!;
    }

    /// <summary>Sends JSON and returns the status and the parsed body.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendJsonAsync(this LocalHostFixture host, HttpMethod method, string path,
        (string, string) header, object? body = null, string? idempotencyKey = null)
    {
        var request = LocalHostFixture.Request(method, path, header, body is null ? null : JsonContent.Create(body));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    /// <summary>The problem code of a problem+json body.</summary>
    public static string? Code(JsonElement body) => body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var c) ? c.GetString() : null;

    /// <summary>A visit request body for a pensioner.</summary>
    public static object VisitRequest(string pensionerId, string reason = "bedridden") => new
    {
        pensionerId,
        reason,
        contactPhone = "13800138000",
        address = "北京市朝阳区某某街道 12 号楼 3 单元 401",
        preferredDates = new[] { ChinaToday.AddDays(2).ToString("yyyy-MM-dd"), ChinaToday.AddDays(3).ToString("yyyy-MM-dd") },
    };

    /// <summary>The pensioner's stored profile.</summary>
    public static async Task<PensionerProfile> ProfileAsync(this LocalHostFixture host, string pensionerId) =>
        (await host.App.Services.GetRequiredService<IPensionerRepository>().GetAsync(pensionerId, CancellationToken.None))!;

    /// <summary>The event types in the pensioner's outbox (every event recorded, sent or not), as stored.</summary>
    public static async Task<List<(string Type, string Data)>> OutboxAsync(this LocalHostFixture host, string pensionerId)
    {
        var list = new List<(string, string)>();
        await foreach (var e in host.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
            list.Add((e.GetString("Type"), e.GetString("Data")));
        return list;
    }

    /// <summary>Polls an offline certification through the operator route until decided.</summary>
    public static async Task<JsonElement> PollOfflineAsync(this LocalHostFixture host, (string, string) @operator, string certificationId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var json = await host.GetJsonAsync($"/api/offline-certifications/{certificationId}", @operator);
            var status = json.GetProperty("status").GetString();
            if (status is not ("Pending" or "Processing")) return json;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{certificationId} still {status}");
            await Task.Delay(200);
        }
    }

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
