using System.IO.Compression;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>The "gzip" message encoding (RFC 1952).</summary>
internal sealed class GzipCompressionProvider : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream destination, CompressionLevel level) => new GZipStream(destination, level, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream source) => new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
}
