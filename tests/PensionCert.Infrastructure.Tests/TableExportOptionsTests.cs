using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Infrastructure.TableExport;

namespace PensionCert.Infrastructure.Tests;

/// <summary>
/// The table export's archive connection <c>PensionCertAuditArchive</c>: identity-based in Azure (the names the
/// Bicep sets), the data account's connection string locally, and never silently the data account in Azure.
/// Nothing here opens a connection.
/// </summary>
public sealed class TableExportOptionsTests
{
    private const string ClientId = "6f1f1c7e-33a4-4f3c-9a55-0a9e6b3f2d11";
    private const string Azurite =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10300/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10301/devstoreaccount1;TableEndpoint=http://127.0.0.1:10302/devstoreaccount1;";

    private static readonly Dictionary<string, string?> IdentityBasedData = new()
    {
        ["PensionCertStorage:blobServiceUri"] = "https://stpcgdprod.blob.core.chinacloudapi.cn",
        ["PensionCertStorage:queueServiceUri"] = "https://stpcgdprod.queue.core.chinacloudapi.cn",
        ["PensionCertStorage:tableServiceUri"] = "https://stpcgdprod.table.core.chinacloudapi.cn",
        ["PensionCertStorage:credential"] = "managedidentity",
        ["PensionCertStorage:clientId"] = ClientId,
    };

    [Fact]
    public void Azure_ArchiveSettings_ExportsGoToTheArchiveContainer()
    {
        using var provider = Provider(new(IdentityBasedData)
        {
            ["PensionCertAuditArchive:blobServiceUri"] = "https://stpcaudgdprod.blob.core.chinacloudapi.cn",
            ["PensionCertAuditArchive:credential"] = "managedidentity",
            ["PensionCertAuditArchive:clientId"] = ClientId,
        });

        var archive = provider.GetRequiredService<TableExportArchive>();

        Assert.Equal(new Uri("https://stpcaudgdprod.blob.core.chinacloudapi.cn/table-exports"), archive.Container.Uri);
        Assert.False(provider.GetRequiredService<IOptions<TableExportOptions>>().Value.UsesDataStorage);
    }

    [Fact]
    public void Azure_NoArchiveSetting_FailsStartUpNamingIt()
    {
        using var provider = Provider(IdentityBasedData);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TableExportOptions>>().Value);

        Assert.Contains("'PensionCertAuditArchive' is missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PensionCertAuditArchive__blobServiceUri", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PensionCertAuditArchive:blobServiceUri", "not a uri", "'PensionCertAuditArchive__blobServiceUri' must be an absolute http(s) URI")]
    [InlineData("PensionCertAuditArchive:clientId", "nope", "'PensionCertAuditArchive__clientId' must be the managed identity's client id")]
    [InlineData("PensionCert:TableExport:MaxEntitiesPerBlob", "0", "MaxEntitiesPerBlob")]
    [InlineData("PensionCert:TableExport:PageSize", "5000", "PageSize")]
    public void InvalidSetting_FailsStartUpNamingIt(string key, string value, string message)
    {
        using var provider = Provider(new(IdentityBasedData)
        {
            ["PensionCertAuditArchive:blobServiceUri"] = "https://stpcaudgdprod.blob.core.chinacloudapi.cn",
            ["PensionCertAuditArchive:clientId"] = ClientId,
            [key] = value,
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TableExportOptions>>().Value);

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_ConnectionString_ExportsGoToTheSameAzurite()
    {
        using var provider = Provider(new() { ["AzureWebJobsStorage"] = Azurite });

        var archive = provider.GetRequiredService<TableExportArchive>();

        Assert.Equal(new Uri("http://127.0.0.1:10300/devstoreaccount1/table-exports"), archive.Container.Uri);
        Assert.True(provider.GetRequiredService<IOptions<TableExportOptions>>().Value.UsesDataStorage);
        Assert.True(archive.CreateContainer);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddPensionCertStorage();
        return services.BuildServiceProvider();
    }
}
