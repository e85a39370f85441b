using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using PensionCert.LocalHost;

try
{
    var app = LocalHostApp.Build(args);
    await app.RunAsync();
}
catch (Exception ex) when (ex is OptionsValidationException or ValidationException or InvalidOperationException { InnerException: FormatException })
{
    // A setting out of range or unreadable: say which, and exit with EX_CONFIG (sysexits.h) instead of a stack trace.
    await Console.Error.WriteLineAsync($"configuration error: {ex.Message}");
    return 78;
}
return 0;
