using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Http;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Start-up settings as Azure delivers them (app settings become environment variables): the identity-based storage
/// connection and Key Vault references. No network: options are validated and clients built, nothing is called.
/// </summary>
public sealed class StartupSettingsTests
{
    [Fact]
    public void OperatorSigningKey_UnresolvedKeyVaultReference_FailsStartUpNamingTheSetting()
    {
        using var provider = Provider(new()
        {
            ["PensionCert:OperatorAuth:Issuer"] = "https://login.example/pensioncert",
            ["PensionCert:OperatorAuth:Audience"] = "api://pensioncert",
            ["PensionCert:OperatorAuth:SigningKey"] = "@Microsoft.KeyVault(SecretUri=https://kv-pc.vault.azure.net/secrets/operator-signing-key/)",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OperatorAuthOptions>>().Value);

        Assert.Contains("'PensionCert:OperatorAuth:SigningKey' is an unresolved Key Vault reference", ex.Message);
    }

    [Theory]
    [InlineData("-5", "PensionCert:LocalHost:RequestTimeoutSeconds")]
    [InlineData("0", "PensionCert:LocalHost:RequestTimeoutSeconds")]
    public void LocalHost_RequestTimeoutOutOfRange_FailsStartUpNamingTheSetting(string value, string setting)
    {
        var ex = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => PensionCert.LocalHost.LocalHostApp.Build([], builder =>
            builder.Configuration["PensionCert:LocalHost:RequestTimeoutSeconds"] = value));

        Assert.Contains(setting, ex.Message);
    }

    [Fact]
    public void LocalHost_ExitOnListenerFailureNotABoolean_FailsStartUp()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => PensionCert.LocalHost.LocalHostApp.Build([], builder =>
            builder.Configuration["PensionCert:LocalHost:ExitOnListenerFailure"] = "sometimes"));

        Assert.Contains("ExitOnListenerFailure", ex.Message);
    }

    [Fact]
    public void OperatorAuth_AzureSettingsWithAuthority_Accepted()
    {
        using var provider = Provider(new()
        {
            ["PensionCert:OperatorAuth:Issuer"] = "https://login.example/pensioncert",
            ["PensionCert:OperatorAuth:Audience"] = "api://pensioncert",
            ["PensionCert:OperatorAuth:Authority"] = "https://login.example/pensioncert",
        });

        Assert.Equal("https://login.example/pensioncert", provider.GetRequiredService<IOptions<OperatorAuthOptions>>().Value.Authority);
    }

    [Fact]
    public void AzureAppSettings_IdentityBasedStorage_ClientsUseTheServiceUris()
    {
        using var provider = Provider(new()
        {
            ["AzureWebJobsStorage:accountName"] = "stpcprod",
            ["AzureWebJobsStorage:blobServiceUri"] = "https://stpcprod.blob.core.windows.net/",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://stpcprod.queue.core.windows.net/",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://stpcprod.table.core.windows.net/",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "0f4b3f0e-8c1d-4b59-9d55-6c1e2a3b4c5d",
        });

        var clients = provider.GetRequiredService<StorageClients>();

        Assert.Equal("https://stpcprod.blob.core.windows.net/reference-photos", clients.References.Uri.ToString());
        Assert.Equal("https://stpcprod.queue.core.windows.net/certification-verification", clients.VerificationQueue.Uri.ToString());
        Assert.Equal("https://stpcprod.table.core.windows.net/Certifications", clients.Certifications.Uri.ToString());
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddPensionCertHttpApi();
        services.AddPensionCertStorage();
        return services.BuildServiceProvider();
    }
}
