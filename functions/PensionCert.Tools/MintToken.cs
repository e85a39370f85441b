using System.Text.Json;
using PensionCert.Core.Operators;
using PensionCert.Http;

namespace PensionCert.Tools;

/// <summary>The <c>mint-token</c> command: a local operator bearer token signed with the local host's development key.</summary>
internal static class MintToken
{
    /// <summary>The local host's appsettings.json, found from the current folder or the tool's folder upwards.</summary>
    public static FileInfo? DefaultSettings()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = new FileInfo(Path.Combine(dir.FullName, "functions", "PensionCert.LocalHost", "appsettings.json"));
                if (candidate.Exists) return candidate;
            }
        }
        return null;
    }

    /// <summary>Reads <c>PensionCert:OperatorAuth</c> from an appsettings.json file.</summary>
    /// <exception cref="InvalidOperationException">The section is missing.</exception>
    public static OperatorAuthOptions ReadOptions(FileInfo settings)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(settings.FullName), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("PensionCert", out var root) || !root.TryGetProperty("OperatorAuth", out var section))
            throw new InvalidOperationException($"{settings.FullName} has no PensionCert:OperatorAuth section.");
        return section.Deserialize<OperatorAuthOptions>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidOperationException($"{settings.FullName}: PensionCert:OperatorAuth is empty.");
    }

    /// <summary>Prints a token to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(FileInfo? settings, string subject, string role, string[] regions, int minutes, TextWriter output, TextWriter error)
    {
        settings ??= DefaultSettings();
        if (settings is null || !settings.Exists)
        {
            error.WriteLine("error: functions/PensionCert.LocalHost/appsettings.json not found; pass --settings.");
            return 2;
        }
        if (!OperatorRoles.TryParse(role, out var parsedRole))
        {
            error.WriteLine($"error: --role must be {OperatorRoles.Clerk}, {OperatorRoles.Reviewer}, {OperatorRoles.Admin} or {OperatorRoles.Integration}.");
            return 2;
        }
        try
        {
            var options = ReadOptions(settings);
            // An expired token is useless and one past the API's cap is refused by it: say so instead of printing one.
            if (minutes < 1 || TimeSpan.FromMinutes(minutes) > options.MaxTokenLifetime)
            {
                error.WriteLine($"error: --minutes must be from 1 to {options.MaxTokenLifetime.TotalMinutes:0} ({OperatorAuthOptions.SectionName}:MaxTokenLifetime).");
                return 2;
            }
            output.WriteLine(OperatorTokenIssuer.Mint(options, subject, parsedRole, regions, TimeSpan.FromMinutes(minutes), DateTimeOffset.UtcNow));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
        {
            error.WriteLine("error: " + ex.Message);
            return 2;
        }
    }
}
