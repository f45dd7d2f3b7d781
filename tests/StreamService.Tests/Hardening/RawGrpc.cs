using System.Net;
using System.Net.Http.Headers;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Hardening;

/// <summary>One gRPC call over plain HTTP/2, so a test sees the response's shape: whether the
/// status came Trailers-Only (in the headers) and how many body bytes were sent.</summary>
internal static class RawGrpc
{
    public sealed record Result(int Status, bool TrailersOnly, int BodyBytes, HttpResponseMessage Response);

    public static async Task<Result> CallAsync(Uri address, string path, byte[] payload, string? bearer = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path)) 
        {
            Content = new ByteArrayContent(Frame(payload)),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", "Bearer " + bearer);
        }

        var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();
        var body = await response.Content.ReadAsByteArrayAsync(TestTimeout.Token()).Bounded();
        var inHeaders = response.Headers.TryGetValues("grpc-status", out var headerStatus);
        var status = inHeaders ? headerStatus!.Single() : response.TrailingHeaders.GetValues("grpc-status").Single();
        return new Result(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), inHeaders, body.Length, response);
    }

    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }
}
