using PensionCert.Core.Certification;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core.Audit;
using PensionCert.Core.Cycle;
using PensionCert.Core.Operators;
using PensionCert.Core.Retention;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests;

/// <summary>Selfies are deleted after the retention period by the timer's service; an admin can erase a pensioner.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class RetentionAndErasureTests(LocalHostFixture host, Xunit.Abstractions.ITestOutputHelper output)
{
    private T Service<T>() where T : notnull => host.App.Services.GetRequiredService<T>();

    [Fact]
    public async Task Decision_SchedulesSelfieDeletion_AndPurgeDeletesItOnlyWhenDue()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        await host.PollDecidedAsync(certificationId);
        var record = (await Service<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None))!;
        var days = Service<IOptions<RetentionOptions>>().Value.SelfieRetentionDays;
        Assert.Equal(30, days);
        Assert.Equal(ChinaTime.ToChinaDate(record.DecidedAt!.Value).AddDays(days), record.SelfieDeleteOn);
        // Named under its China date and minute, so the purge finds it by listing that day: no retention row of its own.
        Assert.True(SelfieNames.IsDated(record.SelfieBlobName), record.SelfieBlobName);
        Assert.Equal(certificationId, SelfieNames.CertificationIdOf(record.SelfieBlobName));
        Assert.False((await host.Storage.SelfieRetention.GetEntityIfExistsAsync<TableEntity>(record.SelfieDeleteOn!.Value.ToString("yyyy-MM-dd"), certificationId)).HasValue);

        // The day before: nothing of this selfie goes.
        var clock = new FakeTimeProvider(record.DecidedAt.Value.AddDays(days - 1));
        await Purger(clock).PurgeDueAsync(CancellationToken.None);
        Assert.True((await host.Storage.Selfies.GetBlobClient(record.SelfieBlobName).ExistsAsync()).Value);

        // On the due date (China time): the selfie goes and the record says when.
        clock.SetUtcNow(new DateTimeOffset(record.SelfieDeleteOn.Value.ToDateTime(new TimeOnly(2, 30)), TimeSpan.FromHours(8)));
        var purged = await Purger(clock).PurgeDueAsync(CancellationToken.None);

        Assert.True(purged >= 1);
        Assert.False((await host.Storage.Selfies.GetBlobClient(record.SelfieBlobName).ExistsAsync()).Value);
        var after = (await Service<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None))!;
        Assert.Equal(clock.GetUtcNow(), after.SelfieDeletedAt);
        Assert.Equal(record.Status, after.Status);

        // A second run (timer fired twice) changes nothing of it.
        await Purger(clock).PurgeDueAsync(CancellationToken.None);
        Assert.Equal(after.ETag, (await Service<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None))!.ETag);
    }

    [Fact]
    public async Task Purge_DatedSelfiesPastRetention_UndecidedKept_RecordlessDeleted_DecidedLateWaitsForItsDate()
    {
        var days = Service<IOptions<RetentionOptions>>().Value.SelfieRetentionDays;
        var storedAt = DateTimeOffset.UtcNow.AddDays(-days - 1);
        var photo = Tests.Shared.SharedFaces.Read(Photos.GenuineProbe);
        async Task<string> StoreAsync(string certificationId, CertificationStatus? status, DateTimeOffset? decidedAt = null)
        {
            var name = SelfieNames.For(storedAt, certificationId);
            await host.Storage.Selfies.GetBlobClient(name).UploadAsync(new BinaryData(photo));
            if (status is { } s)
                Assert.True(await Service<ICertificationRepository>().TryCreateAsync(new CertificationRecord
                {
                    CertificationId = certificationId, PensionerId = Ids.NewPensionerId(), Channel = CertificationChannel.WeChat,
                    Status = s, SelfieBlobName = name, SubmittedAt = storedAt, DecidedAt = decidedAt,
                }, CancellationToken.None));
            return name;
        }
        // Stuck undecided (the stale sweep's to end), never recorded (the request died), and decided only yesterday.
        var undecided = await StoreAsync(Ids.NewCertificationId(), CertificationStatus.Pending);
        var recordless = await StoreAsync(Ids.NewCertificationId(), null);
        var decidedLate = await StoreAsync(Ids.NewCertificationId(), CertificationStatus.Rejected, DateTimeOffset.UtcNow.AddDays(-1));
        var decidedOnTime = await StoreAsync(Ids.NewCertificationId(), CertificationStatus.Approved, storedAt.AddSeconds(5));

        await Purger(TimeProvider.System).PurgeDueAsync(CancellationToken.None);

        Assert.True((await host.Storage.Selfies.GetBlobClient(undecided).ExistsAsync()).Value);
        Assert.False((await host.Storage.Selfies.GetBlobClient(recordless).ExistsAsync()).Value);
        Assert.True((await host.Storage.Selfies.GetBlobClient(decidedLate).ExistsAsync()).Value);
        Assert.False((await host.Storage.Selfies.GetBlobClient(decidedOnTime).ExistsAsync()).Value);
    }

    [Fact]
    public async Task Erase_ByAdmin_RemovesEveryBlobRowAndIndexEntry_AuditRowWithoutPersonalData()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference, name: "上官测试");
        await host.EnrollOkAsync(id, Photos.GenuineProbe, name: "上官测试");
        var certifications = new[] { await host.SubmitOkAsync(id, Photos.GenuineProbe), await host.SubmitOkAsync(id, Photos.NoFace) };
        foreach (var c in certifications) await host.PollDecidedAsync(c);
        var token = LocalHostFixture.OperatorToken(OperatorRole.Admin, ["110105"], subject: "admin-erase-1");
        await EndedPensioners.MarkTransferredAsync(host.App.Services, pensionerId);

        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Delete, $"/api/pensioners/{pensionerId}", ("Authorization", "Bearer " + token)));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(2, json.GetProperty("certifications").GetInt32());
        Assert.Equal(2, json.GetProperty("referencePhotos").GetInt32());

        Assert.Empty(await ToListAsync(host.Storage.References.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = pensionerId + "/" })));
        foreach (var c in certifications)
        {
            Assert.False(await host.Storage.AnySelfieOfAsync(c));
            Assert.Null(await Service<ICertificationRepository>().GetAsync(c, CancellationToken.None));
            Assert.Empty(await ToListAsync(host.Storage.SelfieRetention.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {c}"))));
        }
        Assert.Empty(await ToListAsync(host.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}"))));
        Assert.Empty(await ToListAsync(host.Storage.PensionerIdentities.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"))));

        using (var eligibility = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader)))
            Assert.Equal(HttpStatusCode.NotFound, eligibility.StatusCode);
        using (var submit = await host.SubmitAsync(id, Photos.GenuineProbe))
            Assert.Equal(HttpStatusCode.NotFound, submit.StatusCode);

        var audit = await Service<IAuditLog>().ForPensionerAsync(pensionerId, CancellationToken.None);
        var erasure = Assert.Single(audit, e => e.Action == "ErasePensioner");
        Assert.Equal(("admin-erase-1", 200), (erasure.Actor, erasure.Outcome));
        Assert.Equal("erased certifications=2 referencePhotos=2 rows=" + json.GetProperty("pensionerRows").GetInt32(), erasure.Detail);
        Assert.DoesNotContain(audit, e => JsonSerializer.Serialize(e).Contains("上官", StringComparison.Ordinal) || JsonSerializer.Serialize(e).Contains(id[6..14], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OperatorRole.Clerk, "110105", "role-not-allowed", HttpStatusCode.Forbidden)]
    [InlineData(OperatorRole.Admin, "310101", "pensioner-not-found", HttpStatusCode.NotFound)]
    public async Task Erase_NotAllowed_RefusedAndNothingErased(OperatorRole role, string region, string code, HttpStatusCode status)
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();

        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Delete, $"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorHeader(role, region)));

        await BadInputTests.AssertProblem(response, status, code, $"{role} of {region} erases");
        await host.AssertNothingStoredSinceAsync(before);
        Assert.NotNull(await Service<IPensionerRepository>().GetAsync(pensionerId, CancellationToken.None));
    }

    [Fact]
    public async Task Erase_CachedIdNumber_NextSubmissionByIdNumber404_EntryForgotten_RecordInThePartitionGone()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        await host.PollDecidedAsync(certificationId);
        // The id names the pensioner; the record is the certification's row in the pensioner's partition.
        Assert.Equal(pensionerId, Ids.PensionerIdOf(certificationId));
        Assert.True((await host.Storage.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, "certification-" + certificationId)).HasValue);
        var hash = Service<Core.Identity.IIdNumberHasher>().Hash(Core.Identity.CitizenIdNumber.Parse(id, ChinaTime.Today(TimeProvider.System)));
        var cache = Service<Core.Identity.PensionerIdCache>();
        Assert.Equal(pensionerId, cache.Find(hash));

        var token = LocalHostFixture.OperatorToken(OperatorRole.Admin, ["110105"], subject: "admin-erase-cached");
        await EndedPensioners.MarkTransferredAsync(host.App.Services, pensionerId);
        using (var erase = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Delete, $"/api/pensioners/{pensionerId}", ("Authorization", "Bearer " + token))))
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        // The cache still maps the hash to the erased id (another instance's cache would too).
        Assert.Equal(pensionerId, cache.Find(hash));

        var before = await host.SnapshotStoredAsync();
        using var again = await host.SubmitAsync(id, Photos.GenuineProbe);
        await BadInputTests.AssertProblem(again, HttpStatusCode.NotFound, "pensioner-not-found", "submission by the ID number of an erased pensioner");
        Assert.Null(cache.Find(hash));
        await host.AssertNothingStoredSinceAsync(before);
        Assert.False((await host.Storage.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, "certification-" + certificationId)).HasValue);
        Assert.Null(await Service<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None));
    }

    [Fact]
    public async Task Erase_WhileSubmissionsAreInFlight_LeavesNoRecordSelfieRowReadModelOrIndexEntryOfThePensioner()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        // One approval first, so the pensioner has cycle rows, an outbox row and a region-list row to erase.
        var approved = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        Assert.Equal("Approved", (await host.PollDecidedAsync(approved)).GetProperty("status").GetString());
        await Service<OutboxDispatcher>().DispatchAsync(CancellationToken.None);
        Assert.True((await host.Storage.RegionPensioners.GetEntityIfExistsAsync<TableEntity>(id[..6], pensionerId)).HasValue);
        var token = LocalHostFixture.OperatorToken(OperatorRole.Admin, ["110105"], subject: "admin-erase-race");

        // A first wave reaches the worker; the second wave and the erasure run at the same time as it.
        var photos = new[] { Photos.GenuineProbe, Photos.Impostor, Photos.NoFace };
        async Task<(HttpStatusCode Status, string? CertificationId)> SubmitAsync(int i)
        {
            using var response = await host.SubmitAsync(id, photos[i % photos.Length]);
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, response.StatusCode == HttpStatusCode.Accepted ? JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString() : null);
        }
        var firstWave = await Task.WhenAll(Enumerable.Range(0, 3).Select(SubmitAsync));
        var secondWave = Enumerable.Range(3, 6).Select(async i => { await Task.Delay(40 * i); return await SubmitAsync(i); }).ToArray();
        await Task.Delay(150);
        // Erasure is allowed once the pension ended: the transfer lands in the middle of the race (later submissions 409 pensioner-inactive).
        await EndedPensioners.MarkTransferredAsync(host.App.Services, pensionerId);
        using var erase = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Delete, $"/api/pensioners/{pensionerId}", ("Authorization", "Bearer " + token)));
        var results = firstWave.Concat(await Task.WhenAll(secondWave)).ToArray();

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.All(results, r => Assert.Contains(r.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.Conflict }));
        Assert.All(firstWave, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        var certificationIds = results.Select(r => r.CertificationId).OfType<string>().Append(approved).ToArray();

        // The worker removes what the in-flight submissions wrote after the erasure; a dispatcher run may follow.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        List<string> leftovers;
        while (true)
        {
            await Service<OutboxDispatcher>().DispatchAsync(CancellationToken.None);
            leftovers = await LeftoversAsync(pensionerId, certificationIds);
            var queued = (await host.Storage.VerificationQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            if ((leftovers.Count == 0 && queued == 0) || DateTime.UtcNow > deadline) break;
            await Task.Delay(500);
        }
        Assert.True(leftovers.Count == 0, "left behind: " + string.Join(", ", leftovers));
        Assert.Null(await Service<IPensionerRepository>().GetAsync(pensionerId, CancellationToken.None));
        // No verification of this pensioner's certifications failed or was given up: an erased certification's message
        // is dropped quietly, not retried into "recorded as Failed" errors (which would feed the failure-rate alert).
        var failures = host.Logs.Lines.Where(l => certificationIds.Any(c => l.Contains(c, StringComparison.Ordinal))
            && (l.StartsWith("Error", StringComparison.Ordinal) || l.Contains(nameof(CertificationNotYetVisibleException), StringComparison.Ordinal))).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(3)));
        var removedByWorker = host.Logs.Lines.Count(l => l.Contains(pensionerId, StringComparison.Ordinal) && l.Contains("was erased", StringComparison.Ordinal));
        output.WriteLine($"submissions: {string.Join(' ', results.Select(r => (int)r.Status))}; removed by the worker after the erasure: {removedByWorker}");
    }

    /// <summary>Everything of the pensioner still stored anywhere (blob container or any of the tables), named.</summary>
    private async Task<List<string>> LeftoversAsync(string pensionerId, IReadOnlyCollection<string> certificationIds)
    {
        var s = host.Storage;
        var found = new List<string>();
        async Task Rows(string what, TableClient table, string filter)
        {
            await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"]))
                found.Add($"{what} {e.PartitionKey}/{e.RowKey}");
        }
        await Rows("pensioner-row", s.Pensioners, TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}"));
        await Rows("identity", s.PensionerIdentities, TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"));
        await Rows("certification", s.Certifications, TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"));
        await Rows("review-case", s.ReviewCases, TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"));
        await Rows("due-index", s.CycleDueIndex, TableClient.CreateQueryFilter($"RowKey eq {pensionerId}"));
        await Rows("outbox-pointer", s.OutboxIndex, TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"));
        await Rows("region-list", s.RegionPensioners, TableClient.CreateQueryFilter($"RowKey eq {pensionerId}"));
        await Rows("payment-change", s.PaymentChanges, TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"));
        foreach (var c in certificationIds)
        {
            await Rows("retention", s.SelfieRetention, TableClient.CreateQueryFilter($"RowKey eq {c}"));
            await Rows("certification", s.Certifications, TableClient.CreateQueryFilter($"PartitionKey eq {c}"));
            if (await s.AnySelfieOfAsync(c)) found.Add("selfie " + c);
        }
        await foreach (var blob in s.References.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = pensionerId + "/" }))
            found.Add("reference " + blob.Name);
        return found.Distinct().ToList();
    }

    private SelfieRetentionService Purger(TimeProvider clock) => new(
        Service<ISelfieRetentionIndex>(), Service<ICertificationRepository>(), Service<IPhotoStore>(),
        Service<IOptions<RetentionOptions>>(), clock, NullLogger<SelfieRetentionService>.Instance);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}
