using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Infrastructure;

namespace PensionCert.Infrastructure.Tests;

/// <summary>
/// The storage connection is read from the same setting names locally (a connection string) and in Azure
/// (identity-based <c>AzureWebJobsStorage__*</c> settings); missing or invalid settings fail with their names.
/// Nothing here opens a connection.
/// </summary>
public sealed class StorageOptionsTests
{
    private const string ClientId = "6f1f1c7e-33a4-4f3c-9a55-0a9e6b3f2d11";
    private const string AzuriteConnection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10300/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10301/devstoreaccount1;TableEndpoint=http://127.0.0.1:10302/devstoreaccount1;";

    [Fact]
    public void Resolve_ConnectionString_UsedAsBefore()
    {
        using var provider = Provider(new() { ["AzureWebJobsStorage"] = AzuriteConnection });

        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        var clients = provider.GetRequiredService<StorageClients>();

        Assert.True(options.UsesConnectionString);
        Assert.Equal(AzuriteConnection, options.ConnectionString);
        Assert.Equal(new Uri("http://127.0.0.1:10300/devstoreaccount1/reference-photos"), clients.References.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10301/devstoreaccount1/certification-verification"), clients.VerificationQueue.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10302/devstoreaccount1/Pensioners"), clients.Pensioners.Uri);
    }

    [Fact]
    public void Resolve_EnvironmentVariablesWithServiceUris_IdentityBasedClients()
    {
        using var provider = ProviderFromEnvironment(new()
        {
            ["AzureWebJobsStorage__blobServiceUri"] = "https://stpcdev.blob.core.chinacloudapi.cn",
            ["AzureWebJobsStorage__queueServiceUri"] = "https://stpcdev.queue.core.chinacloudapi.cn",
            ["AzureWebJobsStorage__tableServiceUri"] = "https://stpcdev.table.core.chinacloudapi.cn",
            ["AzureWebJobsStorage__credential"] = "managedidentity",
            ["AzureWebJobsStorage__clientId"] = ClientId,
        });

        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        var clients = provider.GetRequiredService<StorageClients>();

        Assert.False(options.UsesConnectionString);
        Assert.True(options.UsesManagedIdentity);
        Assert.Equal(ClientId, options.ClientId);
        Assert.Equal(new Uri("https://stpcdev.blob.core.chinacloudapi.cn/selfies"), clients.Selfies.Uri);
        Assert.Equal(new Uri("https://stpcdev.queue.core.chinacloudapi.cn/certification-verification"), clients.VerificationQueue.Uri);
        Assert.Equal(new Uri("https://stpcdev.table.core.chinacloudapi.cn/IdempotencyKeys"), clients.IdempotencyKeys.Uri);
        Assert.IsType<ManagedIdentityCredential>(StorageCredentials.Create(options));
    }

    [Fact]
    public void Resolve_DataConnectionBesideHostConnection_AppUsesTheDataAccount()
    {
        // infra/: the Functions host keeps AzureWebJobsStorage (host account); the app's data is PensionCertStorage.
        using var provider = ProviderFromEnvironment(new()
        {
            ["AzureWebJobsStorage__blobServiceUri"] = "https://stpchostgdprod.blob.core.chinacloudapi.cn",
            ["AzureWebJobsStorage__queueServiceUri"] = "https://stpchostgdprod.queue.core.chinacloudapi.cn",
            ["AzureWebJobsStorage__tableServiceUri"] = "https://stpchostgdprod.table.core.chinacloudapi.cn",
            ["AzureWebJobsStorage__credential"] = "managedidentity",
            ["PensionCertStorage__blobServiceUri"] = "https://stpcgdprod.blob.core.chinacloudapi.cn",
            ["PensionCertStorage__queueServiceUri"] = "https://stpcgdprod.queue.core.chinacloudapi.cn",
            ["PensionCertStorage__tableServiceUri"] = "https://stpcgdprod.table.core.chinacloudapi.cn",
            ["PensionCertStorage__credential"] = "managedidentity",
            ["PensionCertStorage__clientId"] = ClientId,
        });

        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        var clients = provider.GetRequiredService<StorageClients>();

        Assert.Equal(StorageOptions.DataConnectionSettingName, options.ConnectionName);
        Assert.Equal(new Uri("https://stpcgdprod.blob.core.chinacloudapi.cn/reference-photos"), clients.References.Uri);
        Assert.Equal(new Uri("https://stpcgdprod.queue.core.chinacloudapi.cn/certification-verification"), clients.VerificationQueue.Uri);
        Assert.Equal(new Uri("https://stpcgdprod.table.core.chinacloudapi.cn/Pensioners"), clients.Pensioners.Uri);
    }

    [Fact]
    public void Validate_IncompleteDataConnection_NamesThePensionCertStorageSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["PensionCertStorage:blobServiceUri"] = "https://stpcgdprod.blob.core.windows.net",
        }).Build();
        var options = new StorageOptions();
        options.ReadConnection(StorageOptions.ConnectionSection(configuration));

        var errors = Errors(options);

        Assert.Contains(errors, e => e.Contains("'PensionCertStorage__queueServiceUri'", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("AzureWebJobsStorage", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_AccountNameOnly_PublicCloudEndpointsAndDefaultCredential()
    {
        var options = Bind(new() { ["AzureWebJobsStorage:accountName"] = "stpensioncert01" });

        Assert.Empty(Errors(options));
        Assert.Equal(new Uri("https://stpensioncert01.blob.core.windows.net"), options.ResolvedBlobServiceUri);
        Assert.Equal(new Uri("https://stpensioncert01.queue.core.windows.net"), options.ResolvedQueueServiceUri);
        Assert.Equal(new Uri("https://stpensioncert01.table.core.windows.net"), options.ResolvedTableServiceUri);
        Assert.False(options.UsesManagedIdentity);
        Assert.IsType<DefaultAzureCredential>(StorageCredentials.Create(options));
    }

    [Fact]
    public void Resolve_ExplicitUriAndAccountName_ExplicitUriWins()
    {
        var options = Bind(new()
        {
            ["AzureWebJobsStorage:accountName"] = "stpensioncert01",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://stpensioncert01.table.core.chinacloudapi.cn/",
        });

        Assert.Empty(Errors(options));
        Assert.Equal(new Uri("https://stpensioncert01.table.core.chinacloudapi.cn/"), options.ResolvedTableServiceUri);
        Assert.Equal(new Uri("https://stpensioncert01.blob.core.windows.net"), options.ResolvedBlobServiceUri);
    }

    [Fact]
    public void Resolve_ConnectionStringAndIdentitySettings_ConnectionStringWins()
    {
        var options = Bind(new()
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["AzureWebJobsStorage:accountName"] = "stpensioncert01",
        });

        Assert.True(options.UsesConnectionString);
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Resolve_CredentialCaseInsensitive_ManagedIdentity()
    {
        var options = Bind(new() { ["AzureWebJobsStorage:accountName"] = "stpc001", ["AzureWebJobsStorage:credential"] = "ManagedIdentity" });

        Assert.Empty(Errors(options));
        Assert.IsType<ManagedIdentityCredential>(StorageCredentials.Create(options));
    }

    [Fact]
    public void Validate_NothingConfigured_NamesTheSettingAndBothWays()
    {
        var error = Assert.Single(Errors(Bind([])));

        Assert.Contains("'AzureWebJobsStorage' is missing", error);
        Assert.Contains("UseDevelopmentStorage=true", error);
        Assert.Contains("'AzureWebJobsStorage__accountName'", error);
        Assert.Contains("'AzureWebJobsStorage__tableServiceUri'", error);
    }

    [Fact]
    public void Validate_TableUriMissing_NamesTableServiceUri()
    {
        var error = Assert.Single(Errors(Bind(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://stpc.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://stpc.queue.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
        })));

        Assert.Contains("'AzureWebJobsStorage__tableServiceUri'", error);
        Assert.DoesNotContain("blobServiceUri'", error);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:credential", "clientsecret", "AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage:clientId", "not-a-guid", "AzureWebJobsStorage__clientId")]
    [InlineData("AzureWebJobsStorage:blobServiceUri", "stpc.blob.core.windows.net", "AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "ftp://stpc.queue.core.windows.net", "AzureWebJobsStorage__queueServiceUri")]
    [InlineData("AzureWebJobsStorage:accountName", "St_PC", "AzureWebJobsStorage__accountName")]
    public void Validate_InvalidValue_NamesTheSetting(string key, string value, string setting)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://stpc.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://stpc.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://stpc.table.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = ClientId,
        };
        Assert.Empty(Errors(Bind(settings)));
        settings[key] = value;

        var error = Assert.Single(Errors(Bind(settings)));

        Assert.Contains($"'{setting}'", error);
    }

    [Fact]
    public void Start_MissingConnection_OptionsValidationExceptionNamesSetting()
    {
        using var provider = Provider([]);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("'AzureWebJobsStorage' is missing", ex.Message);
    }

    [Fact]
    public void Start_MaxRetriesOutOfRange_Fails()
    {
        using var provider = Provider(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["PensionCert:Storage:MaxRetries"] = "11" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("MaxRetries", ex.Message);
    }

    private static StorageOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new StorageOptions();
        configuration.GetSection(StorageOptions.SectionName).Bind(options);
        options.ReadConnection(configuration.GetSection(StorageOptions.ConnectionSettingName));
        return options;
    }

    private static List<string> Errors(StorageOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings) =>
        ProviderFor(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    private static ServiceProvider ProviderFor(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddPensionCertStorage();
        return services.BuildServiceProvider();
    }

    /// <summary>Reads real environment variables (under a per-test prefix), the way app settings reach the worker.</summary>
    private static ServiceProvider ProviderFromEnvironment(Dictionary<string, string> variables)
    {
        var prefix = $"PCTEST{Guid.NewGuid():N}_";
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(prefix + name, value);
        try
        {
            return ProviderFor(new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build());
        }
        finally
        {
            foreach (var name in variables.Keys) Environment.SetEnvironmentVariable(prefix + name, null);
        }
    }
}
