using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Client;

/// <summary>
/// Issue 15, item 3: the typed client carries the caller's trace to the service. Nothing in
/// StreamClient sets <c>traceparent</c>: its channel's SocketsHttpHandler injects the current
/// Activity's context (DistributedContextPropagator), which this proves on the wire against a bare
/// HTTP/2 endpoint that records the request headers.
/// </summary>
public sealed class ClientTracePropagationTests
{
    [Fact]
    public async Task TypedClient_InsideAnActivity_SendsTraceparentOfThatTrace()
    {
        var received = new TaskCompletionSource<(string TraceParent, string TraceState)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartRecorderAsync(http => received.TrySetResult((http.Request.Headers["traceparent"].ToString(), http.Request.Headers["tracestate"].ToString())));
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = server.Address });

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.TraceStateString = "streamgrpc=test";
        var chunks = 0;
        await foreach (var _ in client.StreamCompletionAsync(new CompletionRequest { Model = "m" }, new() { CancellationToken = TestTimeout.Token() }))
        {
            chunks++;
        }

        var (traceParent, traceState) = await received.Task.Bounded();
        Assert.Equal(0, chunks);
        Assert.Matches($"^00-{caller.TraceId.ToHexString()}-[0-9a-f]{{16}}-0[01]$", traceParent);
        Assert.Equal("streamgrpc=test", traceState);
    }

    /// <summary>h2c on 127.0.0.1: answers every gRPC call with an empty stream and status OK.</summary>
    private static async Task<Recorder> StartRecorderAsync(Action<HttpContext> record)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(async http =>
        {
            record(http);
            await http.Request.Body.CopyToAsync(Stream.Null);
            http.Response.ContentType = "application/grpc";
            http.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync().Bounded();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new Recorder(app, address);
    }

    private sealed record Recorder(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync().Bounded();
            await App.DisposeAsync();
        }
    }
}
