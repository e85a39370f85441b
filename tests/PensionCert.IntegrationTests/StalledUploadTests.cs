using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A client that sends part of a large body and then stalls gets 408 request-timeout within the host's request
/// timeout (the fixture sets 45 s; the product default is 120 s), so its buffered bytes are released.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class StalledUploadTests(LocalHostFixture host)
{
    [Fact]
    public async Task Submit_FrontLoadedBodyThenStall_408RequestTimeoutWithinTheTimeout()
    {
        var uri = host.Http.BaseAddress!;
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        await using var stream = client.GetStream();
        var head = "POST /api/certifications HTTP/1.1\r\n" +
                   $"Host: {uri.Authority}\r\n" +
                   $"x-functions-key: {LocalHostFixture.ClientKey}\r\n" +
                   "Content-Type: application/json\r\n" +
                   "Content-Length: 5000000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"channel\":\"wechat\",\"photo\":\"" + new string('A', 1_000_000)));
        var clock = Stopwatch.StartNew();

        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(LocalHostFixture.RequestTimeoutSeconds + 20));
        var read = await stream.ReadAsync(buffer, deadline.Token);
        var response = Encoding.UTF8.GetString(buffer, 0, read);

        Assert.StartsWith("HTTP/1.1 408", response);
        Assert.Contains("request-timeout", response);
        Assert.InRange(clock.Elapsed.TotalSeconds, LocalHostFixture.RequestTimeoutSeconds - 5, LocalHostFixture.RequestTimeoutSeconds + 15);
    }

    [Fact]
    public async Task Submit_BodyTricklingBelowTheMinimumRate_408RequestTimeout()
    {
        // Below Kestrel's minimum body rate (240 bytes/s after a 5 s grace): it was answered 400 malformed-request.
        var uri = host.Http.BaseAddress!;
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        await using var stream = client.GetStream();
        var head = "POST /api/certifications HTTP/1.1\r\n" +
                   $"Host: {uri.Authority}\r\n" +
                   $"x-functions-key: {LocalHostFixture.ClientKey}\r\n" +
                   "Content-Type: application/json\r\n" +
                   "Content-Length: 100000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{\"channel\":\"wechat\",\"photo\":\""));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var trickle = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await stream.WriteAsync("AA"u8.ToArray(), stop.Token);
                    await Task.Delay(500, stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The server answered and closed, or the test ended.
            }
        });

        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, stop.Token);
        await stop.CancelAsync();
        await trickle;
        var response = Encoding.UTF8.GetString(buffer, 0, read);

        Assert.StartsWith("HTTP/1.1 408", response);
        Assert.Contains("request-timeout", response);
    }
}
