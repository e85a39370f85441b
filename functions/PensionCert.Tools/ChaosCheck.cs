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
/// is decided exactly once when its record is Approved, Rejected, NeedsReview or Failed and exactly one distinct event
/// of type certification.* names it, the one of its status (a missing one is reported: the pensioner was never told);
/// stuck when its record is still Pending or Processing; lost when there is no record. A duplicate event is a sink
/// message whose CloudEvents id was already seen. Exit 0 only when D = A and the other counts are 0 (<see cref="Tally"/>).
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

        var statuses = new Dictionary<string, CertificationStatus?>(StringComparer.Ordinal);
        foreach (var id in accepted)
            statuses[id] = (await records.GetAsync(id, cancellationToken))?.Status;
        var tally = Tally(accepted, statuses, eventsByCertification, duplicates);
        foreach (var line in tally.Lines) output.WriteLine(line);
        output.WriteLine($"accepted {tally.Accepted}, decided exactly once {tally.Once}, stuck {tally.Stuck}, lost {tally.Lost}, duplicate events {tally.Duplicates}");
        return tally.Passed ? 0 : 1;
    }

    /// <summary>The decision event a final status must have (exactly one, naming the certification).</summary>
    public static string DecisionEventOf(CertificationStatus status) => status switch
    {
        CertificationStatus.Approved => Core.Events.EventTypes.CertificationApproved,
        CertificationStatus.Rejected => Core.Events.EventTypes.CertificationRejected,
        CertificationStatus.NeedsReview => Core.Events.EventTypes.CertificationNeedsReview,
        _ => Core.Events.EventTypes.CertificationFailed,
    };

    /// <summary>
    /// Counts the accepted certifications: lost (no record, status null), stuck (Pending or Processing), and decided
    /// exactly once: a final status with exactly one distinct certification.* event naming it, of the status's type
    /// (<see cref="DecisionEventOf"/>). A decided certification with no such event (the pensioner was never told) or
    /// with more than one is reported on its own line and is not counted as decided exactly once.
    /// </summary>
    /// <param name="accepted">The accepted certification ids.</param>
    /// <param name="statuses">Each id's record status, null when there is no record.</param>
    /// <param name="events">The distinct <c>type:eventId</c> of the certification.* events naming each certification.</param>
    /// <param name="duplicates">Sink messages whose CloudEvents id was seen before.</param>
    public static ChaosTally Tally(IReadOnlyList<string> accepted, IReadOnlyDictionary<string, CertificationStatus?> statuses,
        IReadOnlyDictionary<string, HashSet<string>> events, int duplicates)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(statuses);
        ArgumentNullException.ThrowIfNull(events);
        int once = 0, stuck = 0, lost = 0;
        var lines = new List<string>();
        foreach (var id in accepted)
        {
            var status = statuses.GetValueOrDefault(id);
            var named = events.GetValueOrDefault(id) ?? [];
            if (status is null)
            {
                lost++;
                lines.Add($"lost: {id}");
            }
            else if (status is CertificationStatus.Pending or CertificationStatus.Processing)
            {
                stuck++;
                lines.Add($"stuck: {id} {status}");
            }
            else if (named.Count > 1)
            {
                lines.Add($"decided more than once: {id} {status}, events {string.Join(' ', named.Order(StringComparer.Ordinal))}");
            }
            else if (named.Count == 0)
            {
                lines.Add($"no decision event: {id} {status}, expected {DecisionEventOf(status.Value)}");
            }
            else if (!named.Single().StartsWith(DecisionEventOf(status.Value) + ":", StringComparison.Ordinal))
            {
                lines.Add($"decision event does not match: {id} {status}, event {named.Single()}, expected {DecisionEventOf(status.Value)}");
            }
            else
            {
                once++;
            }
        }
        return new ChaosTally(accepted.Count, once, stuck, lost, duplicates, lines);
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

/// <summary>What <see cref="ChaosCheck.Tally"/> counted, and one line per certification that is not decided exactly once.</summary>
public sealed record ChaosTally(int Accepted, int Once, int Stuck, int Lost, int Duplicates, IReadOnlyList<string> Lines)
{
    /// <summary>True when every accepted certification was decided exactly once and nothing is stuck, lost or duplicated.</summary>
    public bool Passed => Once == Accepted && Stuck == 0 && Lost == 0 && Duplicates == 0;
}
