using System.Net;
using System.Net.Sockets;

namespace PensionCert.Tests.Shared;

/// <summary>The repository the test binaries were built from, and a loopback port probe for the Azurites tests start.</summary>
public static class TestRepository
{
    private static readonly Lazy<string> RootPath = new(Locate);

    /// <summary>The repository root: the first ancestor of the test binaries that holds <c>PensionCert.Functions.sln</c>.</summary>
    public static string Root => RootPath.Value;

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> PortAnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PensionCert.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (PensionCert.Functions.sln) was not found above the test binaries.");
    }
}
