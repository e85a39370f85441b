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

var protocolOption = new Option<string?>("--protocol")
{
    Description = "lfw: LFW view 2's 10-fold protocol over PAIRS.csv with a fold column (the matcher scored on every pair, then the shipped policy).",
};
protocolOption.AcceptOnlyFromAmong("lfw");
var jsonOption = new Option<FileInfo?>("--json")
{
    Description = "Also write the whole summary as JSON to this file (counts, EER, TAR@FAR, decision shares, per source folder).",
};
var attacksOption = new Option<bool>("--attacks")
{
    Description = "Also measure presentation attacks made at run time: noise added to the spoofs (and to genuine probes) against the noise gate, and the reference mirrored/recompressed/rotated as the selfie against the replay check.",
};
var evaluate = new Command("evaluate", "Measure 1:1 verification and passive liveness accuracy on a face corpus.")
{
    facesOption,
    attacksOption,
    thresholdReportOption,
    protocolOption,
    jsonOption,
};
evaluate.SetAction(async (parse, cancellationToken) =>
{
    var faces = parse.GetValue(facesOption)!;
    var json = parse.GetValue(jsonOption);
    return parse.GetValue(protocolOption) == "lfw"
        ? await LfwProtocol.RunAsync(faces, json, Console.Out, cancellationToken)
        : await Evaluation.RunAsync(faces, parse.GetValue(thresholdReportOption), json, Console.Out, cancellationToken, parse.GetValue(attacksOption));
});

var storageOption = new Option<string>("--storage")
{
    Description = "Storage connection string (default: the AzureWebJobsStorage environment variable, else UseDevelopmentStorage=true).",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AzureWebJobsStorage") ?? "UseDevelopmentStorage=true",
};
var populationOption = new Option<int>("--population") { Description = "N: pensioners in the first run.", DefaultValueFactory = _ => 2000 };
var dueOption = new Option<int>("--due") { Description = "K: pensioners due on each scanned date.", DefaultValueFactory = _ => 100 };
var scaleOption = new Option<int>("--scale") { Description = "The second run's population is scale × N.", DefaultValueFactory = _ => 10 };
var fanOutDueOption = new Option<int>("--fanout-due") { Description = "F: pensioners due on each fan-out date (one run each at 1, 2 and 4 workers).", DefaultValueFactory = _ => 2000 };
var itemSizeOption = new Option<int>("--item-size") { Description = "Pensioners per work item (PensionCert:CycleScan:ItemSize).", DefaultValueFactory = _ => 200 };
var benchScan = new Command("bench-scan", "Time the daily cycle scan for a date with K due, with the population at N and at scale×N, then its fan-out at 1, 2 and 4 workers (use a throw-away Azurite).")
{
    storageOption,
    populationOption,
    dueOption,
    scaleOption,
    fanOutDueOption,
    itemSizeOption,
};
benchScan.SetAction(async (parse, cancellationToken) =>
    await ScanBenchmark.RunAsync(parse.GetValue(storageOption)!, parse.GetValue(populationOption), parse.GetValue(dueOption), parse.GetValue(scaleOption),
        parse.GetValue(fanOutDueOption), parse.GetValue(itemSizeOption), Console.Out, cancellationToken));

var countOption = new Option<int>("--count") { Description = "Most messages to show (1-32: a Storage queue can be peeked only at its first 32).", DefaultValueFactory = _ => 32 };
var allOption = new Option<bool>("--all")
{
    Description = "Print every message, paging past the first 32: each is received with a 60-second visibility timeout and made visible again at once (nothing is removed; its dequeue count goes up by one).",
};
var peekEvents = new Command("peek-events", "Print the CloudEvents waiting in the local event sink (Storage queue pensioncert-events) without removing them (the first 32 unless --all; a note on standard error says when there are more).")
{
    storageOption,
    countOption,
    allOption,
};
peekEvents.SetAction(async (parse, cancellationToken) =>
{
    var queue = new Azure.Storage.Queues.QueueClient(parse.GetValue(storageOption)!, PensionCert.Core.Definitions.QueueNames.Events);
    await PensionCert.Tools.EventSinkViewer.PrintAsync(queue, parse.GetValue(countOption), parse.GetValue(allOption), Console.Out, Console.Error, cancellationToken);
    return 0;
});

var dateOption = new Option<string?>("--date")
{
    Description = "Run as of this China date (yyyy-MM-dd) on a clock fixed at 01:00 China time that day: scans every date up to it (local walkthrough of a year).",
};
dateOption.Validators.Add(result =>
{
    var value = result.GetValueOrDefault<string?>();
    if (value is not null && !DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
        result.AddError("--date must be yyyy-MM-dd.");
});
var runCycle = new Command("run-cycle", "Run the daily cycle scan, the home-visit sweep and the event dispatcher once now, or as of --date (local demo; the timers do this at 01:00 and 01:20 China time and every minute).")
{
    storageOption,
    dateOption,
};
runCycle.SetAction(async (parse, cancellationToken) => await CycleCommands.RunOnceAsync(parse.GetValue(storageOption)!,
    parse.GetValue(dateOption) is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null, Console.Out, cancellationToken));

var acceptedOption = new Option<FileInfo>("--accepted")
{
    Description = "File with the accepted certification ids, one per line.",
    Required = true,
};
var chaosCheck = new Command("chaos-check", "After scripts/chaos.sh: count accepted certifications decided exactly once, stuck and lost, and duplicate events in the local sink.")
{
    storageOption,
    acceptedOption,
};
chaosCheck.SetAction(async (parse, cancellationToken) => await ChaosCheck.RunAsync(parse.GetValue(storageOption)!, parse.GetValue(acceptedOption)!, Console.Out, cancellationToken));


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
    Description = "clerk, reviewer, admin, or integration (the machine identity of the evidence import; never a person).",
    Required = true,
};
roleOption.AcceptOnlyFromAmong("clerk", "reviewer", "admin", "integration");
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

var clipArgument = new Argument<FileInfo>("clip") { Description = "A movement clip, e.g. ../shared/liveness/clips/turn-left-right_real.webm." };
var fpsOption = new Option<double>("--fps") { Description = "Frames per second to extract.", DefaultValueFactory = _ => 4 };
var widthOption = new Option<int>("--width") { Description = "Frame width in pixels (the phone page uploads 480).", DefaultValueFactory = _ => 480 };
var atOption = new Option<double[]>("--at") { Description = "Read single frames at these times in seconds instead (as the tests take them).", AllowMultipleArgumentsPerToken = true };
var readFrames = new Command("read-frames", "Print what the action-challenge models (fr_pose, fr_eye, liveness, embedding) read on each frame of a clip (needs ffmpeg).")
{
    clipArgument, fpsOption, widthOption, atOption,
};
readFrames.SetAction(async (parse, cancellationToken) =>
    await ActionCalibration.RunAsync(parse.GetValue(clipArgument)!, parse.GetValue(fpsOption), parse.GetValue(widthOption), parse.GetValue(atOption) ?? [], Console.Out, cancellationToken));

var root = new RootCommand("PensionCert developer tools.") { evaluate, mintToken, BenchCommands.Create(facesOption), benchScan, peekEvents, runCycle, chaosCheck, readFrames, TableImportCommand.Create() };
return await root.Parse(args).InvokeAsync();
