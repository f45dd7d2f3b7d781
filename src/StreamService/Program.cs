using StreamService;
using StreamService.Deployment;

if (HealthProbeCommand.IsRequested(args))
{
    return await HealthProbeCommand.RunAsync(args, Console.Out);
}

var app = StreamServiceApp.Build(args);
await app.RunAsync();
return 0;
