namespace StreamService.Llm;

/// <summary>One routable model name (an element of <c>StreamGrpc:Llm:Models</c>).</summary>
internal sealed class LlmModelOptions
{
    /// <summary>The name callers put in <c>CompletionRequest.model</c>. Built-in models must start with <c>builtin-</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>builtin</c> or <c>openai</c>.</summary>
    public LlmBackendKind Backend { get; set; }

    /// <summary>openai: the API root including the version, e.g. <c>https://api.openai.com/v1</c> or
    /// <c>http://127.0.0.1:11434/v1</c>; the server posts to <c>{BaseUrl}/chat/completions</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>openai: the API key. Prefer <see cref="ApiKeyEnvironmentVariable"/> so keys stay out of files.</summary>
    public string? ApiKey { get; set; }

    /// <summary>openai: the name of an environment variable holding the API key; it must be set at start-up.</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>openai: the model id sent upstream; defaults to <see cref="Name"/>.</summary>
    public string? UpstreamModel { get; set; }

    /// <summary>openai: the JSON field carrying the token limit: <c>max_tokens</c> (default, widest
    /// support) or <c>max_completion_tokens</c> (newer OpenAI models require it).</summary>
    public string MaxTokensParameter { get; set; } = "max_tokens";

    /// <summary>openai: ask for usage in the stream (<c>stream_options.include_usage</c>). Turn off for
    /// servers that reject the field; usage is then counted.</summary>
    public bool IncludeUsage { get; set; } = true;

    /// <summary>openai: longest wait for the response headers and the first event.</summary>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>openai: longest silence between two events once the stream has started.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>builtin: tokens per second; 0 writes as fast as the caller reads.</summary>
    public double TokensPerSecond { get; set; } = 20;

    /// <summary>builtin: <c>Echo</c> or <c>Lorem</c>.</summary>
    public BuiltinTextMode Text { get; set; } = BuiltinTextMode.Echo;

    /// <summary>This model's default for requests without max_tokens; the global default when unset.</summary>
    public int? DefaultMaxTokens { get; set; }

    /// <summary>Extra attempts at this model when it fails transiently (unavailable, rate limited)
    /// before its first token.</summary>
    public int RetryAttempts { get; set; }

    /// <summary>Pause before each retry (a longer Retry-After from the upstream wins, up to 10 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Other configured models tried in order when this one fails transiently before its
    /// first token (after its retries).</summary>
    public List<string> Fallbacks { get; set; } = [];
}
