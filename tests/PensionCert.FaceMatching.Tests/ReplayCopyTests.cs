using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Tests.Shared;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// The pixel fingerprint of the aligned face (<see cref="FaceFingerprint"/>) and the near-duplicate replay test built on
/// it, on real photos of ../shared/faces copied and degraded here with the real models: a copy of the reference photo
/// is more alike than any different photo of the same person, and goes to review as <c>probe-matches-reference</c>.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class ReplayCopyTests(FaceCorpusFixture corpus)
{
    /// <summary>References of several sources: a press photo, an LFW thumbnail, an East-Asian studio photo, a scanned FG-NET print.</summary>
    public static TheoryData<string> References => new()
    {
        "deepface/img1.jpg",
        "lfw/Jiang_Zemin/Jiang_Zemin_0001.jpg",
        "asian_faces/Ruco_Chan/115_2.jpg",
        "fgnet/003A18.jpg",
    };

    /// <summary>What a fraudster does to a printed or downloaded reference photo before submitting it.</summary>
    private static readonly (string Label, Func<byte[], byte[]> Make)[] Copies =
    [
        ("q50", b => PhotoTransforms.Recompress(b, 50)),
        ("q30", b => PhotoTransforms.Recompress(b, 30)),
        ("noise σ8", b => PhotoTransforms.AddNoise(b, 8, 5, 90)),
        ("resize 0.5", b => PhotoTransforms.Resize(b, 0.5)),
        ("crop 3%", b => PhotoTransforms.Crop(b, 0.03, 0.03, 0.03, 0.03)),
        ("rotate 5°", b => PhotoTransforms.Rotate(b, 5)),
        ("darker", b => PhotoTransforms.Levels(b, 0.8, -10)),
        ("blur 1.5 noise σ5 q50", b => PhotoTransforms.AddNoise(PhotoTransforms.Blur(b, 1.5f), 5, 6, 50)),
        ("mirror", b => PhotoTransforms.Mirror(b)),
    ];

    [Theory]
    [MemberData(nameof(References))]
    public void Fingerprint_CopiesOfTheReference_MoreAlikeThanEveryOtherPhotoOfThePerson(string referencePath)
    {
        var reference = corpus.Analyze(referencePath, FaceAnalysisPurpose.Enrollment);
        Assert.NotNull(reference.Fingerprint);
        var identity = corpus.Photos.Single(p => p.Path == referencePath).Identity;
        var others = corpus.Photos.Where(p => p.Identity == identity && p.Kind == "live" && p.Path != referencePath)
            .Select(p => corpus.Analyze(p.Path, FaceAnalysisPurpose.Verification)).Where(a => a.IsUsable).ToList();
        Assert.NotEmpty(others);
        var closestOther = others.Max(a => a.Fingerprint!.Similarity(reference.Fingerprint!));

        foreach (var (label, make) in Copies)
        {
            var copy = corpus.Analyzer.Analyze(make(corpus.Read(referencePath)), FaceAnalysisPurpose.Verification, out _);
            if (!copy.IsUsable) continue; // refused by a quality gate: never approved anyway
            var similarity = copy.Fingerprint!.Similarity(reference.Fingerprint!);
            Assert.True(similarity > closestOther, $"{label}: copy {similarity:F4}, closest other photo of {identity} {closestOther:F4}");
            // A mirrored copy is caught by the mirrored embedding; its mirrored fingerprint measured 0.88-0.98 (evaluate --copies).
            if (label != "mirror")
                Assert.True(corpus.Policy.IsCopy(copy, [reference.Fingerprint!]), $"{label}: copy {similarity:F4} below the threshold {VerificationOptions.DefaultCopyFingerprintThreshold}");
            var decision = corpus.Policy.Decide(copy, [reference.Embedding!], [reference.Fingerprint!]);
            Assert.True(decision.Status != CertificationStatus.Approved, $"{label}: approved");
            if (decision.Similarity >= VerificationOptions.DefaultAcceptThreshold) Assert.Contains(Reasons.ProbeMatchesReference, decision.Reasons);
        }
    }

    [Theory]
    [MemberData(nameof(References))]
    public void Decide_ReferenceRecompressedAtQ50_NeedsReviewProbeMatchesReference(string referencePath)
    {
        var reference = corpus.Analyze(referencePath, FaceAnalysisPurpose.Enrollment);
        var copy = corpus.Analyzer.Analyze(PhotoTransforms.Recompress(corpus.Read(referencePath), 50), FaceAnalysisPurpose.Verification, out _);
        Assert.True(copy.IsUsable, string.Join(',', copy.Problems.Select(p => p.Code)));

        var decision = corpus.Policy.Decide(copy, [reference.Embedding!], [reference.Fingerprint!]);

        Assert.Equal(CertificationStatus.NeedsReview, decision.Status);
        Assert.Contains(Reasons.ProbeMatchesReference, decision.Reasons);
        Assert.NotEqual(CertificationStatus.Approved, decision.Status);
    }

    [Fact]
    public void IsCopy_GenuinePairsOfDifferentPhotos_NeverFlagged()
    {
        var flagged = new List<string>();
        var checkedPairs = 0;
        foreach (var pair in corpus.Pairs.Where(p => p.Same && !SamePhoto(p.PathA, p.PathB)))
        {
            var reference = corpus.Analyze(pair.PathA, FaceAnalysisPurpose.Enrollment);
            var probe = corpus.Analyze(pair.PathB, FaceAnalysisPurpose.Verification);
            if (!reference.IsUsable || !probe.IsUsable) continue;
            checkedPairs++;
            if (corpus.Policy.IsCopy(probe, [reference.Fingerprint!]))
                flagged.Add($"{pair.PathA} vs {pair.PathB} {probe.Fingerprint!.Similarity(reference.Fingerprint!):F4}");
        }

        Assert.True(checkedPairs >= 400, $"{checkedPairs} usable genuine pairs");
        Assert.Empty(flagged);
    }

    /// <summary>A pair of PAIRS.csv that is one press photo cropped twice (evaluate's CopyStudy.SamePhotoPairs).</summary>
    private static bool SamePhoto(string a, string b) => (a, b) == ("asian_faces/Cai_Gang/119_1.jpg", "asian_faces/Cai_Gang/119_19.jpg");

    [Fact]
    public void Fingerprint_GenuinePairThatIsOnePhotoCroppedTwice_FlaggedAndMoreAlikeThanAnyPairOfDifferentPhotos()
    {
        var reference = corpus.Analyze("asian_faces/Cai_Gang/119_1.jpg", FaceAnalysisPurpose.Enrollment);
        var tighterCrop = corpus.Analyze("asian_faces/Cai_Gang/119_19.jpg", FaceAnalysisPurpose.Verification);
        var highestDifferent = corpus.Pairs.Where(p => p.Same && !SamePhoto(p.PathA, p.PathB))
            .Select(p => (A: corpus.Analyze(p.PathA, FaceAnalysisPurpose.Enrollment), B: corpus.Analyze(p.PathB, FaceAnalysisPurpose.Verification)))
            .Where(x => x.A.IsUsable && x.B.IsUsable).Max(x => x.B.Fingerprint!.Similarity(x.A.Fingerprint!));

        Assert.True(corpus.Policy.IsCopy(tighterCrop, [reference.Fingerprint!]));
        Assert.True(tighterCrop.Fingerprint!.Similarity(reference.Fingerprint!) > highestDifferent);
    }

    [Fact]
    public void Fingerprint_SamePhotoStoredTwice_FlaggedAsACopy()
    {
        // The corpus's own duplicate: obama2_32bit.png is obama2.jpg saved again as PNG (left out of PAIRS.csv as trivial).
        var jpeg = corpus.Analyze("face_recognition/obama2.jpg", FaceAnalysisPurpose.Enrollment);
        var png = corpus.Analyze("face_recognition/obama2_32bit.png", FaceAnalysisPurpose.Verification);

        Assert.True(corpus.Policy.IsCopy(png, [jpeg.Fingerprint!]));
        Assert.Contains(Reasons.ProbeMatchesReference, corpus.Policy.Decide(png, [jpeg.Embedding!], [jpeg.Fingerprint!]).Reasons);
    }

    [Fact]
    public void Fingerprint_BytesRoundTrip_SameSimilarity_OtherVersionIgnored()
    {
        var reference = corpus.Analyze("deepface/img1.jpg", FaceAnalysisPurpose.Enrollment).Fingerprint!;
        var probe = corpus.Analyze("deepface/img2.jpg", FaceAnalysisPurpose.Verification).Fingerprint!;
        var bytes = reference.ToBytes();

        var read = FaceFingerprint.FromBytes(bytes);

        Assert.NotNull(read);
        Assert.Equal(reference.Grey.ToArray(), read.Grey.ToArray());
        Assert.Equal(reference.Similarity(probe), read.Similarity(probe));
        Assert.Equal(1.0, read.Similarity(reference), 9);
        bytes[0] = FaceFingerprint.Version + 1;
        Assert.Null(FaceFingerprint.FromBytes(bytes));
        Assert.Null(FaceFingerprint.FromBytes(bytes.AsSpan(0, 100)));
    }

    [Fact]
    public void Fingerprint_BrighterAndLowerContrastCopy_CorrelationUnchangedWhileGreyLevelsMove()
    {
        const string path = "asian_faces/Ruco_Chan/115_2.jpg";
        var reference = corpus.Analyze(path, FaceAnalysisPurpose.Enrollment).Fingerprint!;
        var copy = corpus.Analyzer.Analyze(PhotoTransforms.Levels(corpus.Read(path), 0.7, 60), FaceAnalysisPurpose.Verification, out _).Fingerprint!;

        var meanShift = copy.Grey.ToArray().Average(v => (double)v) - reference.Grey.ToArray().Average(v => (double)v);

        Assert.True(Math.Abs(meanShift) > 10, $"mean grey level moved by {meanShift:F1}");
        Assert.True(copy.Similarity(reference) >= VerificationOptions.DefaultCopyFingerprintThreshold, $"{copy.Similarity(reference):F4}");
    }
}
