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
public sealed class TemplateTests(BicepTemplates bicep, ITestOutputHelper output) : IClassFixture<BicepTemplates>
{
    private static readonly string[] RequiredRoles =
    [
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
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

    [Theory]
    [InlineData("main.dev.bicepparam")]
    [InlineData("main.prod.bicepparam")]
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
        Assert.Equal("", values.GetProperty("identityHashKey").GetProperty("value").GetString());
        Assert.Equal("", values.GetProperty("dataProtectionKey").GetProperty("value").GetString());
    }

    [Fact]
    public async Task ProdParameters_WithoutTenant_Refused()
    {
        var run = await RunAsync(new Dictionary<string, string>(), "build-params", "main.prod.bicepparam", "--stdout");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Errors, e => e.Contains("PENSIONCERT_TENANT", StringComparison.Ordinal));
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

        Assert.Equal([StorageNames.ReferencePhotosContainer, StorageNames.SelfiesContainer], StringArray(Variable(storage, "photoContainers")));
        Assert.Equal(StorageNames.SelfiesContainer, Variable(storage, "selfiesContainer").GetString());
        Assert.Equal([QueueNames.Verification, QueueNames.Events], StringArray(Variable(storage, "queues")));
        Assert.Equal(
            [StorageNames.PensionersTable, StorageNames.PensionerIdentitiesTable, StorageNames.CertificationsTable, StorageNames.IdempotencyTable,
             StorageNames.OperatorAuditTable, StorageNames.SelfieRetentionTable, StorageNames.ReviewCasesTable,
             StorageNames.CycleDueIndexTable, StorageNames.OutboxIndexTable, StorageNames.RegionPensionersTable, StorageNames.PaymentChangesTable,
             StorageNames.InFlightCertificationsTable, StorageNames.CycleExceptionsTable, StorageNames.EventSinkIdsTable,
             StorageNames.HomeVisitsTable, StorageNames.FamilyHelpersTable, StorageNames.AssistedApprovalsTable],
            StringArray(Variable(storage, "tables")));
    }

    [Fact]
    public void Storage_ContainersPrivate_QueuesWithPoisonQueues()
    {
        var storage = bicep.Module("storage");
        var containers = Resource(storage, "Microsoft.Storage/storageAccounts/blobServices/containers");
        var queues = Resource(storage, "Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal("None", containers.GetProperty("properties").GetProperty("publicAccess").GetString());
        Assert.Contains("variables('photoContainers')", containers.GetProperty("copy").GetProperty("count").GetString());
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
    public void Roles_TheIdentityGetsEveryRequiredRole_NamedByScopePrincipalRole()
    {
        var roles = bicep.Module("roles");
        var definitions = Variable(roles, "roles").EnumerateObject().Select(p => p.Value.GetString()!).ToHashSet();
        var assignments = Resources(roles).Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").ToArray();

        foreach (var role in RequiredRoles) Assert.Contains(role, definitions);
        Assert.Equal(
            ["roles.storageBlobDataOwner", "roles.storageQueueDataContributor", "roles.storageTableDataContributor"],
            Variable(roles, "storageRoles").EnumerateArray().Select(e => e.GetString()!.Replace("[variables('roles').", "roles.", StringComparison.Ordinal).TrimEnd(']')));
        foreach (var assignment in assignments)
        {
            var name = assignment.GetProperty("name").GetString()!;
            Assert.StartsWith("[guid(resourceId(", name);
            Assert.Contains("rincipalId')", name);
        }
        var appAssignments = assignments.Where(a => a.GetProperty("properties").GetProperty("principalId").GetString() == "[parameters('principalId')]").ToArray();
        // The storage roles (one copy loop over storageRoles), Service Bus, Key Vault, Monitoring Metrics Publisher.
        Assert.Equal(4, appAssignments.Length);
        Assert.Equal("[length(variables('storageRoles'))]", appAssignments.Single(a => a.TryGetProperty("copy", out _)).GetProperty("copy").GetProperty("count").GetString());
        foreach (var role in new[] { "serviceBusDataSender", "keyVaultSecretsUser", "monitoringMetricsPublisher" })
            Assert.Contains(appAssignments, a => a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Contains($"variables('roles').{role}", StringComparison.Ordinal));
        var principal = bicep.ModuleParameter("roles", "principalId").GetString()!;
        Assert.Contains("'identity')", principal);
        Assert.EndsWith(".outputs.principalId.value]", principal);
    }

    [Fact]
    public void FunctionApp_FlexConsumptionDotnetIsolatedOnTheProjectsDotnetVersion()
    {
        var app = bicep.Module("functionApp");
        var plan = Resource(app, "Microsoft.Web/serverfarms");
        var config = Resource(app, "Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig");
        var dotnet = Environment.Version;

        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("dotnet-isolated", bicep.ModuleParameter("functionApp", "runtimeName").GetString());
        Assert.Equal($"{dotnet.Major}.0", bicep.ModuleParameter("functionApp", "runtimeVersion").GetString());
        Assert.Equal("[parameters('maximumInstanceCount')]", config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetString());
        Assert.Equal("[parameters('instanceMemoryMB')]", config.GetProperty("scaleAndConcurrency").GetProperty("instanceMemoryMB").GetString());
        Assert.Equal("[variables('alwaysReady')]", config.GetProperty("scaleAndConcurrency").GetProperty("alwaysReady").GetString());
        Assert.Equal(FunctionNames.VerifyCertification, Variable(app, "verificationFunctionName").GetString());
        Assert.Equal("UserAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("[parameters('maximumInstanceCount')]", bicep.ModuleParameter("functionApp", "maximumInstanceCount").GetString());
        Assert.Equal("[parameters('instanceMemoryMB')]", bicep.ModuleParameter("functionApp", "instanceMemoryMB").GetString());
    }

    [Fact]
    public void AppSettings_IdentityBasedStorage_WithTheSettingNamesStorageOptionsReads()
    {
        var settings = Variable(bicep.Module("functionApp"), "storageSettings");

        Assert.Equal(
            new[] { "accountName", "blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId" }.Select(StorageOptions.Setting).Order(),
            settings.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(StorageOptions.ManagedIdentityCredentialValue, settings.GetProperty(StorageOptions.Setting("credential")).GetString());
        Assert.Equal("[parameters('identityClientId')]", settings.GetProperty(StorageOptions.Setting("clientId")).GetString());
        Assert.Equal("[parameters('tableEndpoint')]", settings.GetProperty(StorageOptions.Setting("tableServiceUri")).GetString());
    }

    [Fact]
    public void AppSettings_SecretsAreKeyVaultReferences_WithTheOptionNames()
    {
        var app = bicep.Module("functionApp");
        var secrets = Variable(app, "secretSettings");
        var site = Resource(app, "Microsoft.Web/sites").GetProperty("properties");
        var hashKey = Setting(IdentityProtectionOptions.SectionName, nameof(IdentityProtectionOptions.HashKey));
        var encryptionKey = Setting(PensionCert.Core.Protection.DataProtectionOptions.SectionName, "Keys") + "__k1";

        Assert.Equal(new[] { hashKey, encryptionKey }.Order(), secrets.EnumerateObject().Select(p => p.Name).Order());
        foreach (var secret in secrets.EnumerateObject())
            Assert.StartsWith("[format('@Microsoft.KeyVault(VaultName={0};SecretName={1})'", secret.Value.GetString());
        Assert.Equal("[parameters('identityId')]", site.GetProperty("keyVaultReferenceIdentity").GetString());
        Assert.Equal("false", Variable(app, "applicationSettings").GetProperty(Setting(StorageOptions.SectionName, nameof(StorageOptions.CreateResources))).GetString());
        Assert.Equal("false", Variable(app, "applicationSettings").GetProperty(Setting(ApiKeyOptions.SectionName, nameof(ApiKeyOptions.EnforceClientKeys))).GetString());
    }

    [Fact]
    public void AppSettings_NoConnectionStringsOrKeys()
    {
        var app = bicep.Module("functionApp");
        var names = new[] { "storageSettings", "serviceBusSettings", "platformSettings", "secretSettings", "applicationSettings" }
            .SelectMany(v => Variable(app, v).EnumerateObject().Select(p => p.Name)).ToArray();
        var template = bicep.Template.GetRawText();

        // Application Insights' connection string holds no secret (an endpoint and an id); ingestion needs Entra ID.
        Assert.DoesNotContain(names, n => n.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) && n != "APPLICATIONINSIGHTS_CONNECTION_STRING");
        Assert.DoesNotContain(names, n => (n.EndsWith("Key", StringComparison.Ordinal) || n.Contains("Secret", StringComparison.Ordinal)
            || n.Contains("Password", StringComparison.Ordinal)) && !IsKeyVaultReference(app, n));
        Assert.DoesNotContain("AccountKey", template);
        Assert.DoesNotContain("SharedAccessKey", template);
        Assert.DoesNotContain("listKeys(", template);
        Assert.DoesNotContain("listConnectionStrings(", template);
        Assert.Empty(DefaultValue(bicep.Template, "extraAppSettings").EnumerateObject());
        Assert.Equal("[union(parameters('extraAppSettings'), variables('storageSettings'), variables('serviceBusSettings'), variables('platformSettings'), variables('secretSettings'), variables('applicationSettings'))]",
            Variable(app, "appSettings").GetString());
    }

    [Fact]
    public void Alerts_PoisonQueueFailureRateAndQueueAge()
    {
        var alerts = bicep.Module("alerts");
        var rules = Resources(alerts).Where(r => r.GetProperty("type").GetString() == "Microsoft.Insights/scheduledQueryRules").ToArray();
        var queries = rules.Select(r => r.GetProperty("properties").GetProperty("criteria").GetProperty("allOf")[0].GetProperty("query").GetString()!).ToArray();

        Assert.Equal(3, rules.Length);
        Assert.Contains(queries, q => q.Contains("StorageQueueLogs", StringComparison.Ordinal) && q.Contains("PutMessage", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("FailureRatePercent", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("InsertedOn", StringComparison.Ordinal) && q.Contains("AgeSeconds", StringComparison.Ordinal));
        Assert.Equal(FunctionNames.VerifyCertification, bicep.ModuleParameter("alerts", "verificationFunctionName").GetString());
    }

    [Fact]
    public void Outputs_ApiBaseUrlUnderTheRoutePrefix()
    {
        var url = bicep.Template.GetProperty("outputs").GetProperty("apiBaseUrl").GetProperty("value").GetString();

        Assert.StartsWith($"[format('https://{{0}}/{Routes.Prefix}', reference(", url);
        Assert.EndsWith("'functionApp'), '2025-04-01').outputs.defaultHostName.value)]", url);
    }

    private static string Setting(string section, string name) => $"{section.Replace(":", "__", StringComparison.Ordinal)}__{name}";

    private static bool IsKeyVaultReference(JsonElement app, string name) =>
        Variable(app, "secretSettings").TryGetProperty(name, out var value) && value.GetString()!.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal);

    private void Report(BicepRun run)
    {
        output.WriteLine($"bicep {run.Arguments}: exit {run.ExitCode}");
        foreach (var diagnostic in run.Diagnostics) output.WriteLine(diagnostic);
    }
}
