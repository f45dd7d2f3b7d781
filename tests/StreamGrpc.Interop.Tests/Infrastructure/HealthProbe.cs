using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>One <c>grpc.health.v1.Health/Check</c> for the whole server (service ""), made with a
/// plain HTTP/2 request so the harness depends on no gRPC library: the readiness probe of the
/// service under test.</summary>
/// <remarks>
/// Wire (gRPC over HTTP/2, doc/PROTOCOL-HTTP2.md): a length-prefixed message is
/// <c>compressed flag (1 byte) | length (4 bytes, big-endian) | message</c>. The request is the empty
/// HealthCheckRequest; a SERVING response is HealthCheckResponse { status (field 1, varint) = 1 },
/// i.e. the message bytes <c>08 01</c>.
/// </remarks>
internal sealed class HealthProbe(Uri address) : IDisposable
{
    private const byte ServingStatusServing = 1;

    private readonly HttpClient _client = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>True when the server answers SERVING with grpc-status 0; false while it does not
    /// accept connections yet or answers anything else.</summary>
    public async Task<bool> IsServingAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/grpc.health.v1.Health/Check"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.FirstOrDefault() : null;
            return response.StatusCode == HttpStatusCode.OK
                && status == "0"
                && body.Length == 7
                && body[0] == 0
                && BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4)) == 2
                && body[5] == 0x08
                && body[6] == ServingStatusServing;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own timeout: the server is not answering yet.
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
