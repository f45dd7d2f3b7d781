using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Hardening;

/// <summary>Short completions from the builtin models: the cheapest feature call that streams.</summary>
internal static class LlmCalls
{
    /// <summary>builtin-echo and builtin-lorem, streaming as fast as the caller reads.</summary>
    public static Dictionary<string, string?> FastBuiltinModels(this Dictionary<string, string?> settings)
    {
        settings["StreamGrpc:Llm:Models:0:Name"] = "builtin-echo";
        settings["StreamGrpc:Llm:Models:0:Backend"] = "Builtin";
        settings["StreamGrpc:Llm:Models:0:TokensPerSecond"] = "0";
        settings["StreamGrpc:Llm:Models:1:Name"] = "builtin-lorem";
        settings["StreamGrpc:Llm:Models:1:Backend"] = "Builtin";
        settings["StreamGrpc:Llm:Models:1:Text"] = "Lorem";
        settings["StreamGrpc:Llm:Models:1:TokensPerSecond"] = "0";
        return settings;
    }

    public static CompletionRequest Request(string model, uint maxTokens = 4) => new()
    {
        Model = model,
        MaxTokens = maxTokens,
        Messages = { new CompletionMessage { Role = CompletionRole.User, Content = "one two three four five six seven eight" } },
    };

    public static Metadata Bearer(string? token, Metadata? headers = null)
    {
        headers ??= new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        return headers;
    }

    public static async Task<List<CompletionChunk>> CompleteAsync(GrpcChannel channel, string model, string? token, Metadata? headers = null)
    {
        var client = new LlmService.LlmServiceClient(channel);
        using var call = client.StreamCompletion(Request(model), Bearer(token, headers), cancellationToken: TestTimeout.Token());
        var chunks = new List<CompletionChunk>();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }
}
