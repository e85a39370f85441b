using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Core.Audit;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Core.Operators;
using PensionCert.Core.Protection;
using PensionCert.Core.Storage;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Face templates at rest (issue #12) on Azurite: encrypted like names and ID numbers, bound to their pensioner, rows
/// written before encryption still read, key rotation; live references kept after an approved selfie, in the history,
/// erased with the pensioner.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class TemplateStorageTests(LocalHostFixture host)
{
    private IPensionerRepository Repository => host.App.Services.GetRequiredService<IPensionerRepository>();

    private Task<TableEntity> ProfileRowAsync(string pensionerId) =>
        host.Storage.Pensioners.GetEntityAsync<TableEntity>(pensionerId, "profile").ContinueWith(t => t.Result.Value, TaskScheduler.Default);

    private async Task<FaceEmbedding> EmbedAsync(string corpusPath)
    {
        var analyzer = host.App.Services.GetRequiredService<IFaceAnalyzer>();
        var analysis = await analyzer.AnalyzeAsync(await File.ReadAllBytesAsync(Path.Combine(PensionCert.Tests.Shared.SharedFaces.Root, corpusPath)), FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        Assert.True(analysis.IsUsable, corpusPath);
        return analysis.Embedding!;
    }

    /// <summary>True when any property of the row holds the template's bytes in clear (raw, or as base64).</summary>
    private static bool HoldsInClear(TableEntity row, FaceEmbedding template)
    {
        var bytes = template.ToBytes();
        var base64 = Convert.ToBase64String(bytes);
        return row.Select(p => p.Value).Any(v => v is byte[] b ? b.AsSpan().SequenceEqual(bytes) : v is string s && s.Contains(base64[..40], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enroll_TemplateStoredEncrypted_ReadsBackAsTheEnrolledPhotosTemplate()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var expected = await EmbedAsync(Photos.GenuineReference);

        var row = await ProfileRowAsync(pensionerId);
        var activeKey = host.App.Services.GetRequiredService<IOptions<DataProtectionOptions>>().Value.ActiveKeyId;

        Assert.False(row.ContainsKey("ReferenceEmbedding"));
        Assert.StartsWith(activeKey + ":", row.GetString("ReferenceEmbeddingProtected"), StringComparison.Ordinal);
        Assert.False(HoldsInClear(row, expected));
        var profile = await Repository.GetAsync(pensionerId, CancellationToken.None);
        Assert.Equal(expected.Values.ToArray(), profile!.ReferenceEmbedding.Values.ToArray());
    }

    [Fact]
    public async Task PlainRowFromBeforeEncryption_StillReads_AndIsEncryptedWhenNextSaved()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var template = (await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceEmbedding;
        // The row as the repository wrote it before templates were encrypted: the plain float bytes.
        var row = await ProfileRowAsync(pensionerId);
        row.Remove("ReferenceEmbeddingProtected");
        row["ReferenceEmbedding"] = template.ToBytes();
        await host.Storage.Pensioners.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var legacy = await Repository.GetAsync(pensionerId, CancellationToken.None);
        Assert.Equal(template.Values.ToArray(), legacy!.ReferenceEmbedding.Values.ToArray());

        await Repository.UpdateAsync(legacy, CancellationToken.None);
        var rewritten = await ProfileRowAsync(pensionerId);
        Assert.False(rewritten.ContainsKey("ReferenceEmbedding"));
        Assert.False(HoldsInClear(rewritten, template));
        Assert.Equal(template.Values.ToArray(), (await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceEmbedding.Values.ToArray());
    }

    [Fact]
    public async Task TemplateCopiedIntoAnotherPensionersRow_Refused()
    {
        var first = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var second = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.Impostor);
        var secondRow = await ProfileRowAsync(second);
        secondRow["ReferenceEmbeddingProtected"] = (await ProfileRowAsync(first)).GetString("ReferenceEmbeddingProtected");
        await host.Storage.Pensioners.UpdateEntityAsync(secondRow, secondRow.ETag, TableUpdateMode.Replace);

        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => Repository.GetAsync(second, CancellationToken.None));
        await host.Storage.Pensioners.DeleteEntityAsync(second, "profile");
    }

    [Fact]
    public async Task KeyRotation_OldTemplatesRead_RewrittenWithTheNewKey()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var current = host.App.Services.GetRequiredService<IOptions<DataProtectionOptions>>().Value;
        var rotated = new DataProtectionOptions { ActiveKeyId = "rotated2", Keys = new(current.Keys, StringComparer.Ordinal) { ["rotated2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) } };
        var afterRotation = new TablePensionerRepository(host.Storage, new AesGcmPersonalDataProtector(Options.Create(rotated)));
        var live = new LiveReference("cert-rotation", DateTimeOffset.UtcNow, await EmbedAsync(Photos.GenuineProbe));

        var profile = await afterRotation.GetAsync(pensionerId, CancellationToken.None);
        await afterRotation.UpdateAsync(profile! with { LiveReferences = [live] }, CancellationToken.None);

        var row = await ProfileRowAsync(pensionerId);
        Assert.StartsWith("rotated2:", row.GetString("ReferenceEmbeddingProtected"), StringComparison.Ordinal);
        Assert.StartsWith("rotated2:", row.GetString("LiveReferencesProtected"), StringComparison.Ordinal);
        Assert.False(HoldsInClear(row, live.Embedding));
        var read = await afterRotation.GetAsync(pensionerId, CancellationToken.None);
        Assert.Equal(profile!.ReferenceEmbedding.Values.ToArray(), read!.ReferenceEmbedding.Values.ToArray());
        var kept = Assert.Single(read.LiveReferences);
        Assert.Equal(("cert-rotation", live.AddedAt), (kept.CertificationId, kept.AddedAt));
        // FromBytes normalises again: equal to float rounding.
        Assert.All(live.Embedding.Values.ToArray().Zip(kept.Embedding.Values.ToArray()), v => Assert.Equal(v.First, v.Second, 1e-6f));
        // Without the new key (the host's settings before rotation) the row no longer reads.
        await Assert.ThrowsAsync<CryptographicException>(() => Repository.GetAsync(pensionerId, CancellationToken.None));
        await host.Storage.Pensioners.DeleteEntityAsync(pensionerId, "profile");
    }

    [Fact]
    public async Task ApprovedSelfieWellAboveThreshold_KeptAsLiveReference_InHistory_ErasedWithThePensioner()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        var decided = await host.PollDecidedAsync(certificationId);
        var options = host.App.Services.GetRequiredService<IOptions<VerificationOptions>>().Value;
        Assert.Equal("Approved", decided.GetProperty("status").GetString());

        var profile = await Repository.GetAsync(pensionerId, CancellationToken.None);
        var kept = Assert.Single(profile!.LiveReferences);
        Assert.Equal(certificationId, kept.CertificationId);
        var probe = await EmbedAsync(Photos.GenuineProbe);
        Assert.True(kept.Embedding.CosineSimilarity(probe) > 0.99, "the kept template is the selfie's");
        Assert.True(kept.Embedding.CosineSimilarity(profile.ReferenceEmbedding) >= options.AcceptThreshold + options.LiveReferenceMargin);
        // The audit entry was stored with the approval's event (same transaction as the template) and is appended to the
        // audit log by the outbox dispatcher, once however often it runs.
        // (The host's own dispatcher timer may hold the pointer partitions for a moment: dispatch until it is there.)
        IReadOnlyList<AuditEntry> audit = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline && !audit.Any(e => e.Action == LiveReferenceKeeper.AuditAction); await Task.Delay(200))
        {
            await host.App.Services.GetRequiredService<Core.Cycle.OutboxDispatcher>().DispatchAsync(CancellationToken.None);
            audit = await host.App.Services.GetRequiredService<IAuditLog>().ForPensionerAsync(pensionerId, CancellationToken.None);
        }
        await host.App.Services.GetRequiredService<Core.Cycle.OutboxDispatcher>().DispatchAsync(CancellationToken.None);
        audit = await host.App.Services.GetRequiredService<IAuditLog>().ForPensionerAsync(pensionerId, CancellationToken.None);
        Assert.Single(audit, e => e.Action == LiveReferenceKeeper.AuditAction && e.Detail!.Contains(certificationId, StringComparison.Ordinal));
        var history = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/history", LocalHostFixture.OperatorHeader(Core.Operators.OperatorRole.Admin, id[..6]));
        Assert.Equal(certificationId, Assert.Single(history.GetProperty("liveReferences").EnumerateArray()).GetProperty("certificationId").GetString());

        // The same approval delivered again adds nothing.
        var keeper = host.App.Services.GetRequiredService<LiveReferenceKeeper>();
        var record = await host.App.Services.GetRequiredService<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None);
        Assert.False(await keeper.ConsiderAsync(record!, new VerificationDecision(CertificationStatus.Approved, 0.9, 0.9, []) { Probe = probe }, profile.ReferenceVersion, CancellationToken.None));

        var token = LocalHostFixture.OperatorToken(Core.Operators.OperatorRole.Admin, [id[..6]], subject: "admin-erase-templates");
        await EndedPensioners.MarkTransferredAsync(host.App.Services, pensionerId);
        using var erase = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Delete, $"/api/pensioners/{pensionerId}", ("Authorization", "Bearer " + token)));
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        var left = new List<string>();
        await foreach (var row in host.Storage.Pensioners.QueryAsync<TableEntity>(e => e.PartitionKey == pensionerId)) left.Add(row.RowKey);
        Assert.Empty(left);
    }

    [Fact]
    public async Task LiveReferences_CappedOldestDropped()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var keeper = host.App.Services.GetRequiredService<LiveReferenceKeeper>();
        var max = host.App.Services.GetRequiredService<IOptions<VerificationOptions>>().Value.MaxLiveReferences;
        var probe = await EmbedAsync(Photos.GenuineProbe);
        var ids = Enumerable.Range(1, max + 2).Select(i => $"cert-cap-{i}").ToArray();
        foreach (var certificationId in ids)
        {
            var record = new CertificationRecord
            {
                CertificationId = certificationId, PensionerId = pensionerId, Channel = CertificationChannel.WeChat,
                Status = CertificationStatus.Processing, SelfieBlobName = certificationId, SubmittedAt = DateTimeOffset.UtcNow,
            };
            Assert.True(await keeper.ConsiderAsync(record, new VerificationDecision(CertificationStatus.Approved, 0.9, 0.9, []) { Probe = probe }, referenceVersion: 1, CancellationToken.None));
        }

        var profile = await Repository.GetAsync(pensionerId, CancellationToken.None);
        Assert.Equal(ids[^max..], profile!.LiveReferences.Select(r => r.CertificationId));
        Assert.Equal(max + 1, profile.References.Count);
    }

    [Fact]
    public async Task ReferenceChangedByFourEyes_KeptLiveReferencesCleared_OldFaceNoLongerApproved()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var kept = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.Equal("Approved", kept.GetProperty("status").GetString());
        Assert.Single((await Repository.GetAsync(pensionerId, CancellationToken.None))!.LiveReferences);

        // A clerk uploads another person's face as the new reference; a second operator approves the change.
        var caseId = await ChangeReferenceAsync(id, Photos.Impostor, "clerk-live-refs");
        var profile = (await Repository.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(2, profile.ReferenceVersion);
        Assert.Empty(profile.LiveReferences);
        Assert.Null((await ProfileRowAsync(pensionerId)).GetString("LiveReferencesProtected"));
        var history = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/history", LocalHostFixture.OperatorHeader(OperatorRole.Admin, id[..6]));
        Assert.Empty(history.GetProperty("liveReferences").EnumerateArray());

        // The very selfie kept before is now compared with the new reference alone: the old identity is gone.
        var oldFace = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.NotEqual("Approved", oldFace.GetProperty("status").GetString());
        Assert.NotNull(caseId);
    }

    [Fact]
    public async Task VerificationFinishingAfterAReferenceChange_KeepsNoTemplateOfTheOldIdentity()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await ChangeReferenceAsync(id, Photos.Impostor, "clerk-live-race");
        Assert.Equal(2, (await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceVersion);

        // A selfie compared with reference version 1 whose decision is written only now.
        var record = new CertificationRecord
        {
            CertificationId = "cert-race-" + Guid.NewGuid().ToString("N")[..8], PensionerId = pensionerId, Channel = CertificationChannel.WeChat,
            Status = CertificationStatus.Processing, SelfieBlobName = "none", SubmittedAt = DateTimeOffset.UtcNow,
        };
        var keeper = host.App.Services.GetRequiredService<LiveReferenceKeeper>();
        var decision = new VerificationDecision(CertificationStatus.Approved, 0.9, 0.9, []) { Probe = await EmbedAsync(Photos.GenuineProbe) };
        Assert.False(await keeper.ConsiderAsync(record, decision, referenceVersion: 1, CancellationToken.None));
        Assert.Empty((await Repository.GetAsync(pensionerId, CancellationToken.None))!.LiveReferences);
        Assert.True(await keeper.ConsiderAsync(record, decision, referenceVersion: 2, CancellationToken.None));
    }

    /// <summary>Re-enrols <paramref name="idNumber"/> with <paramref name="photo"/> by a clerk (pending, 202) and has a reviewer approve the case; returns it.</summary>
    private async Task<string> ChangeReferenceAsync(string idNumber, string photo, string clerkSubject)
    {
        (string, string) clerk = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Clerk, [idNumber[..6]], clerkSubject));
        using var upload = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", clerk,
            LocalHostFixture.Multipart(("idNumber", idNumber), ("name", "测试人员"), ("regionCode", idNumber[..6])).WithPhoto(photo)));
        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Accepted, body);
        var caseId = JsonDocument.Parse(body).RootElement.GetProperty("pendingReviewCaseId").GetString()!;
        (string, string) reviewer = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Reviewer, [idNumber[..6]], "reviewer-" + clerkSubject));
        foreach (var (path, json) in new[] { ($"/api/review-cases/{caseId}/claim", "{}"), ($"/api/review-cases/{caseId}/decision", """{"decision":"approve"}""") })
        {
            using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, path, reviewer, new StringContent(json, System.Text.Encoding.UTF8, "application/json")));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
        return caseId;
    }
}
