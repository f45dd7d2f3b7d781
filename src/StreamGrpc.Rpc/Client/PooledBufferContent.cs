using System.Net;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.Client;

/// <summary>Request content of an already framed single message held in a pooled buffer.</summary>
internal sealed class PooledBufferContent(PooledBufferWriter buffer) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        => stream.WriteAsync(buffer.WrittenMemory, cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        // gRPC bodies are streams of frames; no Content-Length, as peers expect.
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
