using System.IO.Compression;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>A message encoding named in grpc-encoding ("Message-Encoding").</summary>
internal interface ICompressionProvider
{
    /// <summary>The name on the wire, e.g. "gzip".</summary>
    string EncodingName { get; }

    /// <summary>Wraps a stream that compressed bytes are written to.</summary>
    Stream CreateCompressionStream(Stream destination, CompressionLevel level);

    /// <summary>Wraps a stream of compressed bytes.</summary>
    Stream CreateDecompressionStream(Stream source);
}
