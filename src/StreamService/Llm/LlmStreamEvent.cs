namespace StreamService.Llm;

/// <summary>One item of a backend's token stream: a text delta, or (last) the completion.
/// A struct so the per-token path allocates nothing beyond the text itself.</summary>
internal readonly struct LlmStreamEvent
{
    private LlmStreamEvent(string? text, LlmCompletion? completion)
    {
        Text = text;
        Completion = completion;
    }

    /// <summary>The delta's text; null for the completion event.</summary>
    public string? Text { get; }

    /// <summary>The end of the stream; null for deltas.</summary>
    public LlmCompletion? Completion { get; }

    public static LlmStreamEvent Delta(string text) => new(text, null);

    public static LlmStreamEvent End(LlmCompletion completion) => new(null, completion);
}
