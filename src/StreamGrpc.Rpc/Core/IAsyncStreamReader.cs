namespace Grpc.Core;

/// <summary>Reads a stream of messages: call <see cref="MoveNext"/> then read <see cref="Current"/>.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>Advances to the next message; false at the end of the stream.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}
