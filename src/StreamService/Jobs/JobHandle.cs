namespace StreamService.Jobs;

/// <summary>A job this process accepted: its plan and its own cancellation, linked to the service's
/// lifetime but never to the stream that started it.</summary>
internal sealed class JobHandle : IDisposable
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Claimed = 2;

    private readonly CancellationTokenSource _cancellation;
    private int _state;
    private volatile bool _cancelRequested;

    public JobHandle(Guid id, ImportPlan plan, CancellationToken serviceStopping)
    {
        Id = id;
        Plan = plan;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(serviceStopping);
    }

    public Guid Id { get; }

    public ImportPlan Plan { get; }

    /// <summary>Fires on a cancel request or when the service stops.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>A caller asked to cancel (as opposed to the service stopping).</summary>
    public bool CancelRequested => _cancelRequested;

    /// <summary>A runner slot takes the job; false when a cancel already claimed it.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    /// <summary>A cancel takes a job that has not started; false once it runs (then the token stops it).</summary>
    public bool TryClaimQueued() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

    public void RequestCancel()
    {
        _cancelRequested = true;
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // finished meanwhile
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
