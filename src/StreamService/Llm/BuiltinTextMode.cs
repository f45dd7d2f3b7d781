namespace StreamService.Llm;

/// <summary>What the built-in backend writes.</summary>
internal enum BuiltinTextMode
{
    /// <summary>The last user message, word by word; finishes with STOP.</summary>
    Echo,

    /// <summary>Filler words drawn from the request's seed until max_tokens; finishes with LENGTH.</summary>
    Lorem,
}
