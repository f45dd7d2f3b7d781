using System.IO.Compression;

namespace StreamGrpc.Rpc.AspNetCore;

/// <summary>Server-wide options of the gRPC runtime.</summary>
public sealed class GrpcServiceOptions
{
    /// <summary>Largest request message accepted, in bytes (after decompression); null for no limit.
    /// Larger messages end the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes; null for no limit. Default: no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Send exception messages to clients in UNKNOWN statuses. Off by default: they may leak internals.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Compress responses with this algorithm (e.g. <c>gzip</c>) when the client accepts it.</summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>Longest time one response flush may wait for the client to read (HTTP/2 flow control)
    /// before the call ends with RESOURCE_EXHAUSTED; null (default) waits forever. A reader that has
    /// stopped reading would otherwise hold the handler, its source and its buffers indefinitely.</summary>
    public TimeSpan? StalledConsumerTimeout { get; set; }

    /// <summary>Compression level for compressed responses.</summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;
}
