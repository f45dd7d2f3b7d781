namespace StreamService.Security;

/// <summary>The result of checking a call's credentials: a principal, or why there is none (a
/// message for the caller that names no secret).</summary>
internal readonly record struct AuthenticationOutcome(StreamPrincipal? Principal, string? Failure)
{
    public static AuthenticationOutcome Success(StreamPrincipal principal) => new(principal, null);

    public static AuthenticationOutcome Fail(string failure) => new(null, failure);
}
