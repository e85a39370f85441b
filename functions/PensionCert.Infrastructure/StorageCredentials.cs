using Azure.Core;
using Azure.Identity;

namespace PensionCert.Infrastructure;

/// <summary>The token credential of an identity-based storage connection (<see cref="StorageOptions"/>).</summary>
public static class StorageCredentials
{
    /// <summary>
    /// <c>__credential=managedidentity</c>: <see cref="ManagedIdentityCredential"/> for the user-assigned identity
    /// <c>__clientId</c> (the system-assigned identity when no client id is given). Without <c>__credential</c>:
    /// <see cref="DefaultAzureCredential"/> (environment, workload identity, managed identity with <c>__clientId</c>,
    /// then developer logins such as the Azure CLI). Creating a credential makes no network call; tokens are
    /// fetched and cached by the SDK on first use.
    /// </summary>
    /// <param name="options">Validated storage options that use an identity-based connection.</param>
    public static TokenCredential Create(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.UsesManagedIdentity)
        {
            return new ManagedIdentityCredential(options.ClientId is { } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned);
        }
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ClientId });
    }
}
