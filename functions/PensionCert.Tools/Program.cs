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

var settingsOption = new Option<FileInfo?>("--settings")
{
    Description = "appsettings.json with PensionCert:OperatorAuth (default: functions/PensionCert.LocalHost/appsettings.json).",
};
var subjectOption = new Option<string>("--subject")
{
    Description = "Opaque operator id (the token's sub), recorded in the audit table.",
    DefaultValueFactory = _ => "dev-operator",
};
var roleOption = new Option<string>("--role")
{
    Description = "clerk, reviewer or admin.",
    Required = true,
};
roleOption.AcceptOnlyFromAmong("clerk", "reviewer", "admin");
var regionOption = new Option<string[]>("--region")
{
    Description = "A six-digit GB/T 2260 region code served (repeat for several; 110000 serves all of Beijing).",
    Required = true,
    AllowMultipleArgumentsPerToken = true,
};
var minutesOption = new Option<int>("--minutes")
{
    Description = "Lifetime in minutes.",
    DefaultValueFactory = _ => 60,
};
var mintToken = new Command("mint-token", "Print a local operator bearer token signed with the local host's development key.")
{
    settingsOption, subjectOption, roleOption, regionOption, minutesOption,
};
mintToken.SetAction(parse => MintToken.Run(parse.GetValue(settingsOption), parse.GetValue(subjectOption)!, parse.GetValue(roleOption)!,
    parse.GetValue(regionOption)!, parse.GetValue(minutesOption), Console.Out, Console.Error));

var root = new RootCommand("PensionCert developer tools.") { evaluate, mintToken, BenchCommands.Create(facesOption) };
return await root.Parse(args).InvokeAsync();
