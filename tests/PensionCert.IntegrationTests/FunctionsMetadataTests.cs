using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Http;
using PensionCert.Infrastructure;
using PensionCert.LocalHost;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// The local host serves exactly the triggers of the Azure Functions app: this reads the functions.metadata that the
/// Functions build generates and compares every trigger (route, methods, auth level, queue, schedule) with the
/// running local host's endpoints and WebJobs functions.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class FunctionsMetadataTests(LocalHostFixture host)
{
    private static readonly JsonElement[] Functions = LoadMetadata();

    [Fact]
    public void HttpTriggers_MatchLocalHostEndpoints()
    {
        var expected = Functions
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .Select(f => $"{f.Name} {string.Join(",", f.Trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()))} api/{f.Trigger.GetProperty("route").GetString()}")
            .Order().ToArray();
        // Every endpoint that stands for a function (the console's files are also served at /console/, outside the prefix).
        var served = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpEndpoint>() is not null)
            .Select(e => $"{e.Metadata.GetMetadata<HttpEndpoint>()!.FunctionName} {string.Join(",", e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)} {e.RoutePattern.RawText!.TrimStart('/')}")
            .Order().ToArray();

        Assert.Equal(HttpEndpoints.All.Count + 2, expected.Length); // the API, the console's ConsoleFiles and the phone page's PhonePageFiles
        Assert.Equal(expected, served);
    }

    [Fact]
    public void HttpTriggers_AuthLevelsMatchAccess()
    {
        foreach (var endpoint in HttpEndpoints.All)
        {
            var trigger = Trigger(Functions.Single(f => f.GetProperty("name").GetString() == endpoint.FunctionName));
            var expected = endpoint.Access == ApiAccess.Client ? "Function" : "Anonymous";
            Assert.Equal(expected, trigger.GetProperty("authLevel").GetString());
        }
    }

    [Fact]
    public void QueueAndTimerTriggers_MatchLocalTriggers()
    {
        static string Describe(string name, string type, string? detail) => $"{name} {type} {detail}";
        var expected = Functions
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() != "httpTrigger")
            .Select(f => Describe(f.Name, f.Trigger.GetProperty("type").GetString()!,
                f.Trigger.TryGetProperty("queueName", out var q) ? q.GetString() : f.Trigger.GetProperty("schedule").GetString()))
            .Order().ToArray();
        var local = LocalTriggerMethods()
            .Select(m => (Name: m.GetCustomAttribute<FunctionNameAttribute>()?.Name, Parameters: m.GetParameters()))
            .Where(m => m.Name is not null)
            .Select(m => m.Parameters.Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).OfType<QueueTriggerAttribute>().FirstOrDefault() is { } queue
                ? Describe(m.Name!, "queueTrigger", queue.QueueName)
                : Describe(m.Name!, "timerTrigger", m.Parameters.Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).OfType<TimerTriggerAttribute>().Single().ScheduleExpression))
            .Order().ToArray();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, local);
    }

    [Fact]
    public void TimerTriggers_NeverRunOnStartupAndScanAtOneAmChinaTime()
    {
        var timers = Functions.Select(Trigger).Where(t => t.GetProperty("type").GetString() == "timerTrigger").ToArray();
        Assert.Equal(typeof(Core.Definitions.Schedules).GetFields().Length, timers.Length);
        Assert.All(timers, t => Assert.False(t.TryGetProperty("runOnStartup", out var r) && r.GetBoolean()));
        foreach (var attribute in LocalTriggerMethods().SelectMany(m => m.GetParameters()).Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).OfType<TimerTriggerAttribute>())
            Assert.False(attribute.RunOnStartup);
        // 17:00 UTC is 01:00 China Standard Time the next day.
        Assert.Equal("0 0 17 * * *", Core.Definitions.Schedules.CycleScan);
        var utcHour = int.Parse(Core.Definitions.Schedules.CycleScan.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1, (utcHour + (int)Core.Cycle.ChinaTime.UtcOffset.TotalHours) % 24);
    }

    [Fact]
    public void HostJson_QueueSettingsAgreeWithApplication()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestRepository.Root, "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        Assert.Equal(CertificationOptions.MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(StorageClients.QueueMessageEncodingSetting.ToString(), queues.GetProperty("messageEncoding").GetString(), ignoreCase: true);
        Assert.Equal(Core.Definitions.Routes.Prefix, hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    /// <summary>The public methods of every trigger class of the local host (<see cref="LocalTriggers"/> and its siblings, as the WebJobs SDK finds them).</summary>
    private static IEnumerable<MethodInfo> LocalTriggerMethods() =>
        typeof(LocalTriggers).Assembly.GetExportedTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FunctionNameAttribute>() is not null))
            .SelectMany(t => t.GetMethods());

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static JsonElement[] LoadMetadata()
    {
        var project = Path.Combine(TestRepository.Root, "functions", "PensionCert.Functions", "bin");
        var file = Directory.Exists(project)
            ? Directory.GetFiles(project, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        if (file is null) throw new InvalidOperationException($"functions.metadata not found under {project}; build PensionCert.Functions first (./test.sh does).");
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
