using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using PensionCert.Core.Telemetry;

namespace PensionCert.Infrastructure;

/// <summary>
/// An Azure SDK pipeline policy on every storage client (<see cref="StorageClients"/>), per retry: counts each HTTP
/// request sent to Blob, Queue or Table storage, in total (<see cref="Total"/>) and in the <see cref="StorageCallScope"/>s
/// open on the calling flow. Measured, not estimated: what <c>bench drain</c> and <c>bench ingest</c> print.
/// </summary>
public sealed partial class StorageCallCounter : HttpPipelineSynchronousPolicy
{
    private long _total;

    /// <summary>Requests sent by this process's storage clients since start.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _total);
        StorageCallScope.CountRequest(StorageCallScope.Describing ? Describe(message.Request) : null);
    }

    /// <summary>
    /// <c>METHOD resource[row kind]</c> without keys or ids: e.g. <c>PUT selfies</c>, <c>GET Pensioners[profile]</c>,
    /// <c>POST $batch</c>, <c>POST verification/messages</c>.
    /// </summary>
    public static string Describe(Request request)
    {
        var path = Uri.UnescapeDataString(request.Uri.Path);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Azurite puts the account name first; Azure does not.
        var start = segments.Length > 1 && segments[0].StartsWith("devstoreaccount", StringComparison.Ordinal) ? 1 : 0;
        var resource = segments.Length > start ? segments[start] : "";
        var table = TableKeys().Match(resource);
        if (table.Success)
        {
            var kind = table.Groups["row"].Value.Split('-')[0];
            resource = table.Groups["table"].Value + (kind.Length > 0 && !kind.Any(char.IsDigit) ? $"[{kind}]" : "[row]");
        }
        else if (segments.Length > start + 1 && segments[start + 1] == "messages")
        {
            resource += "/messages";
        }
        var query = request.Uri.Query;
        if (resource.Length > 0 && query.Contains("$filter", StringComparison.Ordinal)) resource += " (query)";
        return $"{request.Method} {resource}";
    }

    [GeneratedRegex(@"^(?<table>[A-Za-z0-9]+)\(PartitionKey='[^']*',RowKey='(?<row>[^']*)'\)$")]
    private static partial Regex TableKeys();
}
