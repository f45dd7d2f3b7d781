using StreamGrpc.V1;

namespace StreamService.Llm;

/// <summary>Checks a <see cref="CompletionRequest"/> against the contract and the configured limits
/// and turns it into an <see cref="LlmRequest"/> with defaults applied. Returns a caller-facing
/// message for the first problem instead of throwing, so statuses are made in one place
/// (<see cref="LlmStatusMapper"/>).</summary>
internal static class CompletionRequestValidator
{
    private const int MaxStopSequences = 4;
    private const int MaxRequestIdLength = 128;

    public static string? Validate(CompletionRequest request, LlmOptions options)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return "model is required.";
        }

        if (request.Messages.Count == 0)
        {
            return "messages must hold at least one message.";
        }

        if (request.Messages.Count > options.MaxMessages)
        {
            return $"messages holds {request.Messages.Count} messages; the limit is {options.MaxMessages}.";
        }

        var anyContent = false;
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (RoleName(message.Role) is null)
            {
                return $"messages[{i}].role must be SYSTEM, USER or ASSISTANT.";
            }

            anyContent |= !string.IsNullOrWhiteSpace(message.Content);
        }

        if (!anyContent)
        {
            return "messages are all empty; at least one needs content.";
        }

        if (request.MaxTokens > options.MaxTokensLimit)
        {
            return $"max_tokens {request.MaxTokens} exceeds this server's limit of {options.MaxTokensLimit}.";
        }

        if (request.HasTemperature && !(request.Temperature >= 0 && request.Temperature <= 2))
        {
            return "temperature must be between 0 and 2.";
        }

        if (request.HasTopP && !(request.TopP > 0 && request.TopP <= 1))
        {
            return "top_p must be greater than 0 and at most 1.";
        }

        if (request.Stop.Count > MaxStopSequences)
        {
            return $"stop holds {request.Stop.Count} sequences; the limit is {MaxStopSequences}.";
        }

        foreach (var stop in request.Stop)
        {
            if (stop.Length == 0)
            {
                return "stop sequences must not be empty.";
            }
        }

        if (request.RequestId.Length > MaxRequestIdLength || !IsPrintableAscii(request.RequestId))
        {
            return $"request_id must be at most {MaxRequestIdLength} printable ASCII characters.";
        }

        return null;
    }

    /// <summary>Builds the backend request from a request that passed <see cref="Validate"/>.</summary>
    public static LlmRequest ToLlmRequest(CompletionRequest request, LlmRoute route, string requestId)
    {
        var messages = new LlmChatMessage[request.Messages.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = new LlmChatMessage(RoleName(request.Messages[i].Role)!, request.Messages[i].Content);
        }

        return new LlmRequest
        {
            Model = route.Model,
            Messages = messages,
            MaxTokens = request.MaxTokens > 0 ? (int)request.MaxTokens : route.DefaultMaxTokens,
            Temperature = request.HasTemperature ? request.Temperature : null,
            TopP = request.HasTopP ? request.TopP : null,
            Stop = request.Stop.Count > 0 ? [.. request.Stop] : [],
            Seed = request.HasSeed ? request.Seed : null,
            RequestId = requestId,
        };
    }

    private static string? RoleName(CompletionRole role) => role switch
    {
        CompletionRole.System => "system",
        CompletionRole.User => "user",
        CompletionRole.Assistant => "assistant",
        _ => null,
    };

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
