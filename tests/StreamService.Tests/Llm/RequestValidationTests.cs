using Grpc.Core;
using StreamGrpc.V1;
using Xunit;

namespace StreamService.Tests.Llm;

public class RequestValidationTests
{
    [Fact]
    public async Task StreamCompletion_UnknownModel_NotFoundListingKnownModels()
    {
        await using var host = new LlmTestHost();

        var result = await host.CallAsync(LlmTestHost.Request("gpt-nonexistent"));

        Assert.Equal(StatusCode.NotFound, result.Code);
        Assert.Contains("builtin-echo", result.Error!.Status.Detail);
    }

    public static TheoryData<string, Action<CompletionRequest>> InvalidRequests => new()
    {
        { "no model", r => r.Model = "" },
        { "no messages", r => r.Messages.Clear() },
        { "only empty messages", r => { r.Messages.Clear(); r.Messages.Add(new CompletionMessage { Role = CompletionRole.User, Content = " " }); } },
        { "unspecified role", r => r.Messages[0].Role = CompletionRole.Unspecified },
        { "absurd max_tokens", r => r.MaxTokens = 2_000_000_000 },
        { "max_tokens over limit", r => r.MaxTokens = 32_769 },
        { "temperature above 2", r => r.Temperature = 2.5f },
        { "temperature NaN", r => r.Temperature = float.NaN },
        { "top_p zero", r => r.TopP = 0 },
        { "five stop sequences", r => r.Stop.Add(["a", "b", "c", "d", "e"]) },
        { "empty stop sequence", r => r.Stop.Add("") },
        { "request id with newline", r => r.RequestId = "a\nb" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task StreamCompletion_InvalidRequest_InvalidArgument(string why, Action<CompletionRequest> spoil)
    {
        await using var host = new LlmTestHost();
        var request = LlmTestHost.Request("builtin-echo");
        spoil(request);

        var result = await host.CallAsync(request);

        Assert.True(result.Code == StatusCode.InvalidArgument, $"{why}: {result.Code}");
        Assert.Empty(result.Chunks);
    }

    [Fact]
    public async Task StreamCompletion_MaxTokensAtLimit_Accepted()
    {
        await using var host = new LlmTestHost();
        var request = LlmTestHost.Request("builtin-echo", "ok");
        request.MaxTokens = 32_768;

        var result = await host.CallAsync(request);

        Assert.Equal(StatusCode.OK, result.Code);
    }
}
