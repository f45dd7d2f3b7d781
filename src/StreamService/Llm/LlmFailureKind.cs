namespace StreamService.Llm;

/// <summary>What went wrong in a backend, in terms the status mapping understands.</summary>
internal enum LlmFailureKind
{
    /// <summary>The upstream rejected the server's credentials (HTTP 401).</summary>
    Unauthenticated,

    /// <summary>The upstream refused the server's credentials for this request (HTTP 403).</summary>
    PermissionDenied,

    /// <summary>The upstream is rate limiting (HTTP 429).</summary>
    RateLimited,

    /// <summary>The upstream cannot be reached, failed (5xx), timed out or broke off the stream.</summary>
    Unavailable,

    /// <summary>The upstream rejected the request's content (HTTP 400, 413, 422).</summary>
    InvalidRequest,

    /// <summary>The upstream does not know the model (HTTP 404).</summary>
    ModelNotFound,

    /// <summary>The upstream answered with something that is not the documented stream format.</summary>
    ProtocolViolation,
}
