using System.IO.Compression;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>The "deflate" message encoding (zlib format, RFC 1950, as HTTP's deflate).</summary>
internal sealed class DeflateCompressionProvider : ICompressionProvider
{
    public string EncodingName => "deflate";

    public Stream CreateCompressionStream(Stream destination, CompressionLevel level) => new ZLibStream(destination, level, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream source) => new ZLibStream(source, CompressionMode.Decompress, leaveOpen: true);
}
