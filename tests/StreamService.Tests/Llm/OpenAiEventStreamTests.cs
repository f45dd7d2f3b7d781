using Grpc.Core;
using StreamGrpc.V1;
using Xunit;

namespace StreamService.Tests.Llm;

/// <summary>How the <c>openai</c> backend reads the upstream's event stream (line ends, comments,
/// multi-line data, <c>[DONE]</c>, the event size limit, a stream cut mid-event), through the service
/// class against the fake upstream on real Kestrel.</summary>
public class OpenAiEventStreamTests
{
    /// <summary>The backend's limit on one event (OpenAiLlmBackend.MaxEventSize).</summary>
    private const int MaxEventSize = 1024 * 1024;

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task StreamCompletion_CommentsMultiLineDataAndOtherFields_StreamsContent(string eol)
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteRawAsync(context, $": keep-alive{eol}{eol}");
            // One chunk's JSON split over two data lines: the parser joins them with LF, which JSON reads as white space.
            var json = FakeOpenAiServer.ContentChunk(request.Model, "Hel");
            var split = json.IndexOf("\"choices\"", StringComparison.Ordinal);
            await FakeOpenAiServer.WriteRawAsync(context, $"data: {json[..split]}{eol}data: {json[split..]}{eol}{eol}");
            await FakeOpenAiServer.WriteRawAsync(context, $"event: message{eol}id: 1{eol}retry: 1000{eol}: note{eol}data: {FakeOpenAiServer.ContentChunk(request.Model, "lo")}{eol}{eol}");
            await FakeOpenAiServer.WriteRawAsync(context, $"data: {FakeOpenAiServer.FinishChunk(request.Model, "stop")}{eol}{eol}data: [DONE]{eol}{eol}");
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal(["Hel", "lo"], result.Deltas.Select(d => d.Text));
        Assert.Equal(CompletionFinishReason.Stop, result.Summary!.FinishReason);
    }

    [Fact]
    public async Task StreamCompletion_EventJustUnderLimit_Streams()
    {
        var text = new string('a', MaxEventSize - 1024);
        await using var upstream = await FakeOpenAiServer.StartAsync((context, request) => FakeOpenAiServer.StreamTokensAsync(context, request, [text, "!"]));
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal(text + "!", result.Text);
    }

    public static TheoryData<string> EventsThatNeverEnd() => new()
    {
        // One line that never ends.
        "x",
        // Data lines that never reach the blank line that would dispatch them; each is short, so
        // only a limit on the event, not on a line, stops them.
        "data: x\n",
    };

    [Theory]
    [MemberData(nameof(EventsThatNeverEnd))]
    public async Task StreamCompletion_EventPastLimit_TokensThenInternalAndUpstreamAborted(string repeated)
    {
        // The upstream would write 64 MiB; without the limit the parser would take all of it and then
        // wait for more (the 5 s idle timeout, UNAVAILABLE). With it the service stops at 1 MiB and aborts
        // the request. (How much the parser reads and buffers is pinned by EventSizeLimitingStreamTests.)
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "before"));
            await FakeOpenAiServer.WriteRawAsync(context, "data: ");
            var piece = string.Concat(Enumerable.Repeat(repeated, 16 * 1024 / repeated.Length));
            for (var i = 0; i < 64 * 64 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await FakeOpenAiServer.WriteRawAsync(context, piece);
            }

            // Once Kestrel has lost the connection its writes may complete as no-ops before
            // RequestAborted fires; returning then would end the response instead of seeing the abort.
            await FakeOpenAiServer.WaitForAbortAsync(context);
        });
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:IdleTimeout"] = "00:00:05";
        await using var host = new LlmTestHost(settings);

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal("before", result.Text);
        Assert.Equal(CompletionFinishReason.Error, result.Summary!.FinishReason);
        Assert.Equal(StatusCode.Internal, result.Code);
        Assert.Equal("The upstream of model 'fake-gpt' sent a malformed event stream.", result.Error!.Status.Detail);
        await upstream.FirstAborted.Within();
    }

    [Fact]
    public async Task StreamCompletion_UpstreamClosesMidEvent_TokensThenUnavailable()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "half"));
            // A whole finish chunk, but not the blank line that would dispatch it: per the standard it is discarded.
            await FakeOpenAiServer.WriteRawAsync(context, "data: " + FakeOpenAiServer.FinishChunk(request.Model, "stop") + "\n");
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal("half", result.Text);
        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains("before the completion finished", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_BytesAfterDone_IgnoredAndCompletes()
    {
        // After [DONE] the body is only drained: what follows is not parsed, even if it is not an event.
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "done"));
            await FakeOpenAiServer.WriteRawAsync(context, "data: [DONE]\r\n\r\ndata: {not json\n\n" + new string('x', 2 * MaxEventSize));
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal("done", result.Text);
        Assert.Equal(CompletionFinishReason.Stop, result.Summary!.FinishReason);
    }

    [Fact]
    public async Task StreamCompletion_UpstreamKeepsStreamOpenAfterDone_CompletesAndUpstreamAborted()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "done"));
            await FakeOpenAiServer.WriteRawAsync(context, "data: [DONE]\n\n");
            await FakeOpenAiServer.WaitForAbortAsync(context);
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal("done", result.Text);
        await upstream.FirstAborted.Within();
    }
}
