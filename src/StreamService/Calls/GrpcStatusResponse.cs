using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;

namespace StreamService.Calls;

/// <summary>
/// Writes and reads a call's status at the HTTP level, for the gate: Trailers-Only responses for calls
/// refused before any handler runs (gRPC over HTTP/2: "Trailers-Only" is a single HEADERS frame with
/// :status 200, content-type and grpc-status), and replacing the status a handler ended with (a drain).
/// </summary>
internal static class GrpcStatusResponse
{
    private const string StatusKey = "grpc-status";
    private const string MessageKey = "grpc-message";

    public static void WriteTrailersOnly(HttpContext http, StatusCode code, string message)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers[StatusKey] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers[MessageKey] = PercentEncode(message);
    }

    /// <summary>Replaces the status the handler wrote (in the trailers, or in the headers of a
    /// Trailers-Only response) and adds <paramref name="extra"/>.</summary>
    public static void Replace(HttpContext http, StatusCode code, string message, Metadata? extra)
    {
        var response = http.Response;
        IHeaderDictionary? target = response.HasStarted
            ? http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
            : response.Headers;
        if (target is null || target.IsReadOnly)
        {
            return;
        }

        target[StatusKey] = ((int)code).ToString(CultureInfo.InvariantCulture);
        target[MessageKey] = PercentEncode(message);
        foreach (var entry in extra ?? [])
        {
            target[entry.Key] = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;
        }
    }

    /// <summary>The status the call ended with, as it will be sent.</summary>
    public static StatusCode Read(HttpContext http)
    {
        var value = http.Response.HasStarted
            ? http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers[StatusKey].ToString()
            : http.Response.Headers[StatusKey].ToString();
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? (StatusCode)code : StatusCode.Unknown;
    }

    /// <summary>grpc-message encoding: bytes outside printable ASCII and '%' become %XX of UTF-8.</summary>
    private static string PercentEncode(string message)
    {
        if (message.All(c => c is >= ' ' and <= '~' and not '%'))
        {
            return message;
        }

        var builder = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
