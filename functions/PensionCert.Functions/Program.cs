using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using PensionCert.Functions;
using PensionCert.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddPensionCert(builder.Configuration);
FunctionsTelemetry.Add(builder.Services, builder.Configuration);
builder.Build().Run();
