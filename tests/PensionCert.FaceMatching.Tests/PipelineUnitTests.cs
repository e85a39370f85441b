using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

public sealed class PipelineUnitTests
{
    [Fact]
    public void Estimate_KnownSimilarity_Recovered()
    {
        // Reference points mapped by the inverse of a known similarity must come back to the reference exactly.
        SKPoint[] reference = [new(38.7946f, 52.1963f), new(74.0318f, 52.0014f), new(56.5252f, 72.2366f), new(42.0493f, 92.8655f), new(71.2299f, 92.7041f)];
        var known = SKMatrix.CreateRotationDegrees(17).PostConcat(SKMatrix.CreateScale(3.2f, 3.2f)).PostConcat(SKMatrix.CreateTranslation(400, 250));
        var source = reference.Select(known.MapPoint).ToArray();
        var estimate = FaceAligner.Estimate(source);
        for (var i = 0; i < reference.Length; i++)
        {
            var mapped = estimate.MapPoint(source[i]);
            Assert.Equal(reference[i].X, mapped.X, 3);
            Assert.Equal(reference[i].Y, mapped.Y, 3);
        }
    }

    [Fact]
    public void Suppress_OverlappingBoxes_KeepsBest()
    {
        var faces = new List<DetectedFace>
        {
            new(new SKRect(0, 0, 100, 100), 0.8f),
            new(new SKRect(5, 5, 105, 105), 0.95f),
            new(new SKRect(200, 200, 260, 260), 0.7f),
        };
        var kept = FaceDetector.Suppress(faces);
        Assert.Equal(2, kept.Count);
        Assert.Equal(0.95f, kept[0].Score);
        Assert.Equal(0.7f, kept[1].Score);
    }

    [Fact]
    public void CropBox_FaceNearCorner_ScaledAndKeptInside()
    {
        var crop = LivenessScorer.CropBox(new SKRect(10, 10, 110, 130), 1000, 800);
        Assert.Equal(270, crop.Width, 3);
        Assert.Equal(324, crop.Height, 3);
        Assert.Equal(0, crop.Left, 3);
        Assert.Equal(0, crop.Top, 3);

        var big = LivenessScorer.CropBox(new SKRect(100, 100, 400, 500), 640, 480);
        Assert.True(big.Right <= 640 && big.Bottom <= 480 && big.Left >= 0 && big.Top >= 0);
    }

    [Fact]
    public void AddFaceMatching_InvalidQualityOptions_FailsStartupValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PensionCert:Quality:MinBrightness"] = "200",
            ["PensionCert:Quality:MaxBrightness"] = "100",
            ["PensionCert:Models:IntraOpThreads"] = "0",
        }).Build();
        using var services = new ServiceCollection().AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)).AddFaceMatching(configuration).BuildServiceProvider();
        var error = Assert.Throws<AggregateException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(error.InnerExceptions, e => e is OptionsValidationException o && o.Message.Contains(nameof(FaceQualityOptions.MinBrightness)));
        Assert.Contains(error.InnerExceptions, e => e is OptionsValidationException o && o.Message.Contains(nameof(FaceModelOptions.IntraOpThreads)));
    }

    [Fact]
    public void AddFaceMatching_Defaults_BoundAndValid()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PensionCert:Quality:MinFaceWidthPixels"] = "64",
        }).Build();
        using var services = new ServiceCollection().AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)).AddFaceMatching(configuration).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(64, services.GetRequiredService<IOptions<FaceQualityOptions>>().Value.MinFaceWidthPixels);
        Assert.Equal("models", services.GetRequiredService<IOptions<FaceModelOptions>>().Value.Directory);
        Assert.IsType<FaceAnalyzer>(services.GetRequiredService<IFaceAnalyzer>());
        Assert.Empty(Validate(new FaceQualityOptions()));
        Assert.Empty(Validate(new FaceModelOptions()));
    }

    [Fact]
    public async Task FaceModels_MissingDirectory_NotReadyAndListsMissing()
    {
        var options = Options.Create(new FaceModelOptions { Directory = Path.Combine(Path.GetTempPath(), "no-such-models-" + Guid.NewGuid()) });
        using var models = new FaceModels(options, NullLogger<FaceModels>.Instance);
        Assert.False(models.IsReady);
        Assert.Equal(["fr_detect.onnx", "fr_landmark.onnx", "fr_feature.onnx", "fr_liveness.onnx"], models.Missing);
        var analyzer = new FaceAnalyzer(models, Options.Create(new FaceQualityOptions()), NullLogger<FaceAnalyzer>.Instance);
        await Assert.ThrowsAsync<PensionCert.Core.Errors.ServiceNotReadyException>(() => analyzer.AnalyzeAsync(new byte[] { 1, 2, 3 }, FaceAnalysisPurpose.Enrollment, CancellationToken.None));
    }

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
