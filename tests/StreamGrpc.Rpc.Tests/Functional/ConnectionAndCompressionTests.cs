using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.Rpc.Tests.Echo;
using StreamGrpc.Rpc.Tests.Infrastructure;

namespace StreamGrpc.Rpc.Tests.Functional;

public sealed class ConnectionAndCompressionTests
{
    [Fact]
    public async Task ServerStream_MoreCallsThanStreamLimit_ChannelOpensMoreConnections()
    {
        var observations = new EchoObservations();
        await using var host = await GrpcTestHost.StartAsync(
            services =>
            {
                services.AddGrpc();
                services.AddSingleton(observations);
            },
            endpoints => endpoints.MapGrpcService<EchoService>(),
            kestrel => kestrel.Limits.Http2.MaxStreamsPerConnection = 2);
        using var channel = host.CreateChannel();
        var client = new Echo.Echo.EchoClient(channel);
        using var cts = new CancellationTokenSource();

        // Five streams that stay open; with two streams per connection allowed, all five can only
        // be running at once if the channel opened at least three connections.
        var calls = Enumerable.Range(0, 5).Select(_ => client.ServerStream(new EchoRequest { Count = 1, DelayMs = 60_000 }, cancellationToken: cts.Token)).ToList();
        try
        {
            foreach (var call in calls)
            {
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
            }
        }
        finally
        {
            cts.Cancel();
            calls.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ServerStream_ServerCompressesResponses_ClientDecompresses()
    {
        await using var host = await GrpcTestHost.StartAsync(
            services =>
            {
                services.AddGrpc(o => o.ResponseCompressionAlgorithm = "gzip");
                services.AddSingleton<EchoObservations>();
            },
            endpoints => endpoints.MapGrpcService<EchoService>());
        using var channel = host.CreateChannel();
        var client = new Echo.Echo.EchoClient(channel);

        using var call = client.ServerStream(new EchoRequest { Text = new string('c', 10_000), Count = 3, PayloadSize = 50_000 });
        var headers = await call.ResponseHeadersAsync.Bounded();
        var replies = new List<EchoReply>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            replies.Add(reply);
        }

        Assert.Equal(3, replies.Count);
        Assert.All(replies, r => Assert.Equal(50_000, r.Payload.Length));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_EmptyResponseWithCompression_SentUncompressedAndDecodes()
    {
        await using var host = await GrpcTestHost.StartAsync(
            services =>
            {
                services.AddGrpc(o => o.ResponseCompressionAlgorithm = "gzip");
                services.AddSingleton<EchoObservations>();
            },
            endpoints => endpoints.MapGrpcService<EchoService>());
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Address, "/streamgrpc.testing.Echo/Unary"))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "gzip");

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();
        var body = await response.Content.ReadAsByteArrayAsync().Bounded();

        // An EchoReply with no fields set serializes to zero bytes: one frame, flag 0, length 0.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, body);
        Assert.Equal("gzip", response.Headers.GetValues("grpc-encoding").Single());
    }
}
