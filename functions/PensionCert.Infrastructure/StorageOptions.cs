using System.ComponentModel.DataAnnotations;

namespace PensionCert.Infrastructure;

/// <summary>
/// Storage account settings. The connection is the Functions host's own <c>AzureWebJobsStorage</c> setting, so the
/// app and its triggers always use the same account (locally <c>UseDevelopmentStorage=true</c> for Azurite).
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The setting that holds the connection string.</summary>
    public const string ConnectionSettingName = "AzureWebJobsStorage";

    /// <summary>Section for the remaining storage settings.</summary>
    public const string SectionName = "PensionCert:Storage";

    /// <summary>Connection string (from <c>AzureWebJobsStorage</c>).</summary>
    [Required(ErrorMessage = "The setting 'AzureWebJobsStorage' (storage connection string) is missing.")]
    public string ConnectionString { get; set; } = "";

    /// <summary>Create containers, queues and tables at start-up if missing (local runs; in Azure, Bicep creates them).</summary>
    public bool CreateResources { get; set; } = true;

    /// <summary>Retries of one storage call by the SDK before it fails (exponential back-off).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;
}
