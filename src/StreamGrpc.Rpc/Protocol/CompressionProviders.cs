namespace StreamGrpc.Rpc.Protocol;

/// <summary>The encodings this runtime speaks, and the grpc-accept-encoding value that lists them.</summary>
internal static class CompressionProviders
{
    public static readonly ICompressionProvider Gzip = new GzipCompressionProvider();
    public static readonly ICompressionProvider Deflate = new DeflateCompressionProvider();

    /// <summary>Value of grpc-accept-encoding: identity first, as every peer must accept it.</summary>
    public const string AcceptEncodingValue = "identity,gzip,deflate";

    /// <summary>Finds a provider by encoding name; identity yields null with true.</summary>
    public static bool TryGet(string? name, out ICompressionProvider? provider)
    {
        provider = null;
        if (string.IsNullOrEmpty(name) || string.Equals(name, GrpcProtocolConstants.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(name, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            provider = Gzip;
            return true;
        }

        if (string.Equals(name, "deflate", StringComparison.OrdinalIgnoreCase))
        {
            provider = Deflate;
            return true;
        }

        return false;
    }

    /// <summary>Whether a grpc-accept-encoding value lists the encoding.</summary>
    public static bool Accepts(string? acceptEncoding, string encoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries))
        {
            if (string.Equals(part, encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
