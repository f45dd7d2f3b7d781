using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.Rpc.Tests.Echo;
using StreamGrpc.Rpc.Tests.Infrastructure;

namespace StreamGrpc.Rpc.Tests.Functional;

public sealed class EchoCallTests(EchoFixture fixture) : IClassFixture<EchoFixture>, IDisposable
{
    private readonly GrpcChannel _channel = fixture.Host.CreateChannel();

    private Echo.Echo.EchoClient Client => new(_channel);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Unary_Request_ReturnsEcho()
    {
        var reply = await Client.UnaryAsync(new EchoRequest { Text = "hello", PayloadSize = 10 }).ResponseAsync.Bounded();

        Assert.Equal("hello", reply.Text);
        Assert.Equal(10, reply.Payload.Length);
    }

    [Fact]
    public async Task Unary_CustomMetadata_HeadersAndTrailersEchoed()
    {
        var binary = new byte[] { 0, 1, 2, 250, 255 };
        var call = Client.UnaryAsync(new EchoRequest { Text = "m" }, new Metadata { { "x-echo", "value-1" }, { "x-echo-bin", binary } });

        var headers = await call.ResponseHeadersAsync.Bounded();
        await call.ResponseAsync.Bounded();

        Assert.Equal("value-1", headers.GetValue("x-echo"));
        Assert.Equal("value-1", call.GetTrailers().GetValue("x-echo-trailer"));
        Assert.Equal(binary, call.GetTrailers().GetValueBytes("x-echo-bin"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_RpcExceptionWithSpecialCharacters_StatusAndMessageArriveIntact()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n 100%";
        var call = Client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = message });

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.Bounded());

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
    }

    [Fact]
    public async Task Unary_UnhandledException_UnknownWithoutInternalDetails()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { FailCode = -1 }).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_MethodNotOverridden_Unimplemented()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.NotImplementedAsync(new EchoRequest()).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Theory]
    [InlineData("/streamgrpc.testing.Echo/NoSuchMethod", "Method is unimplemented.")]
    [InlineData("/no.such.Service/Method", "Service is unimplemented.")]
    public async Task Call_UnknownPath_UnimplementedTrailersOnly(string path, string expectedMessage)
    {
        using var http = RawHttp2Client();
        using var request = GrpcRequest(path, new byte[] { 0, 0, 0, 0, 0 });

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("12", Header(response, "grpc-status"));
        Assert.Equal(expectedMessage, Header(response, "grpc-message"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync().Bounded());
    }

    [Fact]
    public async Task Call_WrongContentType_Http415()
    {
        using var http = RawHttp2Client();
        using var request = GrpcRequest("/streamgrpc.testing.Echo/Unary", new byte[] { 0, 0, 0, 0, 0 });
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("13", Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Call_GetInsteadOfPost_Http405()
    {
        using var http = RawHttp2Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Host.Address, "/streamgrpc.testing.Echo/Unary")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Unary_ErrorBeforeAnyMessage_IsTrailersOnly()
    {
        using var http = RawHttp2Client();
        var body = new EchoRequest { FailCode = (int)StatusCode.NotFound, FailMessage = "nope" }.ToByteArray();
        using var request = GrpcRequest("/streamgrpc.testing.Echo/Unary", Frame(body));

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal("5", Header(response, "grpc-status"));
        Assert.Equal("nope", Header(response, "grpc-message"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync().Bounded());
        Assert.Empty(response.TrailingHeaders);
    }

    [Fact]
    public async Task ServerStream_ManyMessages_AllInOrderThenOk()
    {
        using var call = Client.ServerStream(new EchoRequest { Text = "s", Count = 1000, PayloadSize = 100 });

        var indexes = new List<int>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            indexes.Add(reply.Index);
        }

        Assert.Equal(Enumerable.Range(0, 1000), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ServerStream_ErrorAfterMessages_MessagesThenStatus()
    {
        using var call = Client.ServerStream(new EchoRequest { Count = 3, FailCode = (int)StatusCode.Unavailable, FailMessage = "db down" });

        var received = 0;
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal("db down", ex.Status.Detail);
    }

    [Fact]
    public async Task ClientStream_SeveralMessages_ServerSeesAll()
    {
        using var call = Client.ClientStream();
        foreach (var part in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = part }).Bounded();
        }

        await call.RequestStream.CompleteAsync().Bounded();
        var reply = await call.ResponseAsync.Bounded();

        Assert.Equal("abc", reply.Text);
        Assert.Equal(3, reply.Index);
    }

    [Fact]
    public async Task Duplex_PingPong_EachRequestAnsweredInTurn()
    {
        using var call = Client.Duplex();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "p" + i, PayloadSize = i * 100 }).Bounded();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
            Assert.Equal("p" + i, call.ResponseStream.Current.Text);
            Assert.Equal(i * 100, call.ResponseStream.Current.Payload.Length);
        }

        await call.RequestStream.CompleteAsync().Bounded();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_EmptyStream_EndsOk()
    {
        using var call = Client.Duplex();
        await call.RequestStream.CompleteAsync().Bounded();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_DeadlineShorterThanWork_DeadlineExceeded()
    {
        var call = Client.UnaryAsync(new EchoRequest { DelayMs = 30_000 }, deadline: DateTime.UtcNow.AddMilliseconds(200));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.Bounded());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task ServerStream_ClientCancels_ServerTokenFires()
    {
        fixture.ResetObservations();
        var observations = fixture.Observations;
        using var cts = new CancellationTokenSource();
        using var call = Client.ServerStream(new EchoRequest { Count = 1, DelayMs = 60_000 }, cancellationToken: cts.Token);

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        cts.Cancel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await observations.CancelledTask.Bounded();
    }

    [Fact]
    public async Task ServerStream_DeadlinePassesMidStream_ServerStopsAndClientSeesDeadline()
    {
        fixture.ResetObservations();
        var observations = fixture.Observations;
        using var call = Client.ServerStream(new EchoRequest { Count = 1, DelayMs = 60_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300));

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).Bounded());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await observations.CancelledTask.Bounded();
    }

    [Fact]
    public async Task ServerStream_ClientStopsReading_ServerWriterIsPacedAndNothingIsLost()
    {
        fixture.ResetObservations();
        var observations = fixture.Observations;
        const int count = 50_000;
        using var call = Client.ServerStream(new EchoRequest { Count = count, PayloadSize = 1024 });

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        await observations.StartedTask.Bounded();

        // Observation window, not synchronisation: while the client reads nothing, HTTP/2 flow
        // control and Kestrel's response buffer must hold the writer to a few windows of data,
        // far below the ~50 MB it would write unpaced (which takes well under a second here).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var writtenWhileStalled = observations.LastWritten;
        Assert.InRange(writtenWhileStalled, 0, 20_000);

        var received = 1;
        while (await call.ResponseStream.MoveNext(CancellationToken.None).Bounded())
        {
            Assert.Equal(received, call.ResponseStream.Current.Index);
            received++;
        }

        Assert.Equal(count, received);
    }

    [Fact]
    public async Task Unary_RequestLargerThanServerLimit_ResourceExhausted()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { Text = new string('x', 2 * 1024 * 1024) }).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Unary_ResponseLargerThanClientLimit_ResourceExhausted()
    {
        using var channel = fixture.Host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var client = new Echo.Echo.EchoClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { PayloadSize = 5000 }).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Unary_RequestLargerThanClientSendLimit_ResourceExhaustedWithoutSending()
    {
        using var channel = fixture.Host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 100 });
        var client = new Echo.Echo.EchoClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { Text = new string('x', 500) }).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Unary_GzipRequest_ServerDecompresses()
    {
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var text = new string('z', 100_000);

        var reply = await Client.UnaryAsync(new EchoRequest { Text = text }, headers).ResponseAsync.Bounded();

        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task Call_UnsupportedRequestEncoding_UnimplementedWithAcceptEncoding()
    {
        using var http = RawHttp2Client();
        using var request = GrpcRequest("/streamgrpc.testing.Echo/Unary", new byte[] { 1, 0, 0, 0, 0 });
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal("12", Header(response, "grpc-status"));
        Assert.Contains("gzip", Header(response, "grpc-accept-encoding"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_InvalidTimeoutHeader_Internal()
    {
        using var http = RawHttp2Client();
        using var request = GrpcRequest("/streamgrpc.testing.Echo/Unary", Frame(new EchoRequest().ToByteArray()));
        request.Headers.TryAddWithoutValidation("grpc-timeout", "12345678901X");

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal("13", Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Call_TruncatedFrame_Internal()
    {
        using var http = RawHttp2Client();
        using var request = GrpcRequest("/streamgrpc.testing.Echo/Unary", new byte[] { 0, 0, 0, 0, 10, 1, 2 });

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal("13", Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Call_JunkProtobuf_Internal()
    {
        using var http = RawHttp2Client();
        using var request = GrpcRequest("/streamgrpc.testing.Echo/Unary", Frame(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }));

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal("13", Header(response, "grpc-status"));
    }

    private static HttpMessageInvoker RawHttp2Client() => new(new SocketsHttpHandler());

    private HttpRequestMessage GrpcRequest(string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Host.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    private static byte[] Frame(byte[] payload)
    {
        var framed = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
