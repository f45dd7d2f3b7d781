namespace StreamService.Security;

/// <summary>Why the service's own handlers refused a request's credentials, in words meant for
/// the caller (they name no secret). Failures of other handlers are described by
/// <see cref="AuthenticationFailureDescriber"/> instead, never with their own messages.</summary>
internal sealed class CredentialsRejectedException(string message) : Exception(message);
