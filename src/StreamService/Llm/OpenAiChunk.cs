using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamService.Llm;

/// <summary>The fields the server reads from one <c>chat.completion.chunk</c> event of an
/// OpenAI-compatible stream (API reference, "The chat completion chunk object"); everything else
/// (logprobs, system_fingerprint, tool calls, ...) is skipped by the deserializer.</summary>
internal sealed class OpenAiChunk
{
    public string? Model { get; set; }

    public List<OpenAiChunkChoice>? Choices { get; set; }

    /// <summary>Null in every chunk but the last one when <c>stream_options.include_usage</c> is on.</summary>
    public OpenAiUsage? Usage { get; set; }

    /// <summary>Some servers (OpenAI, vLLM) report a failure mid-stream as an event with an error
    /// object; a few send a bare string, hence raw JSON (see <see cref="OpenAiErrorBody.MessageOf"/>).</summary>
    public JsonElement? Error { get; set; }
}

internal sealed class OpenAiChunkChoice
{
    public int Index { get; set; }

    public OpenAiDelta? Delta { get; set; }

    public string? FinishReason { get; set; }
}

internal sealed class OpenAiDelta
{
    public string? Role { get; set; }

    public string? Content { get; set; }
}

internal sealed class OpenAiUsage
{
    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public int TotalTokens { get; set; }
}

/// <summary>An error response body: <c>{"error": {"message": "...", "type": "...", "code": ...}}</c>,
/// or <c>{"error": "..."}</c> on some servers.</summary>
internal sealed class OpenAiErrorBody
{
    public JsonElement? Error { get; set; }

    /// <summary>The human-readable message of an error value, if it has one.</summary>
    public static string? MessageOf(JsonElement? error) => error switch
    {
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        { ValueKind: JsonValueKind.Object } e when e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String => m.GetString(),
        _ => null,
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(OpenAiChunk))]
[JsonSerializable(typeof(OpenAiErrorBody))]
internal sealed partial class OpenAiJsonContext : JsonSerializerContext
{
}
