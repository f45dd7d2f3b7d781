using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Testing;
using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>server_compressed_streaming and server_compressed_unary assert the per-message
/// compressed flag, which neither grpcio, grpc-js nor the Grpc.Core API shows a client. These tests
/// read our server's frames with a plain HTTP/2 client (gRPC over HTTP/2, "Length-Prefixed-Message")
/// and check the flag of every response message.</summary>
[Collection(StreamGrpcServerCollection.Name)]
public sealed class ResponseCompressionFlagTests(StreamGrpcServerFixture server)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task StreamingOutputCall_CompressedPerParameter_FlagsFollowRequest()
    {
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };

        var frames = await CallAsync("StreamingOutputCall", request);

        Assert.Equal(2, frames.Count);
        Assert.True(frames[0].Compressed);
        Assert.Equal(31415, StreamingOutputCallResponse.Parser.ParseFrom(frames[0].Payload).Payload.Body.Length);
        Assert.False(frames[1].Compressed);
        Assert.Equal(92653, StreamingOutputCallResponse.Parser.ParseFrom(frames[1].Payload).Payload.Body.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnaryCall_ResponseCompressed_FlagFollowsRequest(bool compressed)
    {
        var request = new SimpleRequest
        {
            ResponseCompressed = new BoolValue { Value = compressed },
            ResponseSize = 314159,
            Payload = new Payload { Body = ByteString.CopyFrom(new byte[271828]) },
        };

        var frames = await CallAsync("UnaryCall", request);

        var frame = Assert.Single(frames);
        Assert.Equal(compressed, frame.Compressed);
        Assert.Equal(314159, SimpleResponse.Parser.ParseFrom(frame.Payload).Payload.Body.Length);
    }

    private async Task<List<(bool Compressed, byte[] Payload)>> CallAsync(string method, IMessage request)
    {
        using var http = new HttpClient { Timeout = Timeout };
        var body = request.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);

        using var message = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.Port}/grpc.testing.TestService/{method}")
        {
            // Plaintext HTTP/2 with prior knowledge, as gRPC clients speak to an http:// address.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("grpc-accept-encoding", "gzip");

        using var response = await http.SendAsync(message).WaitAsync(Timeout);
        var bytes = await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);
        Assert.True(response.TrailingHeaders.TryGetValues("grpc-status", out var status) && status.Single() == "0",
            $"HTTP {(int)response.StatusCode}; headers: {response.Headers}; trailers: {response.TrailingHeaders}");

        var frames = new List<(bool, byte[])>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var compressed = bytes[offset] == 1;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 1));
            var payload = bytes.AsSpan(offset + 5, length).ToArray();
            if (compressed)
            {
                Assert.Equal("gzip", response.Headers.TryGetValues("grpc-encoding", out var encoding) ? encoding.Single() : null);
                payload = Gunzip(payload);
            }

            frames.Add((compressed, payload));
            offset += 5 + length;
        }

        return frames;
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
