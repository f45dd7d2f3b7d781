using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace StreamService.Llm;

/// <summary>Writes the body of a streaming <c>POST /chat/completions</c> (OpenAI API reference,
/// "Create chat completion"): only the fields the request sets, so servers that lack a parameter
/// keep their own default.</summary>
internal static class OpenAiChatRequest
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    public static HttpContent CreateContent(LlmRequest request, string upstreamModel, LlmModelOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, upstreamModel);
            json.WriteStartArray("messages"u8);
            foreach (var message in request.Messages)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, message.Role);
                json.WriteString("content"u8, message.Content);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("stream"u8, true);
            if (options.IncludeUsage)
            {
                json.WriteStartObject("stream_options"u8);
                json.WriteBoolean("include_usage"u8, true);
                json.WriteEndObject();
            }

            json.WriteNumber(options.MaxTokensParameter, request.MaxTokens);
            if (request.Temperature is { } temperature)
            {
                json.WriteNumber("temperature"u8, temperature);
            }

            if (request.TopP is { } topP)
            {
                json.WriteNumber("top_p"u8, topP);
            }

            if (request.Stop.Count > 0)
            {
                json.WriteStartArray("stop"u8);
                foreach (var stop in request.Stop)
                {
                    json.WriteStringValue(stop);
                }

                json.WriteEndArray();
            }

            if (request.Seed is { } seed)
            {
                json.WriteNumber("seed"u8, seed);
            }

            json.WriteEndObject();
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = JsonMediaType;
        return content;
    }
}
