using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using StreamGrpc.Interop.Tests.Infrastructure;

namespace StreamGrpc.Interop.Tests;

/// <summary>CORS of gRPC-Web callers, as a browser sends it over HTTP/1.1: a preflight from the
/// configured origin is answered with what a gRPC-Web client needs; one from any other origin gets
/// no CORS headers (the browser then refuses the call); an actual call from the allowed origin
/// exposes the status and resume headers to the page's script.</summary>
[Collection(InteropCollection.Name)]
public sealed class GrpcWebCorsTests(InteropFixture fixture) : IDisposable
{
    private const string RowsMethod = "/streamgrpc.v1.RowsService/StreamRows";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _client = new() { Timeout = Timeout, DefaultRequestVersion = HttpVersion.Version11 };

    [Fact]
    public async Task Preflight_AllowedOrigin_AnsweredWithTheGrpcWebHeaders()
    {
        using var response = await _client.SendAsync(Preflight(InteropFixture.AllowedOrigin)).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(InteropFixture.AllowedOrigin, Single(response, "Access-Control-Allow-Origin"));
        var allowed = Single(response, "Access-Control-Allow-Headers").Split(',');
        Assert.Contains("x-grpc-web", allowed);
        Assert.Contains("authorization", allowed);
        Assert.Contains("content-type", allowed);
        Assert.Contains("POST", Single(response, "Access-Control-Allow-Methods").Split(','));
    }

    [Fact]
    public async Task Preflight_OtherOrigin_Refused()
    {
        using var response = await _client.SendAsync(Preflight("http://elsewhere.test:8080")).WaitAsync(Timeout);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), "a foreign origin got Access-Control-Allow-Origin");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Headers"), "a foreign origin got Access-Control-Allow-Headers");
    }

    [Fact]
    public async Task GrpcWebCall_AllowedOrigin_ExposesStatusAndResumeHeaders()
    {
        // StreamRowsRequest { dataset (field 1) = "no_such_dataset" } in one gRPC-Web frame:
        // flags 0 | length (4 bytes, big-endian) | message.
        var dataset = "no_such_dataset"u8.ToArray();
        var message = new byte[] { 0x0a, (byte)dataset.Length }.Concat(dataset).ToArray();
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(fixture.WebUrl), RowsMethod)) { Content = new ByteArrayContent(frame) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web+proto");
        request.Headers.Add("Origin", InteropFixture.AllowedOrigin);
        request.Headers.Add("x-grpc-web", "1");

        using var response = await _client.SendAsync(request).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(InteropFixture.AllowedOrigin, Single(response, "Access-Control-Allow-Origin"));
        var exposed = Single(response, "Access-Control-Expose-Headers").Split(',');
        foreach (var header in new[] { "grpc-status", "grpc-message", "streamgrpc-resume-token", "streamgrpc-resume-offset", "streamgrpc-resume-line", "streamgrpc-resume-seq" })
        {
            Assert.Contains(header, exposed);
        }

        // A Trailers-Only answer: the status arrives as headers, which the page may now read.
        Assert.Equal("5", Single(response, "grpc-status"));
    }

    public void Dispose() => _client.Dispose();

    private HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri(new Uri(fixture.WebUrl), RowsMethod));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-grpc-web,authorization");
        return request;
    }

    private static string Single(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(',', values)
            : throw new Xunit.Sdk.XunitException($"no {name} header; headers: {response.Headers}");
}
