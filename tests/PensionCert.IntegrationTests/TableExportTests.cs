using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure.TableExport;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// The nightly table export and import-tables on Azurite, with rows the product itself wrote (an enrolment with a
/// real photo, so encrypted fields and templates exist, and a certification of a second real photo): rows deleted or
/// overwritten after the export come back byte for byte (every property, every EDM type); an altered export blob is
/// refused before anything is written; two exports of one date at once leave one complete, consistent export.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class TableExportTests(LocalHostFixture host)
{
    private TableExporter Exporter => host.App.Services.GetRequiredService<TableExporter>();
    private BlobContainerClient Exports => host.App.Services.GetRequiredService<TableExportArchive>().Container;

    /// <summary>A date of its own per test run (the suite's Azurite may keep exports of earlier runs).</summary>
    private static DateOnly NewDate() => new DateOnly(2300, 1, 1).AddDays(Random.Shared.Next(0, 200_000));

    private (TableImporter Importer, StringWriter Output) Importer()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        return (new TableImporter(Exports, host.Storage.TableService, output), output);
    }

    [Fact]
    public async Task Export_DeleteAndCorrupt_ImportRestoresEveryPropertyAndType()
    {
        var idNumber = TestIdNumbers.New();
        const string name = "欧阳导出";
        var pensionerId = await host.EnrollOkAsync(idNumber, Photos.GenuineReference, name);
        var certificationId = await host.SubmitOkAsync(idNumber, Photos.GenuineProbe);
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal("Approved", decided.GetProperty("status").GetString());

        var pensioners = host.Storage.Pensioners;
        var profileBefore = await CanonicalAsync(pensioners, pensionerId);
        // The certification's record is a row of the pensioner's partition (its id names the pensioner).
        var certificationBefore = Assert.Single(profileBefore, e => e.StartsWith($"{pensionerId}|certification-{certificationId}|", StringComparison.Ordinal));
        Assert.Contains(profileBefore, e => e.Contains("NameProtected=String:", StringComparison.Ordinal));
        Assert.Contains("Status=String:Approved", certificationBefore, StringComparison.Ordinal);
        Assert.True(certificationBefore.Contains("=Double:", StringComparison.Ordinal) && certificationBefore.Contains("=DateTimeOffset:", StringComparison.Ordinal), certificationBefore);

        var date = NewDate();
        var export = await Exporter.ExportAsync(date, CancellationToken.None);
        Assert.Equal(TableExportOutcome.Exported, export.Outcome);
        var manifest = export.Manifest!;
        Assert.Equal(host.Storage.Tables.Select(t => t.Name).Order(), manifest.Tables.Select(t => t.Name).Order());
        var pensionersTable = manifest.Tables.Single(t => t.Name == StorageNames.PensionersTable);
        Assert.True(pensionersTable.Entities >= profileBefore.Count);
        Assert.True((await Exports.GetBlobClient(TableExportManifest.BlobName(date)).ExistsAsync()).Value);

        // The export copies ciphertext: neither the ID number nor the name is in any blob of the tables that hold them.
        foreach (var blob in manifest.Tables.Where(t => t.Name is StorageNames.PensionersTable or StorageNames.PensionerIdentitiesTable or StorageNames.OperatorAuditTable).SelectMany(t => t.Blobs))
        {
            var text = (await Exports.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            Assert.DoesNotContain(idNumber, text, StringComparison.Ordinal);
            Assert.DoesNotContain(name, text, StringComparison.Ordinal);
        }

        // A mistake: the pensioner's rows deleted (the certification's record with them).
        await foreach (var row in pensioners.QueryAsync<TableEntity>(e => e.PartitionKey == pensionerId))
            await pensioners.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        Assert.Empty(await CanonicalAsync(pensioners, pensionerId));
        Assert.Null(await host.App.Services.GetRequiredService<Core.Storage.ICertificationRepository>().GetAsync(certificationId, CancellationToken.None));

        // A dry run verifies and counts, and writes nothing.
        var (dry, dryOutput) = Importer();
        var checkedOnly = await dry.ImportAsync(new TableImportRequest(date, StorageNames.PensionersTable, pensionerId, DryRun: true), CancellationToken.None);
        Assert.Equal(TableImportOutcome.Restored, checkedOnly.Outcome);
        Assert.Equal(profileBefore.Count, checkedOnly.Tables.Single().Selected);
        Assert.Equal(0, checkedOnly.Tables.Single().Upserted);
        Assert.Contains("dry run", dryOutput.ToString(), StringComparison.Ordinal);
        Assert.Empty(await CanonicalAsync(pensioners, pensionerId));

        // The pensioner's partition (record included), and the whole Certifications table (records of the old layout).
        var (importer, output) = Importer();
        var restored = await importer.ImportAsync(new TableImportRequest(date, StorageNames.PensionersTable, pensionerId), CancellationToken.None);
        Assert.Equal(TableImportOutcome.Restored, restored.Outcome);
        Assert.Equal(profileBefore.Count, restored.Tables.Single().Upserted);
        var all = await importer.ImportAsync(new TableImportRequest(date, StorageNames.CertificationsTable), CancellationToken.None);
        Assert.Equal(manifest.Tables.Single(t => t.Name == StorageNames.CertificationsTable).Entities, all.Tables.Single().Upserted);
        Assert.Contains($"{StorageNames.PensionersTable}: {pensionersTable.Entities} in export, {profileBefore.Count} selected, {profileBefore.Count} upserted", output.ToString(), StringComparison.Ordinal);

        Assert.Equal(profileBefore, await CanonicalAsync(pensioners, pensionerId));
        Assert.Equal("Approved", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());
        // The restored pensioner is served again, its name decrypted with the same keys.
        var view = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorHeader(Core.Operators.OperatorRole.Clerk, "110105"));
        Assert.Equal(name, view.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Export_EveryEdmType_RoundTripsExactly()
    {
        var table = host.Storage.EventSinkIds;
        var partition = "export-types-" + Guid.NewGuid().ToString("N");
        var entity = new TableEntity(partition, "row")
        {
            ["Text"] = "中文 \"quoted\"\nline\u2028",
            ["Flag"] = true,
            ["Small"] = -42,
            ["Big"] = long.MaxValue - 7,
            ["Whole"] = 2.0,
            ["Fraction"] = 0.1 + 0.2,
            ["Tiny"] = double.Epsilon,
            ["When"] = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567),
            ["Id"] = Guid.NewGuid(),
            ["Bytes"] = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
        };
        await table.AddEntityAsync(entity);
        try
        {
            var before = await CanonicalAsync(table, partition);
            Assert.Contains("Big=Int64:9223372036854775800", before.Single(), StringComparison.Ordinal);
            Assert.Contains("Whole=Double:2", before.Single(), StringComparison.Ordinal);

            var date = NewDate();
            Assert.Equal(TableExportOutcome.Exported, (await Exporter.ExportAsync(date, CancellationToken.None)).Outcome);
            await table.DeleteEntityAsync(partition, "row");

            var (importer, _) = Importer();
            var result = await importer.ImportAsync(new TableImportRequest(date, StorageNames.EventSinkIdsTable, partition), CancellationToken.None);

            Assert.Equal(1, result.Tables.Single().Upserted);
            Assert.Equal(before, await CanonicalAsync(table, partition));
        }
        finally
        {
            await table.DeleteEntityAsync(partition, "row");
        }
    }

    [Fact]
    public async Task Import_TamperedBlob_RefusedBeforeAnythingIsWritten()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var date = NewDate();
        var manifest = (await Exporter.ExportAsync(date, CancellationToken.None)).Manifest!;
        var pensioners = host.Storage.Pensioners;
        var before = await CanonicalAsync(pensioners, pensionerId);
        var rows = await pensioners.QueryAsync<TableEntity>(e => e.PartitionKey == pensionerId).ToListAsync();
        foreach (var row in rows) await pensioners.DeleteEntityAsync(row.PartitionKey, row.RowKey);

        // One digit of one line changed: same length, same line count, another hash.
        var blob = Exports.GetBlobClient(manifest.Tables.Single(t => t.Name == StorageNames.PensionersTable).Blobs.Last().Name);
        var text = (await blob.DownloadContentAsync()).Value.Content.ToString();
        const string marker = "\"Edm.Int32\",\"Value\":";
        var at = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        Assert.True(at > marker.Length);
        var tampered = text[..at] + (text[at] == '9' ? '8' : '9') + text[(at + 1)..];
        await blob.UploadAsync(BinaryData.FromString(tampered), overwrite: true);

        var (importer, output) = Importer();
        var result = await importer.ImportAsync(new TableImportRequest(date, StorageNames.PensionersTable), CancellationToken.None);

        Assert.Equal(TableImportOutcome.HashMismatch, result.Outcome);
        Assert.Contains($"Refused: {blob.Name} does not match the manifest", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(await CanonicalAsync(pensioners, pensionerId));

        // Put the rows back as they were, so later tests find the pensioner.
        foreach (var row in rows) await pensioners.UpsertEntityAsync(row, TableUpdateMode.Replace);
        Assert.Equal(before, await CanonicalAsync(pensioners, pensionerId));
    }

    [Fact]
    public async Task Export_DoubleFiredForOneDate_OneConsistentExport()
    {
        await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var date = NewDate();

        var results = await Task.WhenAll(Exporter.ExportAsync(date, CancellationToken.None), Exporter.ExportAsync(date, CancellationToken.None));
        var again = await Exporter.ExportAsync(date, CancellationToken.None);

        Assert.Single(results, r => r.Outcome == TableExportOutcome.Exported);
        Assert.Single(results, r => r.Outcome is TableExportOutcome.AlreadyRunning or TableExportOutcome.AlreadyExported);
        Assert.Equal(TableExportOutcome.AlreadyExported, again.Outcome);
        var written = results.Single(r => r.Outcome == TableExportOutcome.Exported).Manifest!;
        var stored = (await Exports.GetBlobClient(TableExportManifest.BlobName(date)).DownloadContentAsync()).Value.Content.ToObjectFromJson<TableExportManifest>(TableExportManifest.Json)!;
        Assert.Equal(written.StartedAt, stored.StartedAt);
        Assert.Equal(written.Tables.Sum(t => t.Entities), stored.Tables.Sum(t => t.Entities));

        // Every blob matches the stored manifest (a dry run of every table checks each hash and line count).
        var (importer, _) = Importer();
        var check = await importer.ImportAsync(new TableImportRequest(date, DryRun: true), CancellationToken.None);
        Assert.Equal(TableImportOutcome.Restored, check.Outcome);
        Assert.Equal(stored.Tables.Select(t => (t.Name, t.Entities)), check.Tables.Select(t => (t.Table, t.Selected)));
    }

    [Fact]
    public async Task Export_CutShortThenRunAgain_ResumesAfterTheTablesDoneAndSplitsAtPages()
    {
        await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineProbe);
        var date = NewDate();
        // Small pages and blobs, so that tables span several blobs; the first run is stopped (as the function timeout
        // would) right after its third table.
        var options = Microsoft.Extensions.Options.Options.Create(new TableExportOptions { PageSize = 3, MaxEntitiesPerBlob = 5 });
        using var cut = new CancellationTokenSource();
        var cutting = new CutAfterTables(3, cut);
        var first = new TableExporter(host.App.Services.GetRequiredService<TableExportArchive>(), host.Storage, options, TimeProvider.System, cutting);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.ExportAsync(date, cut.Token));
        Assert.False((await Exports.GetBlobClient(TableExportManifest.BlobName(date)).ExistsAsync()).Value);
        var (partialCheck, _) = Importer();
        Assert.Equal(TableImportOutcome.NoCompleteExport, (await partialCheck.ImportAsync(new TableImportRequest(date, DryRun: true), CancellationToken.None)).Outcome);

        var resumedLog = new CutAfterTables(int.MaxValue, cut);
        var second = new TableExporter(host.App.Services.GetRequiredService<TableExportArchive>(), host.Storage, options, TimeProvider.System, resumedLog);
        var result = await second.ExportAsync(date, CancellationToken.None);

        Assert.Equal(TableExportOutcome.Exported, result.Outcome);
        Assert.Equal(3, resumedLog.Lines.Count(l => l.Contains("written by an earlier run", StringComparison.Ordinal)));
        var manifest = result.Manifest!;
        foreach (var table in manifest.Tables)
        {
            Assert.Equal(await host.Storage.TableService.GetTableClient(table.Name).QueryAsync<TableEntity>(select: ["PartitionKey"]).CountAsync(), table.Entities);
            Assert.All(table.Blobs.SkipLast(1), b => Assert.Equal(6, b.Entities)); // two pages of 3 reach 5
            Assert.Equal(Enumerable.Range(0, table.Blobs.Count).Select(n => $"{manifest.Date}/{table.Name}/{n}.jsonl"), table.Blobs.Select(b => b.Name));
        }
        Assert.Contains(manifest.Tables, t => t.Blobs.Count > 1);
        var (importer, _) = Importer();
        var check = await importer.ImportAsync(new TableImportRequest(date, DryRun: true), CancellationToken.None);
        Assert.Equal(TableImportOutcome.Restored, check.Outcome);
    }

    /// <summary>A logger of the exporter that cancels the run after its n-th finished table, and keeps the lines.</summary>
    private sealed class CutAfterTables(int tables, CancellationTokenSource cut) : Microsoft.Extensions.Logging.ILogger<TableExporter>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            Lines.Add(line);
            if (line.Contains(" blob(s)", StringComparison.Ordinal) && Lines.Count(l => l.Contains(" blob(s)", StringComparison.Ordinal)) == tables) cut.Cancel();
        }
    }

    [Fact]
    public async Task ImportTablesCommand_DryRunPrintsCounts_BadDateExit2_NoExportExit1()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var date = NewDate();
        var manifest = (await Exporter.ExportAsync(date, CancellationToken.None)).Manifest!;
        var storage = Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "UseDevelopmentStorage=true";
        var d = TableExportManifest.Folder(date);

        var (code, output, _) = await RunToolAsync("import-tables", "--date", d, "--table", StorageNames.PensionersTable, "--partition", pensionerId, "--dry-run", "--storage", storage);
        Assert.Equal(0, code);
        Assert.Contains($"{StorageNames.PensionersTable}: {manifest.Tables.Single(t => t.Name == StorageNames.PensionersTable).Entities} in export, 1 selected, dry run: nothing written", output, StringComparison.Ordinal);

        (code, _, var error) = await RunToolAsync("import-tables", "--date", "2026-13-01", "--storage", storage);
        Assert.Equal(1, code); // System.CommandLine: a parse error exits 1
        Assert.Contains("--date must be yyyy-MM-dd.", error, StringComparison.Ordinal);

        (code, output, _) = await RunToolAsync("import-tables", "--date", TableExportManifest.Folder(NewDate()), "--storage", storage);
        Assert.Equal(1, code);
        Assert.Contains("No complete export", output, StringComparison.Ordinal);

        (code, output, _) = await RunToolAsync("import-tables", "--date", d, "--table", "NoSuchTable", "--storage", storage);
        Assert.Equal(2, code);
        Assert.Contains("has no table 'NoSuchTable'", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunToolAsync(params string[] arguments)
    {
        var tool = Path.Combine(TestRepository.Root, "functions", "PensionCert.Tools", "bin", "Release", "net10.0", "PensionCert.Tools.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestRepository.Root };
        start.ArgumentList.Add(tool);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("PensionCertAuditArchive");
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task LocalHostTimer_ExportTables_InvokedByName_ExportsTodayOrFindsItDone()
    {
        // The WebJobs SDK indexed LocalTableExportTrigger (a class beside LocalTriggers): invoke it by its function name.
        var jobHost = host.App.Services.GetRequiredService<Microsoft.Azure.WebJobs.IJobHost>();
        var timer = new Microsoft.Azure.WebJobs.TimerInfo(new Microsoft.Azure.WebJobs.Extensions.Timers.ConstantSchedule(TimeSpan.FromDays(1)), null);

        await jobHost.CallAsync(FunctionNames.ExportTables, new Dictionary<string, object?> { ["timer"] = timer });

        var today = Core.Cycle.ChinaTime.Today(host.App.Services.GetRequiredService<TimeProvider>());
        var manifest = (await Exports.GetBlobClient(TableExportManifest.BlobName(today)).DownloadContentAsync()).Value.Content.ToObjectFromJson<TableExportManifest>(TableExportManifest.Json)!;
        Assert.Equal(TableExportManifest.Folder(today), manifest.Date);
        Assert.Equal(host.Storage.Tables.Count, manifest.Tables.Count);
    }

    [Fact]
    public async Task Import_DateWithoutManifest_Refused()
    {
        var (importer, output) = Importer();
        var result = await importer.ImportAsync(new TableImportRequest(NewDate()), CancellationToken.None);

        Assert.Equal(TableImportOutcome.NoCompleteExport, result.Outcome);
        Assert.Contains("No complete export", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Every entity of a partition as text: each property's name, .NET type and exact value (binary as Base64, doubles round-trip), ETag and Timestamp left out.</summary>
    private static async Task<List<string>> CanonicalAsync(TableClient table, string partitionKey)
    {
        var rows = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == partitionKey))
        {
            var text = new StringBuilder($"{entity.PartitionKey}|{entity.RowKey}");
            foreach (var key in entity.Keys.Where(k => k is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey")).Order(StringComparer.Ordinal))
            {
                var value = entity[key];
                var formatted = value switch
                {
                    byte[] b => Convert.ToBase64String(b),
                    BinaryData d => Convert.ToBase64String(d.ToArray()),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    DateTimeOffset t => t.UtcTicks.ToString(CultureInfo.InvariantCulture),
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                };
                text.Append(CultureInfo.InvariantCulture, $"|{key}={value?.GetType().Name}:{formatted}");
            }
            rows.Add(text.ToString());
        }
        return rows;
    }
}
