namespace StreamClient;

/// <summary>
/// Reconnection after transient failures. Attempts are counted since the last message received, so
/// a long stream that keeps making progress can survive any number of separate failures, while a
/// service that stays down fails the stream after <see cref="MaxAttempts"/> tries.
/// </summary>
public sealed class ResumePolicy
{
    /// <summary>Retries without progress before the failure surfaces. 0 disables resuming.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First backoff; doubled per attempt up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest backoff between attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The delay before attempt <paramref name="attempt"/> (1-based), with full jitter in
    /// the upper half so many clients do not reconnect in lockstep.</summary>
    public TimeSpan BackoffFor(int attempt)
    {
        var exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
