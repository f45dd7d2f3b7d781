namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>
/// The token a write observes when the handler passes its own token to
/// <c>WriteAsync(message, token)</c>: the call's token linked with the caller's. Handlers pass the
/// same token on every write, so the linked source is created once and kept while the token stays
/// the same, instead of one linked source per message. Passing the call's own token (the usual
/// <c>context.CancellationToken</c>) or an uncancellable one needs no link at all.
/// </summary>
internal sealed class CallerCancellationLink : IDisposable
{
    private CancellationTokenSource? _linked;
    private CancellationToken _callerToken;

    /// <summary>The token for the next write. The previous write must be complete (writes are
    /// sequential), since a new caller token disposes the previous link.</summary>
    public CancellationToken For(CancellationToken callToken, CancellationToken callerToken)
    {
        if (!callerToken.CanBeCanceled || callerToken == callToken)
        {
            return callToken;
        }

        if (_linked is null || callerToken != _callerToken)
        {
            _linked?.Dispose();
            _linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, callerToken);
            _callerToken = callerToken;
        }

        return _linked.Token;
    }

    public void Dispose() => _linked?.Dispose();
}
