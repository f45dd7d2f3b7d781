namespace StreamService.Llm;

/// <summary>A backend failure. The message is shown to callers, so it is written to be safe: it never
/// contains credentials, upstream response bodies of authentication failures, or local paths.</summary>
internal sealed class LlmBackendException : Exception
{
    public LlmBackendException(LlmFailureKind kind, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        RetryAfter = retryAfter;
    }

    public LlmFailureKind Kind { get; }

    /// <summary>How long the upstream asked callers to wait (from Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether trying again (or another backend) may succeed.</summary>
    public bool IsTransient => Kind is LlmFailureKind.Unavailable or LlmFailureKind.RateLimited;
}
