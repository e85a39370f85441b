using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PensionCert.Core;
using PensionCert.Core.Certification;
using PensionCert.Core.Definitions;
using PensionCert.Core.Storage;
using PensionCert.Infrastructure;

namespace PensionCert.Tools;

/// <summary>
/// chaos-check (run by scripts/chaos.sh): reads the records of the accepted certifications and every event in the local
/// event sink, and prints <c>accepted A, decided exactly once D, stuck S, lost L, duplicate events X</c>. A certification
/// is decided exactly once when its record is Approved, Rejected, NeedsReview or Failed and at most one distinct event
/// of type certification.* names it; stuck when its record is still Pending or Processing; lost when there is no record. A duplicate event is a
/// sink message whose CloudEvents id was already seen. Exit 0 only when D = A and the other counts are 0.
/// </summary>
public static class ChaosCheck
{
    /// <summary>Checks the certification ids in <paramref name="acceptedFile"/> (one per line) against <paramref name="connectionString"/>.</summary>
    public static async Task<int> RunAsync(string connectionString, FileInfo acceptedFile, TextWriter output, CancellationToken cancellationToken)
    {
        var accepted = File.ReadAllLines(acceptedFile.FullName).Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        var (eventsByCertification, duplicates) = await ReadEventsAsync(connectionString, cancellationToken);

        var localSettings = MintToken.DefaultSettings();
        var builder = new ConfigurationBuilder();
        if (localSettings is not null) builder.AddJsonFile(localSettings.FullName, optional: false);
        var configuration = builder.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddPensionCertCore();
        services.AddPensionCertStorage();
        await using var provider = services.BuildServiceProvider();
        var records = provider.GetRequiredService<ICertificationRepository>();

        int once = 0, stuck = 0, lost = 0;
        foreach (var id in accepted)
        {
            var record = await records.GetAsync(id, cancellationToken);
            if (record is null)
            {
                lost++;
                output.WriteLine($"lost: {id}");
            }
            else if (record.Status is CertificationStatus.Pending or CertificationStatus.Processing)
            {
                stuck++;
                output.WriteLine($"stuck: {id} {record.Status}");
            }
            else if (eventsByCertification.GetValueOrDefault(id) is { Count: > 1 } events)
            {
                output.WriteLine($"decided more than once: {id} {record.Status}, events {string.Join(' ', events)}");
            }
            else
            {
                once++;
            }
        }
        output.WriteLine($"accepted {accepted.Length}, decided exactly once {once}, stuck {stuck}, lost {lost}, duplicate events {duplicates}");
        return once == accepted.Length && stuck == 0 && lost == 0 && duplicates == 0 ? 0 : 1;
    }

    /// <summary>
    /// Every message of the local sink, received (not deleted) 32 at a time with a visibility timeout long enough that
    /// none comes round twice during the read: the distinct event ids (types) per certification id, and the duplicates.
    /// </summary>
    private static async Task<(Dictionary<string, HashSet<string>> ByCertification, int Duplicates)> ReadEventsAsync(string connectionString, CancellationToken cancellationToken)
    {
        var queue = new QueueClient(connectionString, QueueNames.Events);
        var byCertification = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        if (!await queue.ExistsAsync(cancellationToken)) return (byCertification, 0);
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(2), cancellationToken)).Value;
            if (batch.Length == 0) break;
            foreach (var message in batch)
            {
                using var json = JsonDocument.Parse(message.Body.ToString());
                var id = json.RootElement.GetProperty("id").GetString()!;
                if (!seen.Add(id))
                {
                    duplicates++;
                    continue;
                }
                var type = json.RootElement.GetProperty("type").GetString() ?? "";
                if (type.StartsWith("certification.", StringComparison.Ordinal)
                    && json.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("certificationId", out var certification)
                    && certification.GetString() is { } certificationId)
                {
                    if (!byCertification.TryGetValue(certificationId, out var events)) byCertification[certificationId] = events = [];
                    events.Add(type + ":" + id);
                }
            }
        }
        return (byCertification, duplicates);
    }
}
