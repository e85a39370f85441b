using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Azure.WebJobs.Host;

namespace PensionCert.LocalHost;

/// <summary>
/// Reads the repository's host.json (copied beside the local host) so the local queue triggers run with exactly
/// the settings the Functions host uses: <c>extensions.queues</c> (batch size, thresholds, visibility timeout,
/// polling interval, max dequeue count, message encoding) and <c>extensions.http.routePrefix</c>.
/// </summary>
public sealed class HostJson
{
    private readonly JsonElement _root;

    private HostJson(JsonElement root) => _root = root;

    /// <summary>Loads host.json from <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">host.json is missing.</exception>
    public static HostJson Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return new HostJson(document.RootElement.Clone());
    }

    /// <summary>Loads the host.json beside the running assembly.</summary>
    public static HostJson LoadDefault() => Load(Path.Combine(AppContext.BaseDirectory, "host.json"));

    /// <summary>The HTTP route prefix (default <c>api</c>).</summary>
    public string RoutePrefix =>
        _root.TryGetProperty("extensions", out var e) && e.TryGetProperty("http", out var h) && h.TryGetProperty("routePrefix", out var p)
            ? p.GetString() ?? "api"
            : "api";

    /// <summary>Applies <c>extensions.queues</c> to the WebJobs queue options.</summary>
    public void ApplyTo(QueuesOptions options)
    {
        if (!_root.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues)) return;
        foreach (var setting in queues.EnumerateObject())
        {
            switch (setting.Name)
            {
                case "batchSize": options.BatchSize = setting.Value.GetInt32(); break;
                case "newBatchThreshold": options.NewBatchThreshold = setting.Value.GetInt32(); break;
                case "maxDequeueCount": options.MaxDequeueCount = setting.Value.GetInt32(); break;
                case "visibilityTimeout": options.VisibilityTimeout = TimeSpan.Parse(setting.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture); break;
                case "maxPollingInterval": options.MaxPollingInterval = TimeSpan.Parse(setting.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture); break;
                case "messageEncoding":
                    options.MessageEncoding = setting.Value.GetString()!.Equals("none", StringComparison.OrdinalIgnoreCase)
                        ? QueueMessageEncoding.None : QueueMessageEncoding.Base64;
                    break;
                default: throw new InvalidOperationException($"host.json extensions.queues.{setting.Name} is not applied by the local host; add it to {nameof(HostJson)}.");
            }
        }
    }
}
