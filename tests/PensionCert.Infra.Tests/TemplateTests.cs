using System.Text.Json;
using PensionCert.Core.Definitions;
using PensionCert.Core.Identity;
using PensionCert.Http;
using PensionCert.Infrastructure;
using Xunit.Abstractions;
using static PensionCert.Infra.Tests.BicepTemplates;

namespace PensionCert.Infra.Tests;

/// <summary>
/// infra/main.bicep builds and lints clean with the Bicep CLI, and the compiled ARM template provisions what the
/// application expects: the names of its C# constants, identity-based connections with the setting names its
/// options read, Key Vault references for secrets, the built-in roles, Flex Consumption with .NET 10, and alerts.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class TemplateTests(BicepTemplates bicep, ITestOutputHelper output)
{
    private static readonly string[] RequiredRoles =
    [
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner (host account only)
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe", // Storage Blob Data Contributor (photo containers)
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor (per table)
        "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", // Azure Service Bus Data Sender
        "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
    ];

    [Fact]
    public void BicepCli_FromNuGetPackage_RunsTheConfiguredVersion()
    {
        Assert.Equal(0, bicep.Version.ExitCode);
        Assert.Contains($"Bicep CLI version {BicepVersion} ", bicep.Version.StandardOutput);
    }

    [Fact]
    public void Build_MainBicep_NoErrorsOrWarnings()
    {
        Report(bicep.Build);

        Assert.Equal(0, bicep.Build.ExitCode);
        Assert.Empty(bicep.Build.Errors);
        Assert.Empty(bicep.Build.Warnings);
        Assert.Equal(JsonValueKind.Object, bicep.Template.ValueKind);
    }

    [Fact]
    public void Lint_MainBicep_NoErrorsOrWarnings()
    {
        Report(bicep.Lint);

        Assert.Equal(0, bicep.Lint.ExitCode);
        Assert.Empty(bicep.Lint.Diagnostics);
    }

    [Fact]
    public void BicepConfig_UseRecentApiVersions_IsOn()
    {
        var config = File.ReadAllText(Path.Combine(InfraDirectory, "bicepconfig.json"));

        Assert.Matches(@"""use-recent-api-versions"":\s*\{\s*""level"":\s*""(warning|error)""", config);
    }

    [Theory]
    [InlineData("main.dev.bicepparam")]
    [InlineData("main.prod.bicepparam")]
    [InlineData("main.china.dev.bicepparam")]
    [InlineData("main.china.prod.bicepparam")]
    public void Parameters_BuildAndLintClean_NoSecretValues(string file)
    {
        var (build, lint) = bicep.Parameters[file];
        Report(build);
        Report(lint);

        Assert.Equal(0, build.ExitCode);
        Assert.Empty(build.Diagnostics);
        Assert.Equal(0, lint.ExitCode);
        Assert.Empty(lint.Diagnostics);
        using var parameters = JsonDocument.Parse(JsonDocument.Parse(build.StandardOutput).RootElement.GetProperty("parametersJson").GetString()!);
        var values = parameters.RootElement.GetProperty("parameters");
        Assert.Equal("gd", values.GetProperty("tenantCode").GetProperty("value").GetString());
        // No secret is a parameter any more: the hash key and the data keys are created once, outside the template.
        Assert.DoesNotContain(values.EnumerateObject(), p => p.Name.Contains("Key", StringComparison.Ordinal) && p.Name != "customerManagedKey"
            && !p.Name.StartsWith("activeDataProtectionKey", StringComparison.Ordinal) && !p.Name.StartsWith("dataProtectionKeyIds", StringComparison.Ordinal)
            && !p.Name.StartsWith("enableKeyVault", StringComparison.Ordinal) && !p.Name.StartsWith("keyVault", StringComparison.Ordinal));
        Assert.False(bicep.Template.GetProperty("parameters").TryGetProperty("identityHashKey", out _));
        Assert.False(bicep.Template.GetProperty("parameters").TryGetProperty("dataProtectionKey", out _));
    }

    [Theory]
    [InlineData("main.prod.bicepparam")]
    [InlineData("main.china.prod.bicepparam")]
    public async Task ProdParameters_WithoutTenant_Refused(string file)
    {
        var run = await RunAsync(new Dictionary<string, string>(), "build-params", file, "--stdout");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Errors, e => e.Contains("PENSIONCERT_TENANT", StringComparison.Ordinal));
        Assert.Contains(run.Errors, e => e.Contains("PENSIONCERT_OPERATOR_ISSUER", StringComparison.Ordinal));
        Assert.Contains(run.Errors, e => e.Contains("PENSIONCERT_BUREAU_CIDRS", StringComparison.Ordinal));
        // A redeploy that does not say which data keys are in use is refused, rather than reverting a rotation to k1.
        Assert.Contains(run.Errors, e => e.Contains("PENSIONCERT_DATA_KEY_IDS", StringComparison.Ordinal));
        Assert.Contains(run.Errors, e => e.Contains("PENSIONCERT_ACTIVE_DATA_KEY", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("main.prod.bicepparam", "PENSIONCERT_OPERATOR_ISSUER", "https://login.example.gov.cn/pensioncert")]
    [InlineData("main.china.prod.bicepparam", "PENSIONCERT_OPERATOR_AUDIENCE", "api://placeholder")]
    public async Task ProdParameters_PlaceholderOperatorSettings_Refused(string file, string variable, string placeholder)
    {
        var environment = new Dictionary<string, string>(ParameterEnvironment) { [variable] = placeholder };

        var run = await RunAsync(environment, "build-params", file, "--stdout");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Errors, e => e.Contains(variable, StringComparison.Ordinal) && e.Contains("placeholder", StringComparison.Ordinal));
    }

    [Fact]
    public void MainBicep_ProdPostureAndPlaceholders_FailTheDeployment()
    {
        var check = Variable(bicep.Template, "postureCheck").GetString()!;
        var posture = Variable(bicep.Template, "postureErrors").GetString()!;
        var placeholders = StringArray(Variable(bicep.Template, "placeholderMarkers"));

        Assert.Contains("fail(format('PensionCert deployment refused: {0}'", check);
        Assert.Contains("variables('deploymentErrors')", check);
        Assert.Equal("[equals(parameters('environmentName'), 'prod')]", Variable(bicep.Template, "isProd").GetString());
        foreach (var rule in new[] { "operator-token settings are placeholders", "privateNetwork must be true", "serviceBusSku must be Premium",
                     "enableKeyVaultPurgeProtection must be true", "bureauNetworkCidrs", "lockAuditImmutability must be true", "alertEmail is required",
                     "logRetentionDays must be at least 180", "customerManagedKey must be true" })
            Assert.Contains(rule, posture);
        Assert.Equal(["example", "localhost", "placeholder", "changeme", "todo"], placeholders);
        // The check is part of every resource's tags, so ARM evaluates it before creating anything.
        Assert.Contains("variables('postureCheck')", Variable(bicep.Template, "tags").GetProperty("posture").GetString());
        Assert.Contains("Flex Consumption is not offered on Azure China", Variable(bicep.Template, "cloudErrors").GetString());
        Assert.Contains("is not in dataProtectionKeyIds", Variable(bicep.Template, "keyErrors").GetString());
    }

    [Fact]
    public void StorageAccount_SharedKeyOffTls12NoPublicBlobAccess()
    {
        var account = Resource(bicep.Module("storage"), "Microsoft.Storage/storageAccounts").GetProperty("properties");

        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
        Assert.True(account.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.True(account.GetProperty("defaultToOAuthAuthentication").GetBoolean());
    }

    [Fact]
    public void Storage_ContainersQueuesTables_EqualTheCSharpConstants()
    {
        var storage = bicep.Module("storage");

        Assert.Equal([StorageNames.ReferencePhotosContainer, StorageNames.SelfiesContainer, StorageNames.SessionFramesContainer], StringArray(Variable(storage, "photoContainers")));
        Assert.Equal(StorageNames.SelfiesContainer, Variable(storage, "selfiesContainer").GetString());
        Assert.Equal([QueueNames.Verification, QueueNames.Events, QueueNames.CycleScanItems], StringArray(Variable(storage, "queues")));
        Assert.Equal(
            [StorageNames.PensionersTable, StorageNames.PensionerIdentitiesTable, StorageNames.CertificationsTable, StorageNames.IdempotencyTable,
             StorageNames.OperatorAuditTable, StorageNames.SelfieRetentionTable, StorageNames.ReviewCasesTable,
             StorageNames.CycleDueIndexTable, StorageNames.OutboxIndexTable, StorageNames.RegionPensionersTable, StorageNames.PaymentChangesTable,
             StorageNames.InFlightCertificationsTable, StorageNames.CycleExceptionsTable, StorageNames.EventSinkIdsTable,
             StorageNames.CertificationSessionsTable,
             StorageNames.HomeVisitsTable, StorageNames.FamilyHelpersTable, StorageNames.AssistedApprovalsTable, StorageNames.CycleScanItemsTable,
             StorageNames.PendingPhotoUploadsTable],
            StringArray(Variable(storage, "tables")));
    }

    [Fact]
    public void Storage_EveryTableAndContainerTheAppNames_IsCreated()
    {
        // The app does not create storage in Azure (CreateResources=false): a new constant without Bicep would fail there.
        var storage = bicep.Module("storage");
        var constants = typeof(StorageNames).GetFields().Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

        foreach (var (name, value) in constants.Where(c => c.Key.EndsWith("Table", StringComparison.Ordinal)))
            Assert.True(StringArray(Variable(storage, "tables")).Contains(value), $"StorageNames.{name} ({value}) is not in infra/modules/storage.bicep");
        // The table export's container is in the audit archive, not the data account.
        Assert.Equal(StorageNames.TableExportsContainer, bicep.ModuleParameter("auditStorage", "tableExportsContainer").GetString());
        foreach (var (name, value) in constants.Where(c => c.Key.EndsWith("Container", StringComparison.Ordinal) && c.Key != nameof(StorageNames.TableExportsContainer)))
            Assert.True(StringArray(Variable(storage, "photoContainers")).Contains(value), $"StorageNames.{name} ({value}) is not in infra/modules/storage.bicep");
    }

    [Fact]
    public void Gateway_ClientOperations_AreExactlyTheNonOperatorEndpoints()
    {
        var operations = DefaultValue(bicep.Template, "gatewayClientOperations").EnumerateArray()
            .Select(o => $"{o.GetProperty("method").GetString()} /{o.GetProperty("template").GetString()!.TrimStart('/')}").Order().ToArray();
        var open = HttpEndpoints.All.Where(e => e.Access != ApiAccess.Operator).Select(e => $"{e.Method} /{e.Route}").Order().ToArray();

        Assert.Equal(open, operations);
        Assert.DoesNotContain(HttpEndpoints.All.Where(e => e.Access == ApiAccess.Operator), e => operations.Contains($"{e.Method} /{e.Route}"));
    }

    [Fact]
    public void Storage_ContainersPrivate_QueuesWithPoisonQueues()
    {
        var storage = bicep.Module("storage");
        var containers = Resource(storage, "Microsoft.Storage/storageAccounts/blobServices/containers");
        var queues = Resource(storage, "Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal("None", containers.GetProperty("properties").GetProperty("publicAccess").GetString());
        Assert.Equal("[length(variables('photoContainers'))]", containers.GetProperty("copy").GetProperty("count").GetString());
        Assert.Contains("-poison", queues.GetProperty("copy").GetProperty("count").GetString());
        Assert.Contains("variables('queues')", queues.GetProperty("copy").GetProperty("count").GetString());
    }

    [Fact]
    public void Storage_LifecycleRule_DeletesSelfiesAfterRetentionDefault30Days()
    {
        var rule = Resource(bicep.Module("storage"), "Microsoft.Storage/storageAccounts/managementPolicies")
            .GetProperty("properties").GetProperty("policy").GetProperty("rules")[0].GetProperty("definition");

        Assert.Contains("variables('selfiesContainer')", rule.GetProperty("filters").GetProperty("prefixMatch")[0].GetString());
        Assert.Equal("[parameters('selfieRetentionDays')]",
            rule.GetProperty("actions").GetProperty("baseBlob").GetProperty("delete").GetProperty("daysAfterCreationGreaterThan").GetString());
        Assert.Equal(30, DefaultValue(bicep.Template, "selfieRetentionDays").GetInt32());
        Assert.Equal("[parameters('selfieRetentionDays')]", bicep.ModuleParameter("storage", "selfieRetentionDays").GetString());
    }

    [Fact]
    public void ServiceBus_TopicAndSubscriptions_EqualServiceBusNamesWithDuplicateDetection()
    {
        var serviceBus = bicep.Module("serviceBus");
        var topic = Resource(serviceBus, "Microsoft.ServiceBus/namespaces/topics").GetProperty("properties");
        var ns = Resource(serviceBus, "Microsoft.ServiceBus/namespaces").GetProperty("properties");

        Assert.Equal(ServiceBusNames.EventsTopic, Variable(serviceBus, "topicName").GetString());
        Assert.Equal(ServiceBusNames.Subscriptions, StringArray(Variable(serviceBus, "subscriptions")));
        Assert.True(topic.GetProperty("requiresDuplicateDetection").GetBoolean());
        Assert.True(ns.GetProperty("disableLocalAuth").GetBoolean());
    }

    [Fact]
    public void KeyVault_RbacAuthorizationAndSoftDelete()
    {
        var vault = Resource(bicep.Module("keyVault"), "Microsoft.KeyVault/vaults").GetProperty("properties");

        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.GetProperty("enableSoftDelete").GetBoolean());
        Assert.False(vault.TryGetProperty("accessPolicies", out _));
    }

    [Fact]
    public void Roles_LeastPrivilege_PerContainerPerTableAppendOnlyAuditNoStandingHumanAccess()
    {
        var roles = bicep.Module("roles");
        var definitions = Variable(roles, "roles").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var assignments = Resources(roles).Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").ToArray();
        string Role(JsonElement a) => a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;

        foreach (var role in RequiredRoles) Assert.Contains(role, definitions.Values);
        foreach (var assignment in assignments)
        {
            Assert.StartsWith("[guid(", assignment.GetProperty("name").GetString()!);
            Assert.Equal("[parameters('principalId')]", assignment.GetProperty("properties").GetProperty("principalId").GetString());
        }
        // Data account: Blob Data Contributor per photo container, Table Data Contributor per table except OperatorAudit.
        var photo = assignments.Single(a => Role(a).Contains("storageBlobDataContributor", StringComparison.Ordinal));
        Assert.Equal("[length(parameters('photoContainers'))]", photo.GetProperty("copy").GetProperty("count").GetString());
        var tables = assignments.Single(a => Role(a).Contains("storageTableDataContributor", StringComparison.Ordinal) && a.TryGetProperty("copy", out var c)
            && c.GetProperty("count").GetString()!.Contains("dataTables", StringComparison.Ordinal));
        Assert.Contains("filter(parameters('tables')", Variable(roles, "dataTables").GetString());
        Assert.Contains("parameters('auditTable')", Variable(roles, "dataTables").GetString());
        Assert.Equal(StorageNames.OperatorAuditTable, bicep.ModuleParameter("roles", "auditTable").GetString());
        // Blob Data Owner only on the host account (the Functions host), never on the data account.
        Assert.Equal(["roles.storageBlobDataOwner", "roles.storageQueueDataContributor", "roles.storageTableDataContributor"],
            Variable(roles, "hostStorageRoles").EnumerateArray().Select(e => e.GetString()!.Replace("[variables('roles').", "roles.", StringComparison.Ordinal).TrimEnd(']')));
        var owner = assignments.Single(a => a.TryGetProperty("copy", out var c) && c.GetProperty("count").GetString()!.Contains("hostStorageRoles", StringComparison.Ordinal));
        Assert.Contains("parameters('hostStorageName')", owner.GetProperty("scope").GetString());
        // The operator audit: a custom role that can read and insert entities, nothing else.
        var appender = RoleDefinition(roles, "pensioncert-audit-appender").GetProperty("properties").GetProperty("permissions")[0];
        Assert.Equal(
            ["Microsoft.Storage/storageAccounts/tableServices/tables/entities/read", "Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action"],
            StringArray(appender.GetProperty("dataActions")));
        Assert.DoesNotContain(StringArray(appender.GetProperty("dataActions")), a => a.EndsWith("/write", StringComparison.Ordinal) || a.EndsWith("/delete", StringComparison.Ordinal) || a.Contains("update", StringComparison.Ordinal));
        var audit = assignments.Single(a => Role(a).Contains("roleDefinitions', guid(resourceGroup().id, 'pensioncert-audit-appender')", StringComparison.Ordinal));
        Assert.Contains("auditTable", audit.GetProperty("scope").GetString());
        // Service Bus: sender on the topic only; Key Vault: Secrets User; no Secrets Officer for anyone.
        Assert.Contains(assignments, a => Role(a).Contains("serviceBusDataSender", StringComparison.Ordinal) && a.GetProperty("scope").GetString()!.Contains("topicName", StringComparison.Ordinal));
        Assert.DoesNotContain("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", bicep.Template.GetRawText()); // Key Vault Secrets Officer
        Assert.False(bicep.Template.GetProperty("parameters").TryGetProperty("keyVaultOfficerPrincipalId", out _));
        var principal = bicep.ModuleParameter("roles", "principalId").GetString()!;
        Assert.Contains("'identity')", principal);
    }

    [Fact]
    public void TableExport_ContainerInTheImmutableArchive_CreateOnlyRoleOnItAlone_AppSettingsTheOptionsRead()
    {
        // The container, in the archive account whose account-level immutability (versioning + WORM) covers it.
        var audit = bicep.Module("auditStorage");
        var container = Resource(audit, "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('tableExportsContainer'))]", container.GetProperty("name").GetString());
        Assert.Equal("None", container.GetProperty("properties").GetProperty("publicAccess").GetString());
        var account = Resource(audit, "Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.True(account.GetProperty("immutableStorageWithVersioning").GetProperty("enabled").GetBoolean());
        Assert.Equal("[parameters('retentionDays')]", account.GetProperty("immutableStorageWithVersioning").GetProperty("immutabilityPolicy").GetProperty("immutabilityPeriodSinceCreationInDays").GetString());
        Assert.True(Resource(audit, "Microsoft.Storage/storageAccounts/blobServices").GetProperty("properties").GetProperty("isVersioningEnabled").GetBoolean());

        // The app's identity: a custom role that reads and writes blobs but cannot delete, on that container only.
        var roles = bicep.Module("roles");
        var writer = RoleDefinition(roles, "pensioncert-table-export-writer").GetProperty("properties").GetProperty("permissions")[0];
        Assert.Equal(
            ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
             "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action"],
            StringArray(writer.GetProperty("dataActions")));
        Assert.DoesNotContain(StringArray(writer.GetProperty("dataActions")), a => a.Contains("delete", StringComparison.Ordinal) || a.Contains("immutab", StringComparison.Ordinal));
        var assignment = Resources(roles).Single(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
            && r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Contains("pensioncert-table-export-writer", StringComparison.Ordinal));
        var scope = assignment.GetProperty("scope").GetString()!;
        Assert.StartsWith("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers'", scope);
        Assert.Contains("parameters('auditStorageName')", scope);
        Assert.Contains("parameters('tableExportsContainer')", scope);
        Assert.Contains("'auditStorage'", bicep.ModuleParameter("roles", "auditStorageName").GetString());
        Assert.Contains("'auditStorage'", bicep.ModuleParameter("roles", "tableExportsContainer").GetString());
        Assert.Single(Resources(roles), r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
            && r.GetProperty("scope").GetString()!.Contains("auditStorageName", StringComparison.Ordinal));

        // The archive connection, identity-based, with the names TableExportOptions reads.
        var settings = Variable(bicep.Module("functionApp"), "auditArchiveSettings");
        Assert.Equal(new[] { "blobServiceUri", "credential", "clientId" }.Select(n => $"{PensionCert.Infrastructure.TableExport.TableExportOptions.ConnectionSettingName}__{n}").Order(),
            settings.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("[parameters('auditBlobEndpoint')]", settings.GetProperty("PensionCertAuditArchive__blobServiceUri").GetString());
        Assert.Equal(StorageOptions.ManagedIdentityCredentialValue, settings.GetProperty("PensionCertAuditArchive__credential").GetString());
        Assert.Contains("variables('auditArchiveSettings')", Variable(bicep.Module("functionApp"), "appSettings").GetString());
        Assert.Contains("'auditStorage'", bicep.ModuleParameter("functionApp", "auditBlobEndpoint").GetString());
    }

    [Fact]
    public void FunctionApp_TwoHostingProfiles_FlexOnGlobalElasticPremiumOrDedicatedOnChina()
    {
        var app = bicep.Module("functionApp");
        var plan = Resource(app, "Microsoft.Web/serverfarms");
        var site = Resource(app, "Microsoft.Web/sites").GetProperty("properties");
        var config = site.GetProperty("functionAppConfig").GetString()!;
        var dotnet = Environment.Version;

        Assert.Equal(["FlexConsumption", "AzureChina"], StringArray(bicep.Template.GetProperty("parameters").GetProperty("hostingProfile").GetProperty("allowedValues")));
        Assert.Equal("[if(equals(parameters('hostingProfile'), 'FlexConsumption'), 'FlexConsumption', if(startsWith(parameters('chinaPlanSku'), 'EP'), 'ElasticPremium', 'Dedicated'))]",
            Variable(bicep.Template, "hosting").GetString());
        Assert.Contains("'FlexConsumption', 'name', 'FC1'", plan.GetProperty("sku").GetString());
        Assert.Contains("parameters('planSku')", plan.GetProperty("sku").GetString());
        Assert.Contains("'elastic'", plan.GetProperty("kind").GetString());
        Assert.Equal("dotnet-isolated", bicep.ModuleParameter("functionApp", "runtimeName").GetString());
        Assert.Equal($"{dotnet.Major}.0", bicep.ModuleParameter("functionApp", "runtimeVersion").GetString());
        Assert.Contains("'maximumInstanceCount', parameters('maximumInstanceCount')", config);
        Assert.Contains("'instanceMemoryMB', parameters('instanceMemoryMB')", config);
        Assert.Contains("'UserAssignedIdentity'", config);
        Assert.Contains("format('DOTNET-ISOLATED|{0}', parameters('runtimeVersion'))", site.GetProperty("siteConfig").GetProperty("linuxFxVersion").GetString());
        Assert.Equal("[if(variables('isPremium'), parameters('maximumInstanceCount'), null())]", site.GetProperty("siteConfig").GetProperty("functionAppScaleLimit").GetString());
        Assert.Equal(FunctionNames.VerifyCertification, Variable(app, "verificationFunctionName").GetString());
        Assert.Equal("[parameters('maximumInstanceCount')]", bicep.ModuleParameter("functionApp", "maximumInstanceCount").GetString());
    }

    [Fact]
    public void FunctionApp_PrivateInboundVnetOutboundScmLockedDown()
    {
        var site = Resource(bicep.Module("functionApp"), "Microsoft.Web/sites").GetProperty("properties");
        var siteConfig = site.GetProperty("siteConfig");

        Assert.Equal("[variables('publicAccess')]", site.GetProperty("publicNetworkAccess").GetString());
        Assert.Equal("[if(and(parameters('privateNetwork'), empty(parameters('deploymentClientCidrs'))), 'Disabled', 'Enabled')]",
            Variable(bicep.Module("functionApp"), "publicAccess").GetString());
        Assert.Equal("[if(parameters('privateNetwork'), parameters('appSubnetId'), null())]", site.GetProperty("virtualNetworkSubnetId").GetString());
        Assert.Equal("[parameters('privateNetwork')]", site.GetProperty("outboundVnetRouting").GetProperty("allTraffic").GetString());
        Assert.Equal("[if(parameters('privateNetwork'), 'Deny', 'Allow')]", siteConfig.GetProperty("ipSecurityRestrictionsDefaultAction").GetString());
        Assert.Empty(siteConfig.GetProperty("ipSecurityRestrictions").EnumerateArray());
        Assert.False(siteConfig.GetProperty("scmIpSecurityRestrictionsUseMain").GetBoolean());
        Assert.Equal("[if(parameters('privateNetwork'), 'Deny', 'Allow')]", siteConfig.GetProperty("scmIpSecurityRestrictionsDefaultAction").GetString());
        Assert.Equal("[variables('scmRules')]", siteConfig.GetProperty("scmIpSecurityRestrictions").GetString());
        Assert.Equal("Disabled", siteConfig.GetProperty("ftpsState").GetString());
        foreach (var policy in Resources(bicep.Module("functionApp")).Where(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"))
            Assert.False(policy.GetProperty("properties").GetProperty("allow").GetBoolean());
    }

    [Fact]
    public void AppSettings_HostAndDataStorageSplit_WithTheSettingNamesStorageOptionsReads()
    {
        var app = bicep.Module("functionApp");
        var host = Variable(app, "hostStorageSettings");
        var data = Variable(app, "storageSettings");

        Assert.Equal(
            new[] { "accountName", "blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId" }.Select(StorageOptions.Setting).Order(),
            host.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(
            new[] { "blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId" }.Select(n => $"{StorageOptions.DataConnectionSettingName}__{n}").Order(),
            data.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(StorageOptions.ManagedIdentityCredentialValue, data.GetProperty($"{StorageOptions.DataConnectionSettingName}__credential").GetString());
        Assert.Equal("[parameters('dataTableEndpoint')]", data.GetProperty($"{StorageOptions.DataConnectionSettingName}__tableServiceUri").GetString());
        Assert.Equal("[parameters('hostBlobEndpoint')]", host.GetProperty(StorageOptions.Setting("blobServiceUri")).GetString());
        Assert.Contains("hostStorage", bicep.ModuleParameter("functionApp", "hostBlobEndpoint").GetString());
        Assert.Contains("'storage'", bicep.ModuleParameter("functionApp", "dataBlobEndpoint").GetString());
        // The package is deployed from the host account.
        Assert.Contains("parameters('hostBlobEndpoint')", Resource(app, "Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig").GetString());
    }

    [Fact]
    public void AppSettings_SecretsAreKeyVaultReferences_DataKeyRotationAsAParameter()
    {
        var app = bicep.Module("functionApp");
        var secrets = Variable(app, "secretSettings").GetString()!;
        var site = Resource(app, "Microsoft.Web/sites").GetProperty("properties");
        var hashKey = Setting(IdentityProtectionOptions.SectionName, nameof(IdentityProtectionOptions.HashKey));
        var keys = Setting(PensionCert.Core.Protection.DataProtectionOptions.SectionName, "Keys");

        Assert.Contains($"createObject('{hashKey}', format('@Microsoft.KeyVault(VaultName={{0}};SecretName={{1}})'", secrets);
        Assert.Contains($"toObject(parameters('dataProtectionKeyIds'), lambda('id', format('{keys}__{{0}}'", secrets);
        Assert.Contains("SecretName=data-protection-key-{1})", secrets);
        Assert.Equal("[parameters('activeDataProtectionKeyId')]", Variable(app, "applicationSettings").GetProperty("PensionCert__DataProtection__ActiveKeyId").GetString());
        Assert.Equal(["k1"], StringArray(DefaultValue(bicep.Template, "dataProtectionKeyIds")));
        Assert.Equal("[parameters('identityId')]", site.GetProperty("keyVaultReferenceIdentity").GetString());
        Assert.Equal("false", Variable(app, "applicationSettings").GetProperty(Setting(StorageOptions.SectionName, nameof(StorageOptions.CreateResources))).GetString());
        Assert.Equal("false", Variable(app, "applicationSettings").GetProperty(Setting(ApiKeyOptions.SectionName, nameof(ApiKeyOptions.EnforceClientKeys))).GetString());
    }

    [Fact]
    public void KeyVault_TheTemplateNeverWritesTheHashKeyOrADataKey()
    {
        var vault = bicep.Module("keyVault");
        var host = bicep.Module("hostStorage");

        Assert.DoesNotContain(Resources(vault), r => r.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults/secrets");
        // The only secret the template writes is the Elastic Premium content-share connection (the documented exception).
        var secret = Resource(host, "Microsoft.KeyVault/vaults/secrets");
        Assert.Equal("[variables('needsKey')]", secret.GetProperty("condition").GetString());
        Assert.Equal("host-content-share-connection", Variable(bicep.Template, "contentShareSecretName").GetString());
        Assert.DoesNotContain("identity-hash-key", host.GetRawText());
    }

    [Fact]
    public void AppSettings_NoConnectionStringsOrKeys_ExceptTheKeyVaultHeldContentShare()
    {
        var app = bicep.Module("functionApp");
        var names = new[] { "hostStorageSettings", "storageSettings", "auditArchiveSettings", "serviceBusSettings", "applicationSettings" }
            .SelectMany(v => Variable(app, v).EnumerateObject().Select(p => p.Name)).ToArray();
        var share = Variable(app, "contentShareSettings").GetString()!;
        var template = bicep.Template.GetRawText();

        Assert.DoesNotContain(names, n => n.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(names, n => n.EndsWith("Key", StringComparison.Ordinal) || n.Contains("Secret", StringComparison.Ordinal) || n.Contains("Password", StringComparison.Ordinal));
        Assert.Contains("'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', format('@Microsoft.KeyVault(VaultName={0};SecretName={1})'", share);
        Assert.StartsWith("[if(variables('isPremium')", share);
        Assert.Contains("'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'", Variable(app, "platformSettings").GetString());
        Assert.Contains("if(parameters('entraOnlyIngestion')", Variable(app, "platformSettings").GetString());
        Assert.DoesNotContain("SharedAccessKey", template);
        Assert.DoesNotContain("listConnectionStrings(", template);
        // listKeys appears once: the host account's key for the Elastic Premium content share, into Key Vault.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(template, "listKeys\\("));
        Assert.Contains("listKeys(", Resource(bicep.Module("hostStorage"), "Microsoft.KeyVault/vaults/secrets").GetRawText());
        Assert.Equal("[variables('needsKey')]", Resource(bicep.Module("hostStorage"), "Microsoft.Storage/storageAccounts").GetProperty("properties").GetProperty("allowSharedKeyAccess").GetString());
        Assert.Empty(DefaultValue(bicep.Template, "extraAppSettings").EnumerateObject());
    }

    [Fact]
    public void Telemetry_EntraOnlyIngestionOnGlobalAzure_ConnectionStringOnAzureChina()
    {
        var appInsights = Resource(bicep.Module("monitoring"), "Microsoft.Insights/components").GetProperty("properties");

        Assert.Equal("[parameters('entraOnlyIngestion')]", appInsights.GetProperty("DisableLocalAuth").GetString());
        Assert.Equal("[not(variables('isChinaCloud'))]", bicep.ModuleParameter("monitoring", "entraOnlyIngestion").GetString());
        Assert.Equal("[not(variables('isChinaCloud'))]", bicep.ModuleParameter("functionApp", "entraOnlyIngestion").GetString());
        Assert.Equal("[equals(environment().name, 'AzureChinaCloud')]", Variable(bicep.Template, "isChinaCloud").GetString());
    }

    [Fact]
    public async Task ApiVersionCheck_ListsEveryTypeAndVersionTheCompiledTemplateDeploys()
    {
        // infra/scripts/check-api-versions.sh (run against Azure China before a first deployment there) reads the
        // type@version pairs from the Bicep sources; every resource the compiled template deploys must be among them.
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(InfraDirectory, "scripts", "check-api-versions.sh"));
        start.ArgumentList.Add("--list");
        using var process = System.Diagnostics.Process.Start(start)!;
        var listed = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        await process.WaitForExitAsync();

        var deployed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Collect(JsonElement template)
        {
            foreach (var resource in Resources(template))
            {
                var type = resource.GetProperty("type").GetString()!;
                if (type == "Microsoft.Resources/deployments") Collect(resource.GetProperty("properties").GetProperty("template"));
                else if (!resource.TryGetProperty("existing", out var existing) || !existing.GetBoolean()) deployed.Add($"{type}@{resource.GetProperty("apiVersion").GetString()}");
            }
        }
        Collect(bicep.Template);
        output.WriteLine(string.Join('\n', deployed.Order()));

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Microsoft.Storage/storageAccounts@", string.Join('\n', listed));
        Assert.True(deployed.Count > 20, $"only {deployed.Count} resource types found in the compiled template");
        Assert.Empty(deployed.Except(listed));
    }

    [Fact]
    public void Endpoints_FromEnvironmentOnly_NoCloudHostNames()
    {
        // Descriptions (metadata) may give examples; what is deployed may not name a cloud's hosts.
        var template = WithoutMetadata(bicep.Template);

        foreach (var host in new[] { "core.windows.net", "core.chinacloudapi.cn", "vault.azure.net", "vault.azure.cn", "vaultcore.azure", "azurewebsites.net",
                     "chinacloudsites.cn", "servicebus.windows.net", "servicebus.chinacloudapi.cn", "azure-api.net", "azure-api.cn", "login.microsoftonline", "login.chinacloudapi" })
            Assert.DoesNotContain(host, template, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("environment().suffixes.storage", Variable(bicep.Template, "storageZones").GetString());
        Assert.Contains("environment().suffixes.keyvaultDns", Variable(bicep.Template, "vaultZone").GetString());
        Assert.Contains("environment().suffixes.storage", Variable(bicep.Template, "serviceBusZone").GetString());
    }

    [Fact]
    public void Alerts_OnTheAppsMetricsAndThePlatform()
    {
        var alerts = bicep.Module("alerts");
        var logAlerts = Variable(alerts, "logAlerts").GetRawText();
        var metricAlerts = Variable(alerts, "metricAlertDefinitions").GetRawText();

        foreach (var name in new[] { "poison-queue", "failure-rate", "queue-age-p95", "decision-failure-share", "review-backlog-age", "cycle-exceptions", "outbox-lag", "instances-near-ceiling" })
            Assert.Contains($"\"name\": \"{name}\"", logAlerts);
        foreach (var name in new[] { "dead-letters", "storage-throttling", "keyvault-failures" })
            Assert.Contains($"\"name\": \"{name}\"", metricAlerts);
        Assert.Contains("\"DeadletteredMessages\"", metricAlerts);
        Assert.Contains("ClientThrottlingError", metricAlerts);
        Assert.Contains("\"ServiceApiResult\"", metricAlerts);
        Assert.Contains("percentile(valueMax, 95)", logAlerts);
        Assert.Contains("StorageQueueLogs", logAlerts);
        Assert.Equal("[parameters('maximumInstanceCount')]", bicep.ModuleParameter("alerts", "instanceCeiling").GetString());
        Assert.Single(Resources(bicep.Module("workbook")), r => r.GetProperty("type").GetString() == "Microsoft.Insights/workbooks");
    }

    [Fact]
    public void Metrics_AlertNamesEqualTheDocumentedMetricsTable()
    {
        var names = Variable(bicep.Module("alerts"), "metricNames").EnumerateObject().Select(p => p.Value.GetString()!).Order().ToArray();
        var doc = File.ReadAllLines(Path.Combine(RepositoryRoot, "docs", "deploy.md"));
        var table = doc.SkipWhile(l => !l.StartsWith("## Metrics", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `pensioncert.", StringComparison.Ordinal)).Select(l => l.Split('`')[1]).ToArray();

        Assert.NotEmpty(table);
        foreach (var name in names) Assert.Contains(name, table);
        Assert.All(table, n => Assert.StartsWith("pensioncert.", n));
        // The table lists exactly what the app's Meter emits, and every alert reads an emitted name.
        Assert.Equal(TelemetryNames.Metrics.Order(StringComparer.Ordinal), table.Order(StringComparer.Ordinal));
        foreach (var name in names) Assert.Contains(name, TelemetryNames.Metrics);
    }

    [Fact]
    public void Metrics_ReadmeTelemetryTableListsEveryEmittedMetric()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot, "README.md"));
        var table = readme.SkipWhile(l => !l.StartsWith("## Telemetry", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `pensioncert.", StringComparison.Ordinal)).Select(l => l.Split('`')[1]).ToArray();

        Assert.Equal(TelemetryNames.Metrics.Order(StringComparer.Ordinal), table.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Outputs_ApiBaseUrlIsTheGateway()
    {
        var url = bicep.Template.GetProperty("outputs").GetProperty("apiBaseUrl").GetProperty("value").GetString();

        Assert.StartsWith($"[format('https://{{0}}/{Routes.Prefix}', reference(", url);
        Assert.Contains("'gateway')", url);
        Assert.EndsWith(".outputs.gatewayHostName.value)]", url);
    }

    private static string WithoutMetadata(JsonElement element)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(element.GetRawText())!;
        Strip(node);
        return node.ToJsonString();

        static void Strip(System.Text.Json.Nodes.JsonNode? node)
        {
            if (node is System.Text.Json.Nodes.JsonObject obj)
            {
                obj.Remove("metadata");
                foreach (var (_, child) in obj.ToArray()) Strip(child);
            }
            else if (node is System.Text.Json.Nodes.JsonArray array)
                foreach (var child in array) Strip(child);
        }
    }

    /// <summary>The custom role definition whose name is <c>guid(resourceGroup().id, <paramref name="seed"/>)</c>.</summary>
    private static JsonElement RoleDefinition(JsonElement template, string seed) =>
        Resources(template).Single(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleDefinitions"
            && r.GetProperty("name").GetString()!.Contains($"'{seed}'", StringComparison.Ordinal));

    private static string Setting(string section, string name) => $"{section.Replace(":", "__", StringComparison.Ordinal)}__{name}";

    private static bool IsKeyVaultReference(JsonElement app, string name) =>
        Variable(app, "secretSettings").TryGetProperty(name, out var value) && value.GetString()!.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal);

    private void Report(BicepRun run)
    {
        output.WriteLine($"bicep {run.Arguments}: exit {run.ExitCode}");
        foreach (var diagnostic in run.Diagnostics) output.WriteLine(diagnostic);
    }
}
