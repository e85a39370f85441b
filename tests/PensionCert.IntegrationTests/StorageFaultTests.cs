using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A local host on an Azurite of its own that the tests stop and restart: a submission while storage is down gets
/// 503 with Retry-After and leaves nothing behind; submissions accepted before an outage all end decided exactly once.
/// </summary>
public sealed class StorageFaultFixture : LocalHostFixture
{
    private const string PortVariable = "PENSIONCERT_FAULT_AZURITE_PORT";
    private readonly string _data = Directory.CreateTempSubdirectory("pensioncert-fault-azurite").FullName;
    private readonly AzuriteProcess _azurite;
    private bool _azuriteStarted;

    public StorageFaultFixture() => _azurite = new AzuriteProcess(BlobPort, PortVariable, _data);

    /// <summary>
    /// Blob port of this fixture's Azurite (queue +1, table +2): <c>PENSIONCERT_FAULT_AZURITE_PORT</c>, else the suite's
    /// Azurite blob port + 3, else 10950 (<see cref="AzuriteProcess.ChoosePort"/>; this test stops and restarts its
    /// Azurite: another run's Azurite could take a shared port in between).
    /// </summary>
    public static int BlobPort { get; } = AzuriteProcess.ChoosePort(PortVariable, 3, 10950);

    protected override async Task<string> StorageConnectionAsync()
    {
        // Azurite is started with the first host; later hosts find it as the test left it (stopped, perhaps).
        if (!_azuriteStarted) await StartAzuriteAsync();
        _azuriteStarted = true;
        return _azurite.ConnectionString;
    }

    /// <summary>Starts Azurite on this fixture's ports with its data folder (kept across restarts) and waits until it answers.</summary>
    public Task StartAzuriteAsync() => _azurite.StartAsync(TimeSpan.FromSeconds(120));

    /// <summary>Stops Azurite with SIGTERM (it saves its data) and waits until its ports are closed.</summary>
    public Task StopAzuriteAsync() => _azurite.StopAsync();

    /// <summary>
    /// If the local host stopped itself after a trigger listener failed (as it does when storage stays unreachable, so
    /// that a supervisor restarts it — run.sh locally, the platform in Azure), starts a new instance, as they would.
    /// </summary>
    public async Task<bool> RestartHostIfStoppedAsync()
    {
        var lifetime = App.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        if (!lifetime.ApplicationStopping.IsCancellationRequested) return false;
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await StartHostAsync();
        return true;
    }

    /// <summary>Stops and disposes the running host instance.</summary>
    public async Task StopHostAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>Starts a new host instance after <see cref="StopHostAsync"/>, as a supervisor would.</summary>
    public Task StartNewHostAsync() => StartHostAsync();

    /// <summary>Short pauses between start-up attempts, so a test sees the host pick storage up within seconds.</summary>
    protected override void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) =>
        builder.Configuration["PensionCert:LocalHost:StorageRetryMaxDelaySeconds"] = "2";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await StopAzuriteAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class StorageFaultCollection : ICollectionFixture<StorageFaultFixture>
{
    public const string Name = "local host on an Azurite that is stopped and restarted";
}

[Collection(StorageFaultCollection.Name)]
public sealed class StorageFaultTests(StorageFaultFixture host)
{
    [Fact]
    public async Task Submit_StorageDown_503WithRetryAfterAndNothingHalfWritten()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();

        await host.StopAzuriteAsync();
        HttpResponseMessage response;
        try
        {
            response = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: Guid.NewGuid().ToString());
        }
        finally
        {
            await host.StartAzuriteAsync();
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("storage-unavailable", problem.GetProperty("code").GetString());
        }
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task HostStart_StorageDown_ServesHealth503ThenStartsTriggersOnceStorageAnswers()
    {
        await host.StopHostAsync();
        await host.StopAzuriteAsync();
        try
        {
            // Before: the start threw while creating containers and tables (exit 134 under run.sh).
            await host.StartNewHostAsync();
            using var health = await host.Http.GetAsync("/api/health");
            var body = await health.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("startup:storage", body, StringComparison.Ordinal);
        }
        finally
        {
            await host.StartAzuriteAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var health = await host.Http.GetAsync("/api/health");
            if (health.StatusCode == HttpStatusCode.OK) break;
            Assert.True(DateTime.UtcNow < deadline, $"health still {(int)health.StatusCode} 30 s after storage returned: {await health.Content.ReadAsStringAsync()}");
            await Task.Delay(250);
        }
        Assert.Contains(host.Logs.Lines, l => l.Contains("Storage is not reachable", StringComparison.Ordinal));
        // The queue trigger started after the wait: a submission is decided.
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Submissions_AzuriteRestartedMidRun_EveryAcceptedSubmissionDecidedExactlyOnce()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var accepted = new List<string>();
        // Six different photos of the reference's person: the same photo again would be a replay of an approved selfie
        // kept as a live reference (probe-matches-reference, review), whatever the outage.
        foreach (var photo in new[] { "deepface/img2.jpg", "deepface/img4.jpg", "deepface/img5.jpg", "deepface/img6.jpg", "deepface/img7.jpg", "deepface/img10.jpg" })
            accepted.Add(await host.SubmitOkAsync(id, photo));

        await host.StopAzuriteAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await host.StartAzuriteAsync();
        // Poll every accepted submission; whenever the host has stopped itself (listener failure during the outage),
        // start a new instance as a supervisor would. Messages wait in the queue meanwhile.
        var deadline = DateTime.UtcNow.AddSeconds(150);
        foreach (var certificationId in accepted)
        {
            JsonElement decided;
            while (true)
            {
                await host.RestartHostIfStoppedAsync();
                try
                {
                    decided = await host.GetJsonAsync($"/api/certifications/{certificationId}", LocalHostFixture.ClientKeyHeader);
                    if (decided.GetProperty("status").GetString() is not ("Pending" or "Processing")) break;
                }
                catch (HttpRequestException)
                {
                    // The host is stopping; the next round restarts it.
                }
                Assert.True(DateTime.UtcNow < deadline, $"{certificationId} not decided within 150 s after the outage.");
                await Task.Delay(250);
            }
            // A genuine live selfie: a short outage delays it, it never turns it into a permanent failure.
            Assert.Equal("Approved", decided.GetProperty("status").GetString());
            // "Certification {id} decided {Status} …" (event 3001), also for a certification given up as Failed; a
            // redelivery of a decided message logs "was already decided" instead.
            var decisions = host.Logs.Lines.Count(l => l.Contains($"{certificationId} decided ", StringComparison.Ordinal));
            Assert.Equal(1, decisions);
        }
    }
}
