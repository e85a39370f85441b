using System.Net;
using System.Text.Json;
using Xunit.Abstractions;
using static PensionCert.Infra.Tests.BicepTemplates;

namespace PensionCert.Infra.Tests;

/// <summary>
/// The security posture of production, for both hosting profiles (main.prod.bicepparam on global Azure,
/// main.china.prod.bicepparam on Azure China): the parameter values a production deployment uses, and the template
/// wiring that turns them into public access off, private endpoints, audit logs kept at least 180 days in immutable
/// storage, purge protection, locks, encryption and backup. A change that weakens either fails here.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class PostureTests(BicepTemplates bicep, ITestOutputHelper output)
{
    public static TheoryData<string> ProductionFiles => new(ProductionParameterFiles);

    [Theory]
    [MemberData(nameof(ProductionFiles))]
    public void ProdParameters_PrivateNetworkPremiumServiceBusBureauOnlyOperators(string file)
    {
        Report(file);

        Assert.Equal("prod", bicep.Value(file, "environmentName").GetString());
        Assert.True(bicep.Value(file, "privateNetwork").GetBoolean());
        Assert.Equal("Premium", bicep.Value(file, "serviceBusSku").GetString());
        var bureau = StringArray(bicep.Value(file, "bureauNetworkCidrs"));
        Assert.NotEmpty(bureau);
        foreach (var cidr in bureau)
        {
            Assert.True(IPNetwork.TryParse(cidr, out var network), cidr);
            Assert.True(network.PrefixLength >= 8, $"{cidr} is not a bureau network");
        }
        Assert.Empty(StringArray(bicep.Value(file, "deploymentClientCidrs")));
    }

    [Theory]
    [MemberData(nameof(ProductionFiles))]
    public void ProdParameters_AuditKeptAtLeast180DaysImmutableAndLocked(string file)
    {
        Assert.True(bicep.Value(file, "auditRetentionDays").GetInt32() >= 180);
        Assert.True(bicep.Value(file, "logRetentionDays").GetInt32() >= 180);
        Assert.True(bicep.Value(file, "lockAuditImmutability").GetBoolean());
        Assert.Equal(180, bicep.Template.GetProperty("parameters").GetProperty("auditRetentionDays").GetProperty("minValue").GetInt32());
    }

    [Theory]
    [MemberData(nameof(ProductionFiles))]
    public void ProdParameters_KeysAndDataSurviveMistakes(string file)
    {
        Assert.True(bicep.Value(file, "enableKeyVaultPurgeProtection").GetBoolean());
        Assert.Equal(90, bicep.Value(file, "keyVaultSoftDeleteDays").GetInt32());
        Assert.True(bicep.Value(file, "enableResourceLocks").GetBoolean());
        Assert.True(bicep.Value(file, "customerManagedKey").GetBoolean());
        Assert.True(bicep.Value(file, "infrastructureEncryption").GetBoolean());
        Assert.True(bicep.Value(file, "zoneRedundant").GetBoolean());
        Assert.Contains(bicep.Value(file, "storageSku").GetString(), new[] { "Standard_ZRS", "Standard_GZRS" });
        Assert.True(bicep.Value(file, "enableBlobBackup").GetBoolean());
        Assert.True(bicep.Value(file, "backupRetentionDays").GetInt32() >= 180);
        var restore = bicep.Value(file, "pointInTimeRestoreDays").GetInt32();
        Assert.InRange(restore, 7, bicep.Value(file, "blobSoftDeleteDays").GetInt32() - 1);
    }

    [Theory]
    [MemberData(nameof(ProductionFiles))]
    public void ProdParameters_DataKeysFromTheTenantsPipeline_NoDefaultToRevertTo(string file)
    {
        // The values the pipeline gave (k1 still readable, k2 active after a rotation), not the template's ['k1'] / 'k1'.
        Assert.Equal(["k1", "k2"], StringArray(bicep.Value(file, "dataProtectionKeyIds")));
        Assert.Equal("k2", bicep.Value(file, "activeDataProtectionKeyId").GetString());
        var text = File.ReadAllText(Path.Combine(InfraDirectory, file));
        Assert.Contains("param dataProtectionKeyIds = split(readEnvironmentVariable('PENSIONCERT_DATA_KEY_IDS'), ',')", text);
        Assert.Contains("param activeDataProtectionKeyId = readEnvironmentVariable('PENSIONCERT_ACTIVE_DATA_KEY')", text);
    }

    [Theory]
    [MemberData(nameof(ProductionFiles))]
    public void ProdParameters_NoPlaceholderSettings(string file)
    {
        foreach (var name in new[] { "operatorTokenIssuer", "operatorTokenAudience", "operatorTokenAuthority", "alertEmail" })
        {
            var value = bicep.Value(file, name).GetString()!;
            Assert.False(string.IsNullOrWhiteSpace(value), name);
            Assert.Contains(value, ParameterEnvironment.Values);
        }
        // The file reads them from the environment with no default, so nothing is baked in.
        var text = File.ReadAllText(Path.Combine(InfraDirectory, file));
        Assert.DoesNotContain("example", text.Split('\n').Where(l => l.StartsWith("param ", StringComparison.Ordinal) || l.StartsWith("var ", StringComparison.Ordinal))
            .Select(l => l.Replace("contains(toLower(issuer), 'example')", "", StringComparison.Ordinal).Replace("contains(toLower(audience), 'example')", "", StringComparison.Ordinal)
                .Replace("contains(toLower(authority), 'example')", "", StringComparison.Ordinal)).Aggregate("", (a, l) => a + l));
    }

    [Theory]
    [InlineData("main.prod.bicepparam", "FlexConsumption", "StandardV2")]
    [InlineData("main.china.prod.bicepparam", "AzureChina", "Premium")]
    public void ProdParameters_HostingProfileAndGatewayTierOfTheCloud(string file, string profile, string gateway)
    {
        Assert.Equal(profile, bicep.Value(file, "hostingProfile").GetString());
        Assert.Equal(gateway, bicep.Value(file, "gatewaySku").GetString());
        if (profile == "AzureChina")
        {
            Assert.StartsWith("EP", bicep.Value(file, "chinaPlanSku").GetString());
            // Zone-redundant Elastic Premium needs three instances; Premium gateway units one per zone.
            Assert.True(bicep.Value(file, "alwaysReadyHttpInstances").GetInt32() >= 3);
            Assert.True(bicep.Value(file, "gatewayCapacity").GetInt32() >= 3);
        }
        // The instance ceiling comes from the load model (docs/deploy.md): a province needs 1-2 instances at its peak.
        Assert.InRange(bicep.Value(file, "maximumInstanceCount").GetInt32(), 4, 50);
    }

    [Fact]
    public void Template_PublicAccessOffWhenPrivate_StorageKeyVaultServiceBusFunctionApp()
    {
        var data = Resource(bicep.Module("storage"), "Microsoft.Storage/storageAccounts").GetProperty("properties");
        var host = Resource(bicep.Module("hostStorage"), "Microsoft.Storage/storageAccounts").GetProperty("properties");
        var vault = Resource(bicep.Module("keyVault"), "Microsoft.KeyVault/vaults").GetProperty("properties");
        var serviceBus = Resource(bicep.Module("serviceBus"), "Microsoft.ServiceBus/namespaces").GetProperty("properties");
        var audit = Resource(bicep.Module("auditStorage"), "Microsoft.Storage/storageAccounts").GetProperty("properties");

        foreach (var p in new[] { data, vault })
        {
            Assert.Equal("[if(parameters('privateNetwork'), 'Disabled', 'Enabled')]", p.GetProperty("publicNetworkAccess").GetString());
            Assert.Equal("[if(parameters('privateNetwork'), 'Deny', 'Allow')]", p.GetProperty("networkAcls").GetProperty("defaultAction").GetString());
            Assert.Empty(p.GetProperty("networkAcls").GetProperty("ipRules").EnumerateArray());
        }
        Assert.Equal("[if(parameters('privateNetwork'), 'Disabled', 'Enabled')]", serviceBus.GetProperty("publicNetworkAccess").GetString());
        Assert.Equal("[variables('publicAccess')]", host.GetProperty("publicNetworkAccess").GetString());
        Assert.Equal("[if(parameters('privateNetwork'), 'Deny', 'Allow')]", host.GetProperty("networkAcls").GetProperty("defaultAction").GetString());
        // The archive: trusted services (Azure Monitor) and, when private, the app's private endpoint only; no network rule opens it.
        Assert.Equal("[if(parameters('privateNetwork'), 'Deny', 'Allow')]", audit.GetProperty("networkAcls").GetProperty("defaultAction").GetString());
        Assert.Equal("AzureServices", audit.GetProperty("networkAcls").GetProperty("bypass").GetString());
        Assert.Empty(audit.GetProperty("networkAcls").GetProperty("ipRules").EnumerateArray());
        foreach (var module in new[] { "storage", "keyVault", "serviceBus", "functionApp", "hostStorage", "auditStorage" })
            Assert.Equal("[parameters('privateNetwork')]", bicep.ModuleParameter(module, "privateNetwork").GetString());
        foreach (var p in new[] { data, host, audit })
        {
            Assert.False(p.GetProperty("allowBlobPublicAccess").GetBoolean());
            Assert.Equal("TLS1_2", p.GetProperty("minimumTlsVersion").GetString());
        }
        Assert.Contains("fail('Service Bus private endpoints need the Premium tier", Variable(bicep.Module("serviceBus"), "tierCheck").GetString());
    }

    [Fact]
    public void Template_PrivateEndpointsForEveryService_AndTheSiteThroughTheGatewaysVnet()
    {
        var endpoints = Variable(bicep.Template, "privateEndpoints").GetString()!;
        var loop = Resources(bicep.Template).Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
            && r.TryGetProperty("copy", out var c) && c.GetProperty("name").GetString() == "servicePrivateEndpoints");
        var site = Resources(bicep.Template).Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == "pe-site");

        foreach (var (name, group) in new[] { ("data-blob", "blob"), ("data-queue", "queue"), ("data-table", "table"), ("host-blob", "blob"), ("host-queue", "queue"),
                     ("host-table", "table"), ("audit-blob", "blob"), ("vault", "vault"), ("servicebus", "namespace"), ("host-file", "file") })
            Assert.Matches($"createObject\\('name', '{name}', 'service', '[a-z]+', 'groupId', '{group}'", endpoints);
        Assert.Equal("[parameters('privateNetwork')]", loop.GetProperty("condition").GetString());
        Assert.Equal("[parameters('privateNetwork')]", site.GetProperty("condition").GetString());
        Assert.Equal("sites", site.GetProperty("properties").GetProperty("parameters").GetProperty("groupId").GetProperty("value").GetString());
        // The gateway joins the VNet (integration or injection) whenever the network is private.
        var gatewayDeployment = Resources(bicep.Template).Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == "gateway");
        Assert.Contains("if(parameters('privateNetwork')", gatewayDeployment.GetProperty("properties").GetProperty("parameters").GetProperty("subnetId").GetString());
        Assert.Contains("gatewaySubnetId", gatewayDeployment.GetProperty("properties").GetProperty("parameters").GetProperty("subnetId").GetString());
        var apim = Resource(bicep.Module("gateway"), "Microsoft.ApiManagement/service").GetProperty("properties");
        Assert.Equal("[if(empty(parameters('subnetId')), 'None', 'External')]", apim.GetProperty("virtualNetworkType").GetString());
    }

    [Fact]
    public void Template_AuditLogs_BlobReadsTablesKeyVaultServiceBusAppGateway_ToWorkspaceAndImmutableArchive()
    {
        var settings = new[] { "storage", "hostStorage", "keyVaultAudit", "serviceBus", "functionApp", "gateway" }
            .SelectMany(m => Resources(bicep.Module(m)).Where(r => r.GetProperty("type").GetString() == "Microsoft.Insights/diagnosticSettings").Select(r => (m, r)))
            .ToArray();
        var data = settings.Where(s => s.m == "storage").Select(s => s.r).ToArray();

        // Data account: blob, table and queue services, each read, write and delete.
        Assert.Equal(3, data.Length);
        foreach (var setting in data)
            Assert.Equal(["StorageRead", "StorageWrite", "StorageDelete"],
                Variable(bicep.Module("storage"), "auditLogs").EnumerateArray().Select(l => l.GetProperty("category").GetString()!));
        Assert.Contains(data, s => s.GetProperty("scope").GetString()!.Contains("blobServices", StringComparison.Ordinal));
        Assert.Contains(data, s => s.GetProperty("scope").GetString()!.Contains("tableServices", StringComparison.Ordinal));
        foreach (var module in new[] { "keyVaultAudit", "serviceBus", "functionApp", "gateway" })
            Assert.Contains(settings, s => s.m == module);
        // The vault's audit log is on the vault the app and the encryption keys use.
        Assert.Contains("'keyVault'", bicep.ModuleParameter("keyVaultAudit", "vaultName").GetString());
        Assert.Equal("audit", Resource(bicep.Module("keyVaultAudit"), "Microsoft.Insights/diagnosticSettings")
            .GetProperty("properties").GetProperty("logs")[0].GetProperty("categoryGroup").GetString());
        foreach (var (module, setting) in settings)
        {
            var properties = setting.GetProperty("properties");
            Assert.Equal("[parameters('workspaceId')]", properties.GetProperty("workspaceId").GetString());
            Assert.Equal("[parameters('archiveStorageId')]", properties.GetProperty("storageAccountId").GetString());
            Assert.Contains("auditStorage", bicep.ModuleParameter(module, "archiveStorageId").GetString());
        }
        var policy = Resource(bicep.Module("auditStorage"), "Microsoft.Storage/storageAccounts").GetProperty("properties").GetProperty("immutableStorageWithVersioning");
        Assert.True(policy.GetProperty("enabled").GetBoolean());
        Assert.Equal("[parameters('retentionDays')]", policy.GetProperty("immutabilityPolicy").GetProperty("immutabilityPeriodSinceCreationInDays").GetString());
        Assert.True(policy.GetProperty("immutabilityPolicy").GetProperty("allowProtectedAppendWrites").GetBoolean());
        Assert.Equal("[if(parameters('lockImmutability'), 'Locked', 'Unlocked')]", policy.GetProperty("immutabilityPolicy").GetProperty("state").GetString());
        Assert.Equal("[parameters('auditRetentionDays')]", bicep.ModuleParameter("auditStorage", "retentionDays").GetString());
    }

    [Fact]
    public void Template_DataSurvivesMistakes_VersioningRestoreBackupLocksEncryption()
    {
        var storage = bicep.Module("storage");
        var blob = Resource(storage, "Microsoft.Storage/storageAccounts/blobServices").GetProperty("properties");
        var account = Resource(storage, "Microsoft.Storage/storageAccounts").GetProperty("properties");
        var vault = Resource(bicep.Module("keyVault"), "Microsoft.KeyVault/vaults").GetProperty("properties");
        var deployments = Resources(bicep.Template).Where(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments").ToArray();

        Assert.True(blob.GetProperty("isVersioningEnabled").GetBoolean());
        Assert.True(blob.GetProperty("changeFeed").GetProperty("enabled").GetBoolean());
        Assert.True(blob.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean());
        Assert.Contains("parameters('pointInTimeRestoreDays')", blob.GetProperty("restorePolicy").GetString());
        Assert.Equal("[parameters('infrastructureEncryption')]", account.GetProperty("encryption").GetProperty("requireInfrastructureEncryption").GetString());
        Assert.Equal("[if(variables('useCmk'), 'Microsoft.Keyvault', 'Microsoft.Storage')]", account.GetProperty("encryption").GetProperty("keySource").GetString());
        Assert.Equal("Account", account.GetProperty("encryption").GetProperty("services").GetProperty("table").GetProperty("keyType").GetString());
        Assert.Equal("[if(parameters('enablePurgeProtection'), true(), null())]", vault.GetProperty("enablePurgeProtection").GetString());
        Assert.Equal("[parameters('enableBlobBackup')]", deployments.Single(d => d.GetProperty("name").GetString() == "backup").GetProperty("condition").GetString());
        Assert.Equal("[parameters('enableResourceLocks')]", deployments.Single(d => d.GetProperty("name").GetString() == "locks").GetProperty("condition").GetString());
        // Data account, archive, vault, Service Bus, workspace; and the backup vault when backups are on.
        var locks = Resources(bicep.Module("locks")).Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/locks").ToArray();
        Assert.Equal(6, locks.Length);
        Assert.Contains(locks, l => l.GetProperty("scope").GetString()!.Contains("Microsoft.OperationalInsights/workspaces", StringComparison.Ordinal));
        var backupLock = locks.Single(l => l.GetProperty("scope").GetString()!.Contains("Microsoft.DataProtection/backupVaults", StringComparison.Ordinal));
        Assert.Equal("[not(empty(parameters('backupVaultName')))]", backupLock.GetProperty("condition").GetString());
        Assert.StartsWith("[if(parameters('enableBlobBackup')", bicep.ModuleParameterText("locks", "backupVaultName"));
        Assert.Contains("'monitoring'", bicep.ModuleParameterText("locks", "workspaceName"));
        Assert.All(Resources(bicep.Module("locks")).Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/locks"),
            l => Assert.Equal("CanNotDelete", l.GetProperty("properties").GetProperty("level").GetString()));
        Assert.Contains("reference-photos", bicep.ModuleParameter("backup", "containers").GetRawText());
    }

    [Fact]
    public void Template_CustomerManagedKeys_DataAccountAndArchive_EachItsOwnKeyAndIdentity_NoDependencyCycle()
    {
        var deployments = Resources(bicep.Template).Where(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            .ToDictionary(d => d.GetProperty("name").GetString()!);
        string[] DependsOn(string module) => deployments[module].TryGetProperty("dependsOn", out var d) ? StringArray(d) : [];

        // Two keys, two identities, both only with customerManagedKey.
        foreach (var (module, keyName, identity) in new[] { ("dataCmkKey", "storage-cmk", "cmkIdentity"), ("auditCmkKey", "audit-cmk", "auditCmkIdentity") })
        {
            Assert.Equal("[parameters('customerManagedKey')]", deployments[module].GetProperty("condition").GetString());
            Assert.Equal("[parameters('customerManagedKey')]", deployments[identity].GetProperty("condition").GetString());
            Assert.Equal(keyName, bicep.ModuleParameter(module, "keyName").GetString());
            Assert.Contains($"'{identity}'", bicep.ModuleParameter(module, "principalId").GetString());
            Assert.Contains("'keyVault'", bicep.ModuleParameter(module, "vaultName").GetString());
        }
        Assert.Equal("[format('id-pensioncert-{0}-audit-cmk', variables('suffix'))]", bicep.ModuleParameter("auditCmkIdentity", "name").GetString());

        // The key module: RSA 3072 with yearly rotation; Crypto Service Encryption User on the key itself, nothing wider.
        var keyModule = bicep.Module("auditCmkKey");
        var key = Resource(keyModule, "Microsoft.KeyVault/vaults/keys").GetProperty("properties");
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal(3072, key.GetProperty("keySize").GetInt32());
        Assert.Equal("P1Y", key.GetProperty("rotationPolicy").GetProperty("lifetimeActions")[0].GetProperty("trigger").GetProperty("timeAfterCreate").GetString());
        var access = Resource(keyModule, "Microsoft.Authorization/roleAssignments");
        Assert.Contains("e147488a-f6f5-4113-8e2d-b22465e65bf6", access.GetProperty("properties").GetProperty("roleDefinitionId").GetString());
        Assert.StartsWith("[resourceId('Microsoft.KeyVault/vaults/keys'", access.GetProperty("scope").GetString());
        // The account waits for the grant: the key name output goes through the role assignment.
        Assert.Contains("Microsoft.Authorization/roleAssignments", keyModule.GetProperty("outputs").GetProperty("name").GetProperty("value").GetString());

        // Each account: its own key and identity, from the same vault.
        foreach (var (account, keyModuleName, identity) in new[] { ("storage", "dataCmkKey", "cmkIdentity"), ("auditStorage", "auditCmkKey", "auditCmkIdentity") })
        {
            Assert.Contains($"'{keyModuleName}'", bicep.ModuleParameterText(account, "cmkKeyName"));
            Assert.Contains($"'{identity}'", bicep.ModuleParameterText(account, "cmkIdentityId"));
            Assert.Contains("'keyVault'", bicep.ModuleParameterText(account, "cmkKeyVaultUri"));
            Assert.StartsWith("[if(parameters('customerManagedKey')", bicep.ModuleParameterText(account, "cmkKeyVaultUri"));
            Assert.StartsWith("[if(parameters('customerManagedKey')", bicep.ModuleParameterText(account, "cmkKeyName"));
            Assert.Equal("[parameters('infrastructureEncryption')]", bicep.ModuleParameter(account, "infrastructureEncryption").GetString());
            var encryption = Resource(bicep.Module(account), "Microsoft.Storage/storageAccounts").GetProperty("properties").GetProperty("encryption");
            Assert.Equal("[if(variables('useCmk'), 'Microsoft.Keyvault', 'Microsoft.Storage')]", encryption.GetProperty("keySource").GetString());
            Assert.Equal("[parameters('infrastructureEncryption')]", encryption.GetProperty("requireInfrastructureEncryption").GetString());
            Assert.Contains("parameters('cmkKeyName')", encryption.GetProperty("keyvaultproperties").GetString());
            Assert.Contains("parameters('cmkIdentityId')", encryption.GetProperty("identity").GetString());
            Assert.Equal("[not(empty(parameters('cmkKeyVaultUri')))]", Variable(bicep.Module(account), "useCmk").GetString());
        }
        Assert.NotEqual(bicep.ModuleParameterText("storage", "cmkKeyName"), bicep.ModuleParameterText("auditStorage", "cmkKeyName"));

        // The order that breaks the former cycle: vault -> keys -> archive -> the vault's audit log (into the archive).
        Assert.DoesNotContain(DependsOn("keyVault"), d => d.Contains("'auditStorage'", StringComparison.Ordinal));
        Assert.DoesNotContain(Resources(bicep.Module("keyVault")), r => r.GetProperty("type").GetString() == "Microsoft.Insights/diagnosticSettings");
        Assert.Contains(DependsOn("auditStorage"), d => d.Contains("'auditCmkKey'", StringComparison.Ordinal));
        Assert.Contains(DependsOn("keyVaultAudit"), d => d.Contains("'auditStorage'", StringComparison.Ordinal));

        // Azure Storage accepts a customer-managed key only from a vault with purge protection: refused before anything is created.
        Assert.Contains("customerManagedKey needs enableKeyVaultPurgeProtection", Variable(bicep.Template, "encryptionErrors").GetString());
        Assert.Contains("variables('encryptionErrors')", Variable(bicep.Template, "deploymentErrors").GetString());
    }

    [Fact]
    public void Template_AuditArchive_ItsOwnReadsWritesDeletes_LoggedToTheWorkspace()
    {
        var setting = Resource(bicep.Module("auditStorage"), "Microsoft.Insights/diagnosticSettings");
        var properties = setting.GetProperty("properties");

        Assert.Contains("blobServices", setting.GetProperty("scope").GetString());
        Assert.Equal("[parameters('workspaceId')]", properties.GetProperty("workspaceId").GetString());
        Assert.Contains("'monitoring'", bicep.ModuleParameter("auditStorage", "workspaceId").GetString());
        // Not into the archive itself (every write would be logged into it again).
        Assert.False(properties.TryGetProperty("storageAccountId", out _));
        Assert.Equal(["StorageRead", "StorageWrite", "StorageDelete"],
            properties.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("category").GetString()!));
    }

    [Fact]
    public void Gateway_RateLimitsPerClientPerPensionerAndBureauOnlyOperatorRoutes()
    {
        var gateway = bicep.Module("gateway");
        var client = Variable(gateway, "clientPolicy").GetString()!;
        var operatorPolicy = Variable(gateway, "operatorPolicy").GetString()!;
        var operations = Resources(gateway).Single(r => r.GetProperty("type").GetString() == "Microsoft.ApiManagement/service/apis/operations"
            && r.GetProperty("name").GetString()!.Contains("operator", StringComparison.Ordinal));

        Assert.Contains("<rate-limit-by-key calls=\"PER_CLIENT\"", client);
        Assert.Contains("<quota-by-key calls=\"PER_DAY\"", client);
        Assert.Contains("counter-key=\"@(\"client-pensioner:\" + PENSIONER_KEY)\"", client);
        Assert.Contains("<inbound>\n    BUREAU_ONLY\n    <base />", operatorPolicy.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Contains("<ip-filter action=\"allow\">", Variable(gateway, "bureauOnly").GetString());
        Assert.Contains("counter-key=\"@(OPERATOR_KEY)\"", operatorPolicy);
        Assert.Equal("/*", operations.GetProperty("properties").GetProperty("urlTemplate").GetString());
        Assert.Contains("x-functions-key", Variable(gateway, "clientKey").GetString());
        Assert.Contains("pensioners/([^/]+)", Variable(gateway, "pensionerKey").GetString());
        Assert.Contains("/pensioners/{pensionerId}/eligibility", DefaultValue(bicep.Template, "gatewayClientOperations").GetRawText());
        Assert.Contains("/certifications", DefaultValue(bicep.Template, "gatewayClientOperations").GetRawText());
        // The pages: /h5/ for pensioners, /console/ for operators (bureau network only), from the private host account.
        var pages = Variable(gateway, "pages");
        Assert.Equal(["h5", "console"], pages.EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        Assert.Contains("authentication-managed-identity", Variable(gateway, "pagesPolicy").GetString());
        Assert.Contains("frame-ancestors 'none'", Variable(gateway, "pageCsp").GetString());
        Assert.Contains("<set-header name=\"Content-Security-Policy\"", Variable(gateway, "pagesPolicy").GetString());
    }

    [Fact]
    public void Gateway_Tls12Minimum_WeakCiphersOffOnTheClassicTiersOfAzureChina()
    {
        var gateway = bicep.Module("gateway");
        var protocols = Variable(gateway, "tlsProtocols");
        var ciphers = Variable(gateway, "tlsCiphers");
        const string prefix = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.";

        // SSL 3.0, TLS 1.0 and 1.1 off towards clients and backends.
        foreach (var side in new[] { "", "Backend." })
            foreach (var protocol in new[] { "Ssl30", "Tls10", "Tls11" })
                Assert.Equal("False", protocols.GetProperty($"{prefix}{side}Protocols.{protocol}").GetString());
        // 3DES, RSA key exchange (no forward secrecy) and CBC suites off; ECDHE with AES-GCM is all that is left.
        var off = ciphers.EnumerateObject().Where(c => c.Value.GetString() == "False").Select(c => c.Name[(prefix + "Ciphers.").Length..]).ToArray();
        Assert.Equal(11, ciphers.EnumerateObject().Count());
        Assert.Contains("TripleDes168", off);
        Assert.All(off.Where(c => c != "TripleDes168"), c => Assert.True(c.StartsWith("TLS_RSA_", StringComparison.Ordinal) || c.EndsWith("_CBC_SHA", StringComparison.Ordinal), c));
        Assert.Equal(6, off.Count(c => c.StartsWith("TLS_RSA_", StringComparison.Ordinal)));
        Assert.DoesNotContain(off, c => c.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) && c.Contains("_GCM_", StringComparison.Ordinal));
        // Sent to the classic tiers only: the v2 tiers refuse changes to the cipher configuration.
        var service = Resource(gateway, "Microsoft.ApiManagement/service").GetProperty("properties");
        Assert.Equal("[union(variables('tlsProtocols'), if(variables('isV2'), createObject(), variables('tlsCiphers')))]", service.GetProperty("customProperties").GetString());
        Assert.Equal("[equals(parameters('skuName'), 'StandardV2')]", Variable(gateway, "isV2").GetString());
    }

    private void Report(string file)
    {
        foreach (var p in bicep.ParameterValues(file).EnumerateObject())
            output.WriteLine($"{p.Name} = {p.Value.GetProperty("value").GetRawText()}");
    }
}
