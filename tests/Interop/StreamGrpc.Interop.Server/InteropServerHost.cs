using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace StreamGrpc.Interop.Server;

/// <summary>Builds the interop server application: Kestrel on one plaintext HTTP/2 endpoint,
/// TestService, the probe service and reflection. The program and the interop tests both start
/// it through here.</summary>
internal static class InteropServerHost
{
    public static WebApplication Build(InteropServerArguments arguments, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(arguments.Host, arguments.Port, listen => listen.Protocols = HttpProtocols.Http2));

        builder.Services.AddGrpc(options =>
        {
            // Interop cases send and ask for ~300 KB messages; the defaults (4 MiB) are enough.
            // Responses may be compressed with gzip; each handler decides per message
            // (CompressedResponse feature) through WriteOptions.
            options.ResponseCompressionAlgorithm = "gzip";
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerStartTime>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<InteropTestService>();
        app.MapGrpcService<InteropProbeService>();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>The port Kestrel bound (useful with port 0); call after the application started.</summary>
    public static int GetPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault() ?? throw new InvalidOperationException("The server has no address; was it started?");
        return new Uri(address).Port;
    }
}
