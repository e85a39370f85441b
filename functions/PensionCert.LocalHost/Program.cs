using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using PensionCert.LocalHost;

Microsoft.AspNetCore.Builder.WebApplication app;
try
{
    app = LocalHostApp.Build(args);
    await app.StartAsync();
}
catch (Exception ex) when (ex is OptionsValidationException or ValidationException or InvalidOperationException { InnerException: FormatException })
{
    // A setting out of range or unreadable: say which, and exit with EX_CONFIG (sysexits.h) instead of a stack trace.
    await Console.Error.WriteLineAsync($"configuration error: {ex.Message}");
    return 78;
}

try
{
    await app.WaitForShutdownAsync();
    await app.DisposeAsync();
}
catch (Exception ex)
{
    // Stopping while storage is unreachable: the WebJobs SDK throws while releasing its leases. The process ends
    // anyway and nothing is lost (leases expire, queue messages are delivered again): one line, not a stack trace.
    await Console.Error.WriteLineAsync($"the local host stopped; releasing its triggers failed ({ex.GetType().Name}: {ex.Message})");
}
// 0, or what the host set (75 after a listener failure, 1 when storage refused the start-up).
return Environment.ExitCode;
