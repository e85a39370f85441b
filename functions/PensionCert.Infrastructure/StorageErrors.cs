using System.Net.Sockets;
using Azure;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>Maps SDK failures to the Core storage exceptions.</summary>
internal static class StorageErrors
{
    /// <summary>Runs a storage call, turning outages into <see cref="StorageUnavailableException"/>.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new StorageUnavailableException("Storage is unavailable.", ex);
        }
    }

    /// <summary>Runs a storage call, turning outages into <see cref="StorageUnavailableException"/>.</summary>
    public static async Task Guard(Func<Task> call) =>
        await Guard(async () => { await call(); return true; });

    /// <summary>True for connection failures, timeouts and 5xx answers (retrying later may work).</summary>
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        RequestFailedException { Status: 0 or >= 500 } => true,
        HttpRequestException or SocketException or TimeoutException => true,
        AggregateException agg => agg.InnerExceptions.Any(IsUnavailable),
        _ => ex.InnerException is not null && IsUnavailable(ex.InnerException),
    };

    /// <summary>True for "already exists" (409) or "condition not met" (412).</summary>
    public static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;
}
