using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>
/// Moves custom metadata between <see cref="Metadata"/> and HTTP/2 header values: "-bin" values are
/// base64 (sent padded; received padded or unpadded, as the spec requires), others are ASCII.
/// A header carrying several comma-separated base64 values yields one entry per value.
/// </summary>
internal static class MetadataEncoding
{
    public static string EncodeValue(Metadata.Entry entry)
        => entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;

    /// <summary>Adds the entries of one header (possibly several values) to <paramref name="metadata"/>,
    /// skipping protocol headers. Malformed values are dropped, never thrown: metadata from a peer
    /// must not fail the call.</summary>
    public static void AddHeader(Metadata metadata, string name, IEnumerable<string?> values)
    {
        if (GrpcProtocolConstants.IsReservedHeader(name))
        {
            return;
        }

        var key = name.ToLowerInvariant();
        var binary = Metadata.Entry.HasBinarySuffix(key);
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            if (binary)
            {
                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (TryDecodeBase64(part, out var bytes))
                    {
                        metadata.Add(key, bytes);
                    }
                }
            }
            else
            {
                try
                {
                    metadata.Add(key, value);
                }
                catch (ArgumentException)
                {
                    // Key or value outside the gRPC metadata grammar: not metadata we can surface.
                }
            }
        }
    }

    public static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        var padding = (4 - (value.Length % 4)) % 4;
        var padded = padding == 0 ? value : value + new string('=', padding);
        bytes = new byte[(padded.Length / 4) * 3];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            if (written != bytes.Length)
            {
                Array.Resize(ref bytes, written);
            }

            return true;
        }

        bytes = [];
        return false;
    }
}
