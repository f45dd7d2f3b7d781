namespace StreamService.Llm;

/// <summary>A source of completion tokens. Implementations yield zero or more non-empty deltas and
/// then exactly one <see cref="LlmStreamEvent.End"/>; they report failures as
/// <see cref="LlmBackendException"/> (before or after deltas), and stop all work, including any
/// upstream HTTP request, as soon as the token is cancelled or the enumerator is disposed.</summary>
internal interface ILlmBackend
{
    IAsyncEnumerable<LlmStreamEvent> StreamAsync(LlmRequest request, CancellationToken cancellationToken);
}
