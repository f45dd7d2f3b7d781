using System.Net;
using System.Text;
using System.Text.Json;

namespace StreamService.Llm;

/// <summary>Turns an upstream's failed HTTP answer or transport failure into an
/// <see cref="LlmBackendException"/> whose message is safe to show a caller: bodies of 401/403
/// answers are never read (OpenAI's echo part of the key), other upstream messages are shortened,
/// stripped of control characters and of the configured key.</summary>
internal static class OpenAiHttpFailures
{
    private const int MaxBodyBytes = 8 * 1024;
    private const int MaxMessageLength = 300;

    public static async Task<LlmBackendException> FromResponseAsync(HttpResponseMessage response, string model, string? apiKey, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                return new LlmBackendException(LlmFailureKind.Unauthenticated,
                    $"The upstream of model '{model}' rejected the server's credentials (HTTP 401). The API key configured for this model is missing or invalid; this is a server configuration problem, not the caller's.");
            case HttpStatusCode.Forbidden:
                return new LlmBackendException(LlmFailureKind.PermissionDenied,
                    $"The upstream of model '{model}' refused the server's credentials for this request (HTTP 403). The API key configured for this model lacks access.");
            case HttpStatusCode.TooManyRequests:
                var retryAfter = RetryAfter(response);
                var hint = retryAfter is { } wait ? $" Retry after {Math.Ceiling(wait.TotalSeconds):0} s." : "";
                return new LlmBackendException(LlmFailureKind.RateLimited,
                    $"The upstream of model '{model}' is rate limiting (HTTP 429).{hint}{await DetailAsync(response, apiKey, cancellationToken).ConfigureAwait(false)}", retryAfter);
            case HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity:
                return new LlmBackendException(LlmFailureKind.InvalidRequest,
                    $"The upstream of model '{model}' rejected the request (HTTP {status}).{await DetailAsync(response, apiKey, cancellationToken).ConfigureAwait(false)}");
            case HttpStatusCode.NotFound:
                return new LlmBackendException(LlmFailureKind.ModelNotFound,
                    $"The upstream of model '{model}' does not serve it (HTTP 404).{await DetailAsync(response, apiKey, cancellationToken).ConfigureAwait(false)}");
            case HttpStatusCode.RequestTimeout:
            case >= HttpStatusCode.InternalServerError:
                return new LlmBackendException(LlmFailureKind.Unavailable,
                    $"The upstream of model '{model}' failed (HTTP {status}).{await DetailAsync(response, apiKey, cancellationToken).ConfigureAwait(false)}", RetryAfter(response));
            default:
                return new LlmBackendException(LlmFailureKind.ProtocolViolation,
                    $"The upstream of model '{model}' answered with unexpected HTTP {status}.");
        }
    }

    /// <summary>Maps a transport failure (connect, read, timeout, malformed stream) while the caller
    /// still waits. The caller's own cancellation never gets here.</summary>
    public static LlmBackendException FromTransport(Exception exception, string model, bool started, TimeSpan timeout) => exception switch
    {
        LlmBackendException known => known,
        OperationCanceledException => new LlmBackendException(LlmFailureKind.Unavailable,
            started
                ? $"The upstream of model '{model}' sent nothing for {timeout.TotalSeconds:0.###} s."
                : $"The upstream of model '{model}' did not start answering within {timeout.TotalSeconds:0.###} s.", null, exception),
        HttpRequestException http when http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
            => new LlmBackendException(LlmFailureKind.Unavailable, $"The upstream of model '{model}' could not be reached.", null, exception),
        HttpRequestException or IOException => new LlmBackendException(LlmFailureKind.Unavailable,
            started ? $"The upstream of model '{model}' broke off the stream." : $"The upstream of model '{model}' failed before answering.", null, exception),
        JsonException or InvalidDataException => new LlmBackendException(LlmFailureKind.ProtocolViolation,
            $"The upstream of model '{model}' sent a malformed event stream.", null, exception),
        _ => new LlmBackendException(LlmFailureKind.ProtocolViolation, $"The upstream of model '{model}' failed unexpectedly.", null, exception),
    };

    /// <summary>An error event inside an otherwise successful stream.</summary>
    public static LlmBackendException FromErrorEvent(JsonElement? error, string model, string? apiKey)
        => new(LlmFailureKind.Unavailable, $"The upstream of model '{model}' reported an error mid-stream.{Describe(OpenAiErrorBody.MessageOf(error), apiKey)}");

    /// <summary>Reads Retry-After (seconds or an HTTP date, RFC 9110 §10.2.3), or the
    /// <c>retry-after-ms</c> header OpenAI and Azure OpenAI send alongside it.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta && delta >= TimeSpan.Zero)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, string? apiKey, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            var body = JsonSerializer.Deserialize(buffer.AsSpan(0, length), OpenAiJsonContext.Default.OpenAiErrorBody);
            return Describe(OpenAiErrorBody.MessageOf(body?.Error), apiKey);
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException or OperationCanceledException)
        {
            // The status code alone still says what happened; a missing or odd body is no reason to fail differently.
            return "";
        }
    }

    private static string Describe(string? message, string? apiKey)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "";
        }

        if (!string.IsNullOrEmpty(apiKey))
        {
            message = message.Replace(apiKey, "[redacted]", StringComparison.Ordinal);
        }

        var text = new StringBuilder(Math.Min(message.Length, MaxMessageLength) + 16);
        foreach (var c in message)
        {
            if (text.Length == MaxMessageLength)
            {
                text.Append("...");
                break;
            }

            text.Append(char.IsControl(c) ? ' ' : c);
        }

        return $" Upstream says: {text}";
    }
}
