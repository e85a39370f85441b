using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;

namespace PensionCert.LocalHost;

/// <summary>
/// Reads the repository's host.json (copied beside the local host) so the local queue triggers run with exactly
/// the settings the Functions host uses: <c>functionTimeout</c>, <c>extensions.queues</c> (batch size, thresholds,
/// visibility timeout, polling interval, max dequeue count, message encoding) and <c>extensions.http.routePrefix</c>.
/// As in the Functions host, an app setting <c>AzureFunctionsJobHost__path__to__setting</c> (configuration section
/// <c>AzureFunctionsJobHost</c>) overrides the file, e.g. <c>AzureFunctionsJobHost__functionTimeout=00:01:00</c>.
/// </summary>
public sealed class HostJson
{
    /// <summary>The configuration section whose values override host.json (the Functions host's convention).</summary>
    public const string OverrideSection = "AzureFunctionsJobHost";

    private readonly JsonElement _root;
    private readonly IConfiguration? _overrides;

    private HostJson(JsonElement root, IConfiguration? overrides)
    {
        _root = root;
        _overrides = overrides;
    }

    /// <summary>Loads host.json from <paramref name="path"/>, with the <see cref="OverrideSection"/> of <paramref name="configuration"/> over it.</summary>
    /// <exception cref="FileNotFoundException">host.json is missing.</exception>
    public static HostJson Load(string path, IConfiguration? configuration = null)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return new HostJson(document.RootElement.Clone(), configuration?.GetSection(OverrideSection));
    }

    /// <summary>Loads the host.json beside the running assembly.</summary>
    public static HostJson LoadDefault(IConfiguration? configuration = null) => Load(Path.Combine(AppContext.BaseDirectory, "host.json"), configuration);

    /// <summary>The HTTP route prefix (default <c>api</c>).</summary>
    public string RoutePrefix =>
        _root.TryGetProperty("extensions", out var e) && e.TryGetProperty("http", out var h) && h.TryGetProperty("routePrefix", out var p)
            ? p.GetString() ?? "api"
            : "api";

    /// <summary>
    /// <c>functionTimeout</c>: the longest one function execution may run (null when unset or <c>-1</c>, unbounded).
    /// The local host enforces it on every queue and timer trigger (<see cref="FunctionTimeout"/>).
    /// </summary>
    /// <exception cref="FormatException">The value is not a time span.</exception>
    public TimeSpan? FunctionTimeout
    {
        get
        {
            var text = _overrides?["functionTimeout"] ?? (_root.TryGetProperty("functionTimeout", out var t) ? t.GetString() : null);
            if (string.IsNullOrWhiteSpace(text) || text.Trim() == "-1") return null;
            var value = TimeSpan.Parse(text, CultureInfo.InvariantCulture);
            return value > TimeSpan.Zero ? value : throw new FormatException("functionTimeout must be positive or -1.");
        }
    }

    /// <summary>Applies <c>extensions.queues</c> (and its overrides) to the WebJobs queue options.</summary>
    public void ApplyTo(QueuesOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (_root.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("queues", out var queues))
            foreach (var setting in queues.EnumerateObject())
                settings[setting.Name] = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : setting.Value.GetRawText();
        foreach (var setting in _overrides?.GetSection("extensions:queues").GetChildren() ?? [])
            if (setting.Value is not null) settings[setting.Key] = setting.Value;
        foreach (var (name, value) in settings)
        {
            switch (name)
            {
                case "batchSize": options.BatchSize = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "newBatchThreshold": options.NewBatchThreshold = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "maxDequeueCount": options.MaxDequeueCount = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "visibilityTimeout": options.VisibilityTimeout = TimeSpan.Parse(value, CultureInfo.InvariantCulture); break;
                case "maxPollingInterval": options.MaxPollingInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture); break;
                case "messageEncoding":
                    options.MessageEncoding = value.Equals("none", StringComparison.OrdinalIgnoreCase) ? QueueMessageEncoding.None : QueueMessageEncoding.Base64;
                    break;
                default: throw new InvalidOperationException($"host.json extensions.queues.{name} is not applied by the local host; add it to {nameof(HostJson)}.");
            }
        }
    }
}
