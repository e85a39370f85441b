using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using PensionCert.Core.Definitions;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>The export container of the audit archive (<see cref="TableExportOptions"/>), one client per process.</summary>
public sealed class TableExportArchive
{
    /// <summary>Builds the container client from the archive connection (connection string, or URI + token credential).</summary>
    public TableExportArchive(IOptions<TableExportOptions> options, IOptions<StorageOptions> storage)
    {
        var o = options.Value;
        var blobOptions = new BlobClientOptions();
        blobOptions.Retry.MaxRetries = storage.Value.MaxRetries;
        blobOptions.Retry.Mode = RetryMode.Exponential;
        blobOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        var service = o.ConnectionString is { } connection
            ? new BlobServiceClient(connection, blobOptions)
            : new BlobServiceClient(o.BlobServiceUri, StorageCredentials.Create(o.CredentialSettings()), blobOptions);
        Container = service.GetBlobContainerClient(StorageNames.TableExportsContainer);
        CreateContainer = storage.Value.CreateResources;
    }

    /// <summary>The <c>table-exports</c> container.</summary>
    public BlobContainerClient Container { get; }

    /// <summary>Create the container when missing (local runs; in Azure, Bicep creates it and the app may not).</summary>
    public bool CreateContainer { get; }
}
