using System.CommandLine;
using PensionCert.Tools;
using PensionCert.Tools.Bench;

var facesOption = new Option<DirectoryInfo>("--faces")
{
    Description = "A folder laid out like shared/faces (MANIFEST.csv, PAIRS.csv and the photos).",
    Required = true,
};
var thresholdReportOption = new Option<bool>("--threshold-report")
{
    Description = "Also print FAR/FRR and decision shares over a grid of thresholds.",
};

var evaluate = new Command("evaluate", "Measure 1:1 verification and passive liveness accuracy on a face corpus.")
{
    facesOption,
    thresholdReportOption,
};
evaluate.SetAction(async (parse, cancellationToken) =>
{
    var faces = parse.GetValue(facesOption)!;
    return await Evaluation.RunAsync(faces, parse.GetValue(thresholdReportOption), Console.Out, cancellationToken);
});

var root = new RootCommand("PensionCert developer tools.") { evaluate, BenchCommands.Create(facesOption) };
return await root.Parse(args).InvokeAsync();
