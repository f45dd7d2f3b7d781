using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Observability;

namespace StreamService.Tests.Hardening;

/// <summary>W3C trace context from a call to the upstream requests it makes. Alone in its collection
/// (<see cref="MetricsAloneCollection"/>): ActivitySource listeners are process-wide, so the sampler of
/// another test's host running at the same moment (one that exports traces records everything) would
/// decide for these calls too.</summary>
[Collection(MetricsAloneCollection.Name)]
public sealed class UpstreamTraceContextTests
{
    private const string Key = "trace-key-0123456789";
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    [Fact]
    public async Task Call_WithTraceparent_UpstreamRequestJoinsTheTrace()
    {
        var (traceparent, chunks) = await CompleteThroughUpstreamAsync(new Metadata { { "traceparent", $"00-{TraceId}-b7ad6b7169203331-01" } });

        Assert.StartsWith($"00-{TraceId}-", traceparent);
        Assert.DoesNotContain("b7ad6b7169203331", traceparent);
        Assert.EndsWith("-01", traceparent);
        Assert.Equal("hi", chunks[0].Delta.Text);
    }

    /// <summary>With no trace exporter configured, a call without a trace context is not recorded
    /// (no span data is kept for the life of the stream), yet a context still reaches the upstream, as
    /// not sampled.</summary>
    [Fact]
    public async Task Call_WithoutTraceContext_NothingExporting_UpstreamGetsAnUnsampledContext()
    {
        var (traceparent, chunks) = await CompleteThroughUpstreamAsync([]);

        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", traceparent);
        Assert.Equal("hi", chunks[0].Delta.Text);
    }

    private static async Task<(string Traceparent, List<CompletionChunk> Chunks)> CompleteThroughUpstreamAsync(Metadata headers)
    {
        var upstreamTraceparent = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackHttpServer.StartAsync(async http =>
        {
            upstreamTraceparent.TrySetResult(http.Request.Headers["traceparent"].ToString());
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        });
        var settings = HardeningSettings.WithKeys(("observer", Key, ["llm"]))
            .FastBuiltinModels()
            .With("StreamGrpc:Llm:Models:2:Name", "upstream")
            .With("StreamGrpc:Llm:Models:2:Backend", "OpenAi")
            .With("StreamGrpc:Llm:Models:2:BaseUrl", new Uri(upstream.Address, "/v1").ToString())
            .With("StreamGrpc:Llm:Models:2:ApiKey", "test")
            .With("StreamGrpc:Llm:Models:2:IncludeUsage", "false");
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel(ExternalCaller.ChannelOptions());

        var chunks = await LlmCalls.CompleteAsync(channel, "upstream", Key, headers).Bounded();
        return (await upstreamTraceparent.Task.Bounded(), chunks);
    }
}
