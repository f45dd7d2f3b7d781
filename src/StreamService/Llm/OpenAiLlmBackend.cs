using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StreamService.Llm;

/// <summary>
/// Streams from an OpenAI-compatible <c>POST {BaseUrl}/chat/completions</c> with <c>stream: true</c>
/// (OpenAI, vLLM, Ollama, llama.cpp server). Events are parsed by the framework's
/// <see cref="SseParser"/> straight off the response body, each event's data deserialized in place:
/// every delta goes out as soon as its event is complete, and nothing is buffered beyond one event,
/// which <see cref="EventSizeLimitingStream"/> keeps to <see cref="MaxEventSize"/>.
/// </summary>
/// <remarks>
/// Cancellation: every upstream read is given the call's token (through the parser's enumerator and
/// the limiting stream, to the response stream's ReadAsync), and cancelling a read of an
/// HttpClient response aborts the request (HTTP/1.1: the connection is closed; HTTP/2: RST_STREAM).
/// When the caller stops reading between two reads the enumerator is disposed, which disposes the
/// response; the shared handler does not drain (MaxResponseDrainSize = 0), so that aborts too.
/// </remarks>
internal sealed class OpenAiLlmBackend : ILlmBackend
{
    /// <summary>The largest event an upstream may send, counted as the bytes of its lines. Chunks are a
    /// few hundred bytes; past this the call fails as a malformed stream (INTERNAL) rather than let a
    /// broken or hostile upstream make the service buffer: the parser then holds at most 2 MiB of
    /// line buffer and 4 MiB of data buffer for the call (see <see cref="EventSizeLimitingStream"/>).</summary>
    private const int MaxEventSize = 1024 * 1024;
    private const int DrainBufferSize = 4096;
    private static readonly TimeSpan DrainAfterDone = TimeSpan.FromSeconds(1);
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    private readonly HttpClient _http;
    private readonly LlmModelOptions _options;
    private readonly Uri _endpoint;
    private readonly string _upstreamModel;
    private readonly string? _apiKey;

    public OpenAiLlmBackend(HttpClient http, LlmModelOptions options, string? apiKey)
    {
        _http = http;
        _options = options;
        _endpoint = new Uri(options.BaseUrl!.TrimEnd('/') + "/chat/completions", UriKind.Absolute);
        _upstreamModel = string.IsNullOrEmpty(options.UpstreamModel) ? options.Name : options.UpstreamModel;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    public async IAsyncEnumerable<LlmStreamEvent> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var name = _options.Name;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.FirstTokenTimeout);

        using var response = await SendAsync(request, timeout.Token, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await OpenAiHttpFailures.FromResponseAsync(response, name, _apiKey, timeout.Token).ConfigureAwait(false);
        }

        if (response.Content.Headers.ContentType?.MediaType is { } mediaType && !mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            throw new LlmBackendException(LlmFailureKind.ProtocolViolation, $"The upstream of model '{name}' answered with '{mediaType}' instead of an event stream.");
        }

        var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        // Null for the stream's closing "data: [DONE]" (the OpenAI streaming format's end marker).
        SseItemParser<OpenAiChunk?> parseEvent = (_, data) => data.SequenceEqual("[DONE]"u8) ? null : Parse(data, name);
        // Disposed before the response (declared after it): returns the parser's pooled buffers.
        await using var events = SseParser.Create(new EventSizeLimitingStream(body, MaxEventSize), parseEvent)
            .EnumerateAsync(timeout.Token)
            .GetAsyncEnumerator(timeout.Token);

        var started = false;
        var deltas = 0;
        var model = _upstreamModel;
        string? finishReason = null;
        OpenAiUsage? usage = null;
        var done = false;
        while (true)
        {
            if (!await ReadEventAsync(events, started, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            if (!started)
            {
                started = true;
            }

            timeout.CancelAfter(_options.IdleTimeout);
            if (events.Current.Data is not { } chunk)
            {
                done = true;
                break;
            }

            if (chunk.Error is { ValueKind: not JsonValueKind.Null } error)
            {
                throw OpenAiHttpFailures.FromErrorEvent(error, name, _apiKey);
            }

            if (!string.IsNullOrEmpty(chunk.Model))
            {
                model = chunk.Model;
            }

            usage = chunk.Usage ?? usage;
            if (chunk.Choices is not { Count: > 0 } choices)
            {
                continue;
            }

            // n = 1 is all the server asks for; a choice with another index is not ours.
            foreach (var choice in choices)
            {
                if (choice.Index != 0)
                {
                    continue;
                }

                finishReason = choice.FinishReason ?? finishReason;
                if (choice.Delta?.Content is { Length: > 0 } text)
                {
                    deltas++;
                    yield return LlmStreamEvent.Delta(text);
                }
            }
        }

        if (!done && finishReason is null)
        {
            throw new LlmBackendException(LlmFailureKind.Unavailable, $"The upstream of model '{name}' ended the stream before the completion finished.");
        }

        if (done)
        {
            await DrainAsync(body, timeout, cancellationToken).ConfigureAwait(false);
        }

        var counted = usage is null
            ? new LlmUsage(TokenEstimate.PromptTokens(request.Messages), deltas, Estimated: true)
            : new LlmUsage(usage.PromptTokens, usage.CompletionTokens, Estimated: false);
        yield return LlmStreamEvent.End(new LlmCompletion(MapFinishReason(finishReason), counted, model));
    }

    private async Task<HttpResponseMessage> SendAsync(LlmRequest request, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = OpenAiChatRequest.CreateContent(request, _upstreamModel, _options),
        };
        message.Headers.Accept.Add(EventStream);
        message.Headers.TryAddWithoutValidation("X-Request-Id", request.RequestId);
        if (_apiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeoutToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!callerToken.IsCancellationRequested)
        {
            throw OpenAiHttpFailures.FromTransport(ex, _options.Name, started: false, _options.FirstTokenTimeout);
        }
    }

    /// <summary>Reads the next event; the enumerator carries the timeout token, which the caller's is
    /// linked into. A chunk that fails to deserialize arrives here as the parser's exception.</summary>
    private async ValueTask<bool> ReadEventAsync(IAsyncEnumerator<SseItem<OpenAiChunk?>> events, bool started, CancellationToken callerToken)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (!callerToken.IsCancellationRequested)
        {
            throw OpenAiHttpFailures.FromTransport(ex, _options.Name, started, started ? _options.IdleTimeout : _options.FirstTokenTimeout);
        }
    }

    /// <summary>Reads past <c>[DONE]</c> to the end of the body, so the connection goes back to the
    /// pool instead of being closed; a server that keeps the response open is given up on quickly.
    /// Nothing after <c>[DONE]</c> is an event of this completion, so the bytes are discarded
    /// unparsed, through a small buffer, straight from the response stream.</summary>
    private static async ValueTask DrainAsync(Stream body, CancellationTokenSource timeout, CancellationToken callerToken)
    {
        timeout.CancelAfter(DrainAfterDone);
        try
        {
            await body.CopyToAsync(Stream.Null, DrainBufferSize, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!callerToken.IsCancellationRequested && ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // The completion is already complete; losing the connection costs only a reconnect.
        }
    }

    private static OpenAiChunk Parse(ReadOnlySpan<byte> data, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(data, OpenAiJsonContext.Default.OpenAiChunk)
                ?? throw new JsonException("null chunk");
        }
        catch (JsonException ex)
        {
            throw new LlmBackendException(LlmFailureKind.ProtocolViolation, $"The upstream of model '{name}' sent an event that is not a chat completion chunk.", null, ex);
        }
    }

    private static LlmFinishReason MapFinishReason(string? reason) => reason switch
    {
        "length" => LlmFinishReason.Length,
        "content_filter" => LlmFinishReason.ContentFilter,
        // "stop", tool or function calls, and servers that send none before [DONE]: the model ended its turn.
        _ => LlmFinishReason.Stop,
    };
}
