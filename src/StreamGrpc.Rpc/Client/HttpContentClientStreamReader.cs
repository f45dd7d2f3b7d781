using Grpc.Core;

namespace StreamGrpc.Rpc.Client;

/// <summary>The response stream of a call, read from the HTTP response content.</summary>
internal sealed class HttpContentClientStreamReader<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private TResponse? _current;
    private Task? _pending;

    public TResponse Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_pending is { IsCompleted: false })
        {
            return Task.FromException<bool>(new InvalidOperationException("Can't read the next message because the previous read is still in progress."));
        }

        // Drop the previous message before waiting so a long stream does not root it.
        _current = null;
        var read = call.ReadNextAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            // Taken from the buffer at once: Task.FromResult(bool) hands out cached tasks.
            _current = read.Result;
            var completed = Task.FromResult(_current is not null);
            _pending = completed;
            return completed;
        }

        var task = MoveNextCore(read);
        _pending = task;
        return task;
    }

    private async Task<bool> MoveNextCore(ValueTask<TResponse?> read)
    {
        _current = await read.ConfigureAwait(false);
        return _current is not null;
    }
}
