namespace StreamGrpc.Rpc.Protocol;

/// <summary>Names and values fixed by "gRPC over HTTP/2" (doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocolConstants
{
    public const string ContentType = "application/grpc";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string MessageEncodingHeader = "grpc-encoding";
    public const string MessageAcceptEncodingHeader = "grpc-accept-encoding";
    public const string TEHeader = "te";
    public const string TEValue = "trailers";
    public const string UserAgentHeader = "user-agent";
    public const string IdentityEncoding = "identity";

    /// <summary>Set by a handler or caller in its headers to ask the runtime to compress this call's
    /// messages with the named algorithm; never sent on the wire (grpc-dotnet uses the same name).</summary>
    public const string CompressionRequestHeader = "grpc-internal-encoding-request";

    /// <summary>The fixed prefix of every length-prefixed message: 1 flag byte + 4 length bytes.</summary>
    public const int HeaderSize = 5;

    public static readonly string UserAgent = "grpc-dotnet-streamgrpc/" + typeof(GrpcProtocolConstants).Assembly.GetName().Version?.ToString(3);

    /// <summary>Whether a header name belongs to the protocol rather than to the caller's metadata.</summary>
    public static bool IsReservedHeader(string name)
        => name.Length == 0
            || name[0] == ':'
            || string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, TEHeader, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "host", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "content-length", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, TimeoutHeader, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, MessageEncodingHeader, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, MessageAcceptEncodingHeader, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, StatusTrailer, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, MessageTrailer, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, CompressionRequestHeader, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a Content-Type is a gRPC one: "application/grpc" optionally followed by
    /// "+proto", "+json" or parameters.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }
}
