using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PensionCert.Infra.Tests;

/// <summary>One Bicep fixture for every test class of this assembly (the CLI runs are the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class BicepCollection : ICollectionFixture<BicepTemplates>
{
    public const string Name = "bicep";
}

/// <summary>One run of the Bicep CLI: its arguments, exit code, standard output and error output.</summary>
public sealed partial record BicepRun(string Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Diagnostics (<c>file(line,col) : Error|Warning code: message</c>) from either stream.</summary>
    public IReadOnlyList<string> Diagnostics =>
        (StandardError + "\n" + StandardOutput).Split('\n').Where(l => DiagnosticLine().IsMatch(l)).Select(l => l.Trim()).ToArray();

    /// <summary>Error diagnostics.</summary>
    public IReadOnlyList<string> Errors => Diagnostics.Where(d => d.Contains(" : Error ", StringComparison.Ordinal)).ToArray();

    /// <summary>Warning diagnostics.</summary>
    public IReadOnlyList<string> Warnings => Diagnostics.Where(d => d.Contains(" : Warning ", StringComparison.Ordinal)).ToArray();

    [GeneratedRegex(@"\(\d+,\d+\) : (Error|Warning|Info) ")]
    private static partial Regex DiagnosticLine();
}

/// <summary>
/// Runs the Bicep CLI from the NuGet package (path baked in at build time from infra/tools/Bicep.props) on infra/:
/// once per test run, shared by the tests. Fails (does not skip) when the CLI is missing.
/// </summary>
public sealed class BicepTemplates : IAsyncLifetime
{
    /// <summary>Environment for the production parameter file, which has no defaults for these on purpose.</summary>
    public static readonly IReadOnlyDictionary<string, string> ParameterEnvironment = new Dictionary<string, string>
    {
        ["PENSIONCERT_TENANT"] = "gd",
        ["PENSIONCERT_ALERT_EMAIL"] = "pensioncert-oncall@hrss.gd.gov.cn",
        ["PENSIONCERT_BUREAU_CIDRS"] = "10.20.0.0/16,172.16.8.0/24",
        ["PENSIONCERT_OPERATOR_ISSUER"] = "https://idp.hrss.gd.gov.cn/pensioncert",
        ["PENSIONCERT_OPERATOR_AUDIENCE"] = "api://pensioncert-gd",
        ["PENSIONCERT_OPERATOR_AUTHORITY"] = "https://idp.hrss.gd.gov.cn/pensioncert",
        ["PENSIONCERT_DATA_KEY_IDS"] = "k1,k2",
        ["PENSIONCERT_ACTIVE_DATA_KEY"] = "k2",
    };

    /// <summary>Every parameter file: global Azure (Flex Consumption) and Azure China, development and production.</summary>
    public static readonly string[] ParameterFiles =
        ["main.dev.bicepparam", "main.prod.bicepparam", "main.china.dev.bicepparam", "main.china.prod.bicepparam"];

    /// <summary>The production parameter files, one per hosting profile.</summary>
    public static readonly string[] ProductionParameterFiles = ["main.prod.bicepparam", "main.china.prod.bicepparam"];

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string InfraDirectory { get; } = Path.Combine(RepositoryRoot, "infra");

    public static string BicepPath { get; } = Metadata("BicepCliPath");

    public static string BicepVersion { get; } = Metadata("BicepCliVersion");

    public BicepRun Version { get; private set; } = null!;

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    public IReadOnlyDictionary<string, (BicepRun Build, BicepRun Lint)> Parameters { get; private set; } = null!;

    /// <summary>The compiled ARM template of main.bicep.</summary>
    public JsonElement Template { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(BicepPath))
            throw new InvalidOperationException($"The Bicep CLI is not at {BicepPath}; restore tests/PensionCert.Infra.Tests (it downloads {BicepVersion}).");
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(BicepPath).HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(BicepPath, File.GetUnixFileMode(BicepPath) | UnixFileMode.UserExecute);

        // Every run compiles main.bicep (about 4 s of CPU): two at a time (RunAsync), on the machine's two cores.
        var version = RunAsync("--version");
        var build = RunAsync("build", "main.bicep", "--stdout");
        var lint = RunAsync("lint", "main.bicep");
        var files = ParameterFiles.Select(f => (File: f, Build: RunAsync("build-params", f, "--stdout"), Lint: RunAsync("lint", f))).ToArray();
        Version = await version;
        Build = await build;
        Lint = await lint;
        var parameters = new Dictionary<string, (BicepRun, BicepRun)>(StringComparer.Ordinal);
        foreach (var f in files) parameters[f.File] = (await f.Build, await f.Lint);
        Parameters = parameters;
        if (Build.ExitCode == 0) Template = JsonDocument.Parse(Build.StandardOutput).RootElement.Clone();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The parameter values of a parameter file (from <c>bicep build-params</c>).</summary>
    public JsonElement ParameterValues(string file)
    {
        using var build = JsonDocument.Parse(Parameters[file].Build.StandardOutput);
        using var parameters = JsonDocument.Parse(build.RootElement.GetProperty("parametersJson").GetString()!);
        return parameters.RootElement.GetProperty("parameters").Clone();
    }

    /// <summary>One parameter value of a parameter file, or the template default when the file does not set it.</summary>
    public JsonElement Value(string file, string parameter) =>
        ParameterValues(file).TryGetProperty(parameter, out var value) ? value.GetProperty("value") : DefaultValue(Template, parameter);

    /// <summary>The inner template of the module deployment named <paramref name="name"/> (e.g. <c>storage</c>).</summary>
    public JsonElement Module(string name) =>
        ModuleDeployment(name).GetProperty("properties").GetProperty("template");

    /// <summary>The value main.bicep passes to a module parameter (a literal or an ARM expression string).</summary>
    public JsonElement ModuleParameter(string module, string parameter) =>
        ModuleDeployment(module).GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value");

    /// <summary>
    /// What main.bicep passes to a module parameter, as text: the value's string, or the whole ARM expression when the
    /// value is a condition (Bicep then compiles <c>{ value: a ? x : y }</c> to one <c>[if(a, createObject('value', x), …)]</c>).
    /// </summary>
    public string ModuleParameterText(string module, string parameter)
    {
        var entry = ModuleDeployment(module).GetProperty("properties").GetProperty("parameters").GetProperty(parameter);
        if (entry.ValueKind == JsonValueKind.String) return entry.GetString()!;
        var value = entry.GetProperty("value");
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    /// <summary>The resources of a template (array or, with symbolic names, object form).</summary>
    public static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray() : resources.EnumerateObject().Select(p => p.Value);
    }

    /// <summary>The single resource of <paramref name="type"/> in a template.</summary>
    public static JsonElement Resource(JsonElement template, string type) => Resources(template).Single(r => r.GetProperty("type").GetString() == type);

    /// <summary>A template variable.</summary>
    public static JsonElement Variable(JsonElement template, string name) => template.GetProperty("variables").GetProperty(name);

    /// <summary>The string values of an array variable.</summary>
    public static string[] StringArray(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>The default value of a template parameter.</summary>
    public static JsonElement DefaultValue(JsonElement template, string parameter) =>
        template.GetProperty("parameters").GetProperty(parameter).GetProperty("defaultValue");

    private JsonElement ModuleDeployment(string name) =>
        Resources(Template).Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == name);

    /// <summary>Runs the CLI in infra/ (300 s at most).</summary>
    public static async Task<BicepRun> RunAsync(params string[] arguments) => await RunAsync(ParameterEnvironment, arguments);

    /// <summary>Runs the CLI in infra/ with the given environment variables (300 s at most, two runs at a time).</summary>
    public static async Task<BicepRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await Concurrency.WaitAsync();
        try
        {
            return await RunOnceAsync(environment, arguments);
        }
        finally
        {
            Concurrency.Release();
        }
    }

    private static readonly SemaphoreSlim Concurrency = new(2, 2);

    private static async Task<BicepRun> RunOnceAsync(IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo(BicepPath)
        {
            WorkingDirectory = InfraDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in ParameterEnvironment.Keys) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {BicepPath}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within 300 s.");
        }
        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr);
    }

    private static string Metadata(string key) =>
        typeof(BicepTemplates).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PensionCert.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (PensionCert.Functions.sln) not found above the test binaries.");
    }
}
