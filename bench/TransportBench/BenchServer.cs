using System.Globalization;
using System.Net;
using System.Runtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace StreamGrpc.Bench.Transport;

/// <summary>
/// The server role (<c>--server</c>): Kestrel on 127.0.0.1 with an ephemeral port, HTTP/2 only,
/// with the Kestrel settings StreamService uses, serving both the gRPC method (Grpc.AspNetCore's
/// <c>AddGrpc</c>/<c>MapGrpcService</c> with default options) and the plain endpoint. Announces its port and GC mode on stdout and runs until its stdin closes (the driver exits).
/// </summary>
internal static class BenchServer
{
    public const string ReadyPrefix = "listening ";

    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);

            // As in StreamService: a slow reader is backpressure, not an attack.
            kestrel.Limits.MinResponseDataRate = null;
        });
        builder.Services.AddGrpc();

        await using var app = builder.Build();
        app.MapGrpcService<ChunkStreamService>();
        app.MapGet(PlainChunkEndpoint.Path, PlainChunkEndpoint.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ReadyPrefix}{address.Port} {GCSettings.IsServerGC}"));
        Console.Out.Flush();

        // The driver keeps our stdin open; end of input means it is done (or gone).
        await Task.Run(() => Console.In.ReadToEnd()).ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }
}
