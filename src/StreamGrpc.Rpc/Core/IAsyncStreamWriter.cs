namespace Grpc.Core;

/// <summary>Writes a stream of messages. Each write completes when the transport accepted it, so an
/// awaited write is paced by the peer (HTTP/2 flow control).</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Options for subsequent writes.</summary>
    WriteOptions? WriteOptions { get; set; }

    /// <summary>Writes one message. Only one write may be pending at a time.</summary>
    Task WriteAsync(T message);

    /// <summary>Writes one message, abandoning the wait when the token is cancelled.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            throw new NotSupportedException("This writer does not support cancellation tokens on WriteAsync.");
        }

        return WriteAsync(message);
    }
}
