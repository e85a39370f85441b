using System.Text.Json;
using System.Text.Json.Serialization;

namespace PensionCert.Tools;

/// <summary>Approved / NeedsReview / Rejected shares (0..1) of a set of pairs under the shipped policy.</summary>
internal sealed record DecisionShares(double Approved, double NeedsReview, double Rejected);

/// <summary>Verification figures of one cohort (all pairs, or one source folder).</summary>
internal sealed record CohortSummary(
    string Cohort,
    int GenuinePairs,
    int ImpostorPairs,
    int GenuineScored,
    int ImpostorScored,
    double Eer,
    double TarAtFar1e2,
    double AcceptThreshold,
    double TarAtAccept,
    double FarAtAccept,
    double? GenuineMedian,
    double? HighestImpostor,
    double? LowestGenuine,
    DecisionShares GenuineDecisions,
    DecisionShares ImpostorDecisions);

/// <summary>The k-fold protocol's figures (<c>--protocol lfw</c>).</summary>
internal sealed record ProtocolSummary(
    string Protocol,
    double Accuracy,
    double Std,
    int Scored,
    int Pairs,
    IReadOnlyList<double> FoldAccuracies,
    IReadOnlyList<double> FoldThresholds,
    double TarAtFar1e3,
    double TarAtFar1e2,
    IReadOnlyDictionary<string, int> GateRefusalsBySide);

/// <summary>The fgnet ageing simulation: TAR of B against A alone and against the best of {A, C}.</summary>
internal sealed record AgeingSimulation(int Triples, double AcceptThreshold, double ReviewThreshold, double TarSingleReference, double TarWithIntermediate, double RejectedSingleReference, double RejectedWithIntermediate);

/// <summary>The whole summary of one <c>evaluate</c> run, written by <c>--json FILE</c> so runs can be compared by a script.</summary>
internal sealed record EvaluationSummary(
    string Corpus,
    string Mode,
    int Photos,
    int Pairs,
    CohortSummary All,
    IReadOnlyList<CohortSummary> Sources,
    ProtocolSummary? Protocol = null,
    AgeingSimulation? Ageing = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public async Task WriteAsync(FileInfo file, CancellationToken cancellationToken)
    {
        file.Directory?.Create();
        await using var stream = file.Create();
        await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken);
    }

    public static EvaluationSummary Read(string path) => JsonSerializer.Deserialize<EvaluationSummary>(File.ReadAllText(path), Json)!;
}
