namespace StreamService.Llm;

/// <summary>Configuration section <c>StreamGrpc:Llm</c>.</summary>
internal sealed class LlmOptions
{
    public const string SectionName = "StreamGrpc:Llm";

    /// <summary>The built-in models (<see cref="BuiltinModels"/>) are added unless a configured model
    /// has the same name. On by default, so the service streams tokens with zero set-up.</summary>
    public bool IncludeBuiltinModels { get; set; } = true;

    /// <summary>Routable models.</summary>
    public List<LlmModelOptions> Models { get; set; } = [];

    /// <summary>max_tokens applied when a request gives none (per-model override: <see cref="LlmModelOptions.DefaultMaxTokens"/>).</summary>
    public int DefaultMaxTokens { get; set; } = 256;

    /// <summary>Requests asking for more tokens than this are rejected with INVALID_ARGUMENT.</summary>
    public int MaxTokensLimit { get; set; } = 32_768;

    /// <summary>Requests with more messages than this are rejected with INVALID_ARGUMENT.</summary>
    public int MaxMessages { get; set; } = 1_024;

    /// <summary>Connect timeout for upstream HTTP connections.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The models added when <see cref="IncludeBuiltinModels"/> is on.</summary>
    internal static IEnumerable<LlmModelOptions> BuiltinModels()
    {
        yield return new LlmModelOptions { Name = "builtin-echo", Backend = LlmBackendKind.Builtin, Text = BuiltinTextMode.Echo };
        yield return new LlmModelOptions { Name = "builtin-lorem", Backend = LlmBackendKind.Builtin, Text = BuiltinTextMode.Lorem };
    }
}
