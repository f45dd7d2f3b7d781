using System.Diagnostics;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Llm;
using Xunit;

namespace StreamService.Tests.Llm;

public class BuiltinBackendTests
{
    private static readonly Dictionary<string, string?> Unpaced = new()
    {
        ["StreamGrpc:Llm:Models:0:Name"] = "builtin-echo",
        ["StreamGrpc:Llm:Models:0:Backend"] = "builtin",
        ["StreamGrpc:Llm:Models:0:TokensPerSecond"] = "0",
        ["StreamGrpc:Llm:Models:1:Name"] = "builtin-lorem",
        ["StreamGrpc:Llm:Models:1:Backend"] = "builtin",
        ["StreamGrpc:Llm:Models:1:Text"] = "lorem",
        ["StreamGrpc:Llm:Models:1:TokensPerSecond"] = "0",
    };

    [Fact]
    public async Task StreamCompletion_DefaultConfiguration_BuiltinEchoStreamsWithZeroSetUp()
    {
        await using var host = new LlmTestHost();

        var result = await host.CallAsync(LlmTestHost.Request("builtin-echo", "Hello there, stream!"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal("Hello there, stream!", result.Text);
        Assert.Equal(["Hello", " there", ",", " stream", "!"], result.Deltas.Select(d => d.Text));
        Assert.Equal([0u, 1u, 2u, 3u, 4u], result.Deltas.Select(d => d.Index));
        var summary = Assert.IsType<CompletionSummary>(result.Summary);
        Assert.Equal(CompletionFinishReason.Stop, summary.FinishReason);
        Assert.Equal("builtin-echo", summary.Model);
        Assert.Equal(5u, summary.Usage.CompletionTokens);
        Assert.Equal(5u, summary.Usage.PromptTokens);
        Assert.Equal(10u, summary.Usage.TotalTokens);
        Assert.False(summary.Usage.Estimated);
        Assert.NotNull(summary.TimeToFirstToken);
        Assert.False(string.IsNullOrEmpty(summary.RequestId));
    }

    [Fact]
    public async Task StreamCompletion_SameSeed_SameTokens()
    {
        await using var host = new LlmTestHost(Unpaced);

        var first = await host.CallAsync(LlmTestHost.Request("builtin-lorem", maxTokens: 50, seed: 42));
        var second = await host.CallAsync(LlmTestHost.Request("builtin-lorem", maxTokens: 50, seed: 42));
        var other = await host.CallAsync(LlmTestHost.Request("builtin-lorem", maxTokens: 50, seed: 43));

        Assert.Equal(50, first.Deltas.Count());
        Assert.Equal(first.Deltas.Select(d => d.Text), second.Deltas.Select(d => d.Text));
        Assert.NotEqual(first.Text, other.Text);
        Assert.Equal(CompletionFinishReason.Length, first.Summary!.FinishReason);
    }

    [Fact]
    public async Task StreamCompletion_MaxTokensBelowEchoLength_FinishesWithLength()
    {
        await using var host = new LlmTestHost(Unpaced);

        var result = await host.CallAsync(LlmTestHost.Request("builtin-echo", "one two three four", maxTokens: 2));

        Assert.Equal("one two", result.Text);
        Assert.Equal(CompletionFinishReason.Length, result.Summary!.FinishReason);
        Assert.Equal(2u, result.Summary.Usage.CompletionTokens);
    }

    [Fact]
    public async Task StreamCompletion_StopSequenceAcrossTokens_StopsBeforeIt()
    {
        await using var host = new LlmTestHost(Unpaced);
        var request = LlmTestHost.Request("builtin-echo", "alpha beta gamma delta");
        request.Stop.Add("ta gam");

        var result = await host.CallAsync(request);

        Assert.Equal("alpha be", result.Text);
        Assert.Equal(CompletionFinishReason.Stop, result.Summary!.FinishReason);
    }

    [Fact]
    public async Task StreamCompletion_TokenRate_PacesDeltas()
    {
        var settings = new Dictionary<string, string?>(Unpaced) { ["StreamGrpc:Llm:Models:1:TokensPerSecond"] = "100" };
        await using var host = new LlmTestHost(settings);
        var watch = Stopwatch.StartNew();

        var result = await host.CallAsync(LlmTestHost.Request("builtin-lorem", maxTokens: 11, seed: 1));

        // 11 tokens at 100/s: the last is due 100 ms after the first. Only the lower bound is
        // deterministic; the upper depends on the machine.
        Assert.Equal(11, result.Deltas.Count());
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(95), $"took {watch.Elapsed}");
        var gap = result.Deltas.Last().Elapsed.ToTimeSpan() - result.Deltas.First().Elapsed.ToTimeSpan();
        Assert.True(gap >= TimeSpan.FromMilliseconds(95), $"first to last delta {gap}");
        Assert.InRange(result.Summary!.TokensPerSecond, 1, 110);
    }

    [Fact]
    public async Task StreamCompletion_Cancelled_StopsAtOnce()
    {
        await using var host = new LlmTestHost();
        using var cancel = new CancellationTokenSource();

        // builtin-lorem at its default 20 tokens/s would run 50 s for 1000 tokens.
        var result = await host.CallAsync(LlmTestHost.Request("builtin-lorem", maxTokens: 1000, seed: 3), cancel.Token, afterWrite: _ => cancel.Cancel());

        Assert.NotNull(result.Cancelled);
        Assert.Single(result.Chunks);
    }

    [Fact]
    public void Tokens_ConcatenatedTokens_GiveBackText()
    {
        const string Text = "  Leading space, trailing space  and\nnew lines: 42 tokens! ";
        Assert.Equal(Text, string.Concat(BuiltinTokenizer.Split(Text)));
    }
}
