using System.CommandLine;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure.TableExport;

namespace PensionCert.Tools;

/// <summary>
/// <c>import-tables</c>: restores tables of the data account from a nightly export in the audit archive
/// (<see cref="TableImporter"/>): verifies the manifest's hashes, then upserts, printing counts. Exit codes: 0 restored
/// (or checked, with --dry-run), 1 refused (no complete export, hash mismatch), 2 bad arguments.
/// </summary>
public static class TableImportCommand
{
    /// <summary>The command with its options.</summary>
    public static Command Create()
    {
        var date = new Option<string>("--date") { Description = "The export's China date, yyyy-MM-dd.", Required = true };
        date.Validators.Add(r =>
        {
            if (!DateOnly.TryParseExact(r.GetValueOrDefault<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                r.AddError("--date must be yyyy-MM-dd.");
        });
        var table = new Option<string?>("--table") { Description = "Restore only this table (default: every table of the export)." };
        var partition = new Option<string?>("--partition") { Description = "Restore only entities with this PartitionKey (e.g. a pensioner id), in the chosen table(s)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Verify the hashes and print the counts; write nothing." };
        var storage = new Option<string>("--storage")
        {
            Description = "The data account to restore into: a connection string, or its table endpoint https://<account>.table.<suffix> (Entra ID: DefaultAzureCredential). Default: the AzureWebJobsStorage environment variable, else UseDevelopmentStorage=true.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AzureWebJobsStorage") ?? "UseDevelopmentStorage=true",
        };
        var archive = new Option<string?>("--archive")
        {
            Description = "The audit archive holding the export: a connection string, or its blob endpoint https://<account>.blob.<suffix> (Entra ID). Default: the PensionCertAuditArchive environment variable, else --storage (local runs).",
        };
        var command = new Command("import-tables", "Restore tables (or one partition) from a nightly table export: verify the manifest's SHA-256 hashes, then upsert, printing counts.")
        {
            date, table, partition, dryRun, storage, archive,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storageValue = parse.GetValue(storage)!;
            var archiveValue = parse.GetValue(archive) ?? Environment.GetEnvironmentVariable(TableExportOptions.ConnectionSettingName) ?? storageValue;
            var importer = new TableImporter(ExportsContainer(archiveValue), TableService(storageValue), Console.Out);
            var result = await importer.ImportAsync(new TableImportRequest(
                DateOnly.ParseExact(parse.GetValue(date)!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                parse.GetValue(table), parse.GetValue(partition), parse.GetValue(dryRun)), cancellationToken);
            return result.Outcome switch
            {
                TableImportOutcome.Restored => 0,
                TableImportOutcome.UnknownTable => 2,
                _ => 1,
            };
        });
        return command;
    }

    private static BlobContainerClient ExportsContainer(string archive) =>
        (IsEndpoint(archive, out var uri) ? new BlobServiceClient(uri, new DefaultAzureCredential()) : new BlobServiceClient(archive))
            .GetBlobContainerClient(StorageNames.TableExportsContainer);

    private static TableServiceClient TableService(string storage) =>
        IsEndpoint(storage, out var uri) ? new TableServiceClient(uri, new DefaultAzureCredential()) : new TableServiceClient(storage);

    private static bool IsEndpoint(string value, out Uri uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri!) && uri.Scheme == Uri.UriSchemeHttps;
}
