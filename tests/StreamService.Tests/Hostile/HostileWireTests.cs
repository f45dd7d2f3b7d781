using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Hostile;

/// <summary>Hostile bytes on the wire against the real service: malformed and truncated frames,
/// oversized length prefixes, junk protobuf, wrong content types, invalid grpc-timeout and enormous
/// metadata. Each gets its status, and the server keeps serving with its memory at baseline.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileWireTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Path = "/streamgrpc.v1.LlmService/StreamCompletion";
    private HostileTestHost _host = null!;
    private long _baseline;

    public async Task InitializeAsync()
    {
        _host = await HostileTestHost.StartAsync(postgres);
        await _host.AssertServesNormallyAsync();
        _baseline = HostileTestHost.ManagedMemory();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, int> Bodies => new()
    {
        // name, body as hex, expected grpc-status. grpc-dotnet reads the request before any
        // handler or interceptor runs and answers a frame it cannot read as UNKNOWN (a malformed
        // length prefix or compressed flag, a message protobuf cannot parse) or INTERNAL (an
        // incomplete or extra message); a length past the receive limit is RESOURCE_EXHAUSTED.
        { "compressed flag 2 (undefined)", "02" + "00000002" + "0801", (int)StatusCode.Unknown },
        { "compressed flag 0xff", "ff" + "00000001" + "00", (int)StatusCode.Unknown },
        { "compressed flag without grpc-encoding", "01" + "00000002" + "0801", (int)StatusCode.Internal },
        { "truncated header", "0000", (int)StatusCode.Internal },
        { "truncated message", "00" + "00000064" + "0a0b0c", (int)StatusCode.Internal },
        { "length prefix 4 GiB - 1", "00" + "ffffffff" + "0a", (int)StatusCode.Unknown },
        { "length prefix 2 GiB", "00" + "80000000" + "0a", (int)StatusCode.Unknown },
        { "length prefix 2 GiB - 1, no body", "00" + "7fffffff", (int)StatusCode.ResourceExhausted },
        { "length prefix just over the limit", "00" + "00400001" + "0a", (int)StatusCode.ResourceExhausted },
        { "junk protobuf", "00" + "00000006" + "ffffffffffff", (int)StatusCode.Unknown },
        { "wrong wire type", "00" + "00000002" + "0f01", (int)StatusCode.Unknown },
        { "two messages for a unary request", "00" + "00000000" + "00" + "00000000", (int)StatusCode.Internal },
        { "a trailing byte after the message", "00" + "00000002" + "0801" + "00", (int)StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Call_HostileBody_StatusAndServerStaysUp(string name, string hex, int expected)
    {
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        using var request = GrpcRequest(Convert.FromHexString(hex));

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();
        await response.Content.ReadAsByteArrayAsync().Bounded();

        Assert.True(expected.ToString(System.Globalization.CultureInfo.InvariantCulture) == GrpcStatus(response), $"{name}: grpc-status {GrpcStatus(response)}");
        await _host.AssertServesNormallyAsync();
        HostileTestHost.AssertMemoryNear(_baseline);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("application/grpcx")]
    public async Task Call_WrongContentType_Http415(string contentType)
    {
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        using var request = GrpcRequest(new byte[5]);
        request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await _host.AssertServesNormallyAsync();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1S")]
    [InlineData("1")]
    [InlineData("123456789S")]
    [InlineData("1Z")]
    public async Task Call_InvalidGrpcTimeout_IgnoredAndCallServed(string timeout)
    {
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        using var request = GrpcRequest(Frame(HostileTestHost.EchoRequest("hi")));
        request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();
        await response.Content.ReadAsByteArrayAsync().Bounded();

        // grpc-dotnet ignores a grpc-timeout it cannot parse (logged) and serves the call without a
        // deadline, as the gRPC spec's servers commonly do.
        Assert.Equal("0", GrpcStatus(response));
        await _host.AssertServesNormallyAsync();
    }

    [Theory]
    [InlineData(64 * 1024, 1)]
    [InlineData(1024 * 1024, 1)]
    [InlineData(2 * 1024, 200)]
    public async Task Call_EnormousMetadata_RefusedByTheClientAndServerStaysUp(int valueBytes, int entries)
    {
        var llm = new LlmService.LlmServiceClient(_host.Channel);
        var headers = new Metadata();
        for (var i = 0; i < entries; i++)
        {
            headers.Add("x-hostile-" + i, new string('m', valueBytes));
        }

        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = llm.StreamCompletion(HostileTestHost.EchoRequest("hi"), headers, cancellationToken: TestTimeout.Token());
            await foreach (var _ in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
            }
        }).Bounded();

        // Kestrel refuses the header block (MaxRequestHeadersTotalSize) before any handler runs: the
        // client sees the stream or connection refused, never an OK call.
        // Kestrel advertises SETTINGS_MAX_HEADER_LIST_SIZE (MaxRequestHeadersTotalSize, 32 KiB); a
        // conforming client refuses to send past it: Grpc.Net.Client fails the call INTERNAL
        // ("Error starting gRPC call"). RawHttp2_HeaderBlockOverServerLimit_* sends it anyway.
        Assert.Equal(StatusCode.Internal, failure.StatusCode);
        await _host.AssertServesNormallyAsync();
        HostileTestHost.AssertMemoryNear(_baseline);
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task RawHttp2_HeaderBlockOverServerLimit_RefusedAndServerStaysUp(int valueBytes)
    {
        var refusal = await RawHttp2Client.SendHeadersAsync(_host.Address, Path, ("x-hostile", new string('m', valueBytes))).Bounded();

        // Kestrel treats a header block over MaxRequestHeadersTotalSize as a connection error
        // (GOAWAY) before any handler runs; only that connection is closed.
        Assert.Equal("goaway", refusal);
        await _host.AssertServesNormallyAsync();
        HostileTestHost.AssertMemoryNear(_baseline);
    }

    private HttpRequestMessage GrpcRequest(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.Address, Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    private static byte[] Frame(Google.Protobuf.IMessage message)
    {
        var payload = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var framed = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    private static string? GrpcStatus(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First()
        : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : null;
}
