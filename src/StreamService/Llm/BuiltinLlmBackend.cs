using System.Runtime.CompilerServices;
using System.Text;

namespace StreamService.Llm;

/// <summary>The offline backend: writes echo or seeded filler text at a configured token rate. It is
/// not a language model, and its model names (<c>builtin-*</c>) say so.</summary>
internal sealed class BuiltinLlmBackend : ILlmBackend
{
    private readonly string _model;
    private readonly BuiltinTextMode _mode;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;

    public BuiltinLlmBackend(LlmModelOptions options, TimeProvider timeProvider)
    {
        _model = options.Name;
        _mode = options.Text;
        _interval = options.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / options.TokensPerSecond) : TimeSpan.Zero;
        _timeProvider = timeProvider;
    }

    public async IAsyncEnumerable<LlmStreamEvent> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var promptTokens = 0;
        foreach (var message in request.Messages)
        {
            promptTokens += BuiltinTokenizer.Count(message.Content);
        }

        var start = _timeProvider.GetTimestamp();
        var generated = 0;
        var finish = LlmFinishReason.Stop;
        var pending = new StringBuilder();
        using var tokens = BuiltinTextGenerator.Tokens(_mode, request).GetEnumerator();
        while (tokens.MoveNext())
        {
            if (generated == request.MaxTokens)
            {
                finish = LlmFinishReason.Length;
                break;
            }

            if (_interval > TimeSpan.Zero && generated > 0)
            {
                // Token i is due at start + i * interval: a fixed schedule, so slow writes do not drift the rate.
                var due = _interval * generated - _timeProvider.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            generated++;

            if (request.Stop.Count == 0)
            {
                yield return LlmStreamEvent.Delta(tokens.Current);
                continue;
            }

            pending.Append(tokens.Current);
            var (stopAt, holdFrom) = StopSequences.Scan(pending, request.Stop);
            if (stopAt >= 0)
            {
                if (stopAt > 0)
                {
                    yield return LlmStreamEvent.Delta(pending.ToString(0, stopAt));
                }

                pending.Clear();
                break;
            }

            // Text that may be the start of a stop sequence is held back until the next token decides.
            if (holdFrom > 0)
            {
                yield return LlmStreamEvent.Delta(pending.ToString(0, holdFrom));
                pending.Remove(0, holdFrom);
            }
        }

        if (pending.Length > 0)
        {
            yield return LlmStreamEvent.Delta(pending.ToString());
        }

        yield return LlmStreamEvent.End(new LlmCompletion(finish, new LlmUsage(promptTokens, generated, Estimated: false), _model));
    }
}
