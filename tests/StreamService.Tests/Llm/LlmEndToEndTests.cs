using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using LlmClient = StreamGrpc.V1.LlmService.LlmServiceClient;

namespace StreamService.Tests.Llm;

/// <summary>The whole path on real Kestrel: gRPC client -> StreamService (same wiring as Program.cs)
/// -> local OpenAI-compatible upstream, or the built-in backend.</summary>
public class LlmEndToEndTests
{
    [Fact]
    public async Task StreamCompletion_BuiltinEchoWithDefaultConfiguration_StreamsDeltasThenSummary()
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var channel = host.CreateChannel();
        var client = new LlmClient(channel);

        using var call = client.StreamCompletion(LlmTestHost.Request("builtin-echo", "Streaming over gRPC works."), deadline: DateTime.UtcNow.AddSeconds(30));
        var chunks = await ReadAllAsync(call);

        var deltas = chunks.Where(c => c.Delta is not null).Select(c => c.Delta).ToList();
        Assert.Equal("Streaming over gRPC works.", string.Concat(deltas.Select(d => d.Text)));
        Assert.Equal(Enumerable.Range(0, deltas.Count).Select(i => (uint)i), deltas.Select(d => d.Index));
        Assert.All(deltas.Zip(deltas.Skip(1)), p => Assert.True(p.First.Elapsed.ToTimeSpan() <= p.Second.Elapsed.ToTimeSpan()));
        var summary = chunks[^1].Summary;
        Assert.Equal(CompletionFinishReason.Stop, summary.FinishReason);
        Assert.Equal((uint)deltas.Count, summary.Usage.CompletionTokens);
        Assert.True(summary.TokensPerSecond > 0);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Health_LlmService_Serving()
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var channel = host.CreateChannel();

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "streamgrpc.v1.LlmService" }).ResponseAsync.Bounded();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task StreamCompletion_OpenAiUpstream_StreamsThroughTheService()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync();
        await using var host = await StreamServiceHost.StartAsync(LlmTestHost.OpenAi(upstream.BaseUrl));
        using var channel = host.CreateChannel();

        using var call = new LlmClient(channel).StreamCompletion(LlmTestHost.Request("fake-gpt"));
        var chunks = await ReadAllAsync(call);

        Assert.Equal(FakeOpenAiServer.DefaultTokens, chunks.Where(c => c.Delta is not null).Select(c => c.Delta.Text));
        Assert.Equal(11u, chunks[^1].Summary.Usage.PromptTokens);
    }

    [Theory]
    [InlineData("unknown-model", 0u, StatusCode.NotFound)]
    [InlineData("builtin-echo", 5_000_000u, StatusCode.InvalidArgument)]
    public async Task StreamCompletion_BadRequest_StatusOverTheWire(string model, uint maxTokens, StatusCode expected)
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var channel = host.CreateChannel();

        using var call = new LlmClient(channel).StreamCompletion(LlmTestHost.Request(model, maxTokens: maxTokens));
        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call)).Bounded();

        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task StreamCompletion_Upstream429_ResourceExhaustedWithRetryAfterTrailer()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _) =>
        {
            context.Response.Headers.RetryAfter = "12";
            return FakeOpenAiServer.WriteErrorAsync(context, 429, "slow down", "requests");
        });
        await using var host = await StreamServiceHost.StartAsync(LlmTestHost.OpenAi(upstream.BaseUrl));
        using var channel = host.CreateChannel();

        using var call = new LlmClient(channel).StreamCompletion(LlmTestHost.Request("fake-gpt"));
        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call)).Bounded();

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("12", error.Trailers.GetValue("retry-after"));
    }

    [Fact]
    public async Task StreamCompletion_UpstreamFailsAfterTokens_TokensAndSummaryThenUnavailable()
    {
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "one"));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, " two"));
            await delivered.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        await using var host = await StreamServiceHost.StartAsync(LlmTestHost.OpenAi(upstream.BaseUrl));
        using var channel = host.CreateChannel();

        using var call = new LlmClient(channel).StreamCompletion(LlmTestHost.Request("fake-gpt"));
        var received = new List<CompletionChunk>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
                received.Add(chunk);
                if (received.Count == 2)
                {
                    delivered.TrySetResult();
                }
            }
        }).Bounded();

        Assert.Equal(["one", " two"], received.Where(c => c.Delta is not null).Select(c => c.Delta.Text));
        Assert.Equal(CompletionFinishReason.Error, received[^1].Summary.FinishReason);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    public enum Abandon
    {
        Cancel,
        Deadline,
        Disconnect,
    }

    [Theory]
    [InlineData(Abandon.Cancel)]
    [InlineData(Abandon.Deadline)]
    [InlineData(Abandon.Disconnect)]
    public async Task StreamCompletion_ClientAbandonsMidStream_UpstreamRequestAborted(Abandon how)
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.RoleChunk(request.Model));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "first"));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await using var host = await StreamServiceHost.StartAsync(LlmTestHost.OpenAi(upstream.BaseUrl));

        // Disconnect means the TCP connection dies without a word (no RST_STREAM, no GOAWAY), so the
        // test keeps the client's socket to close it by hand.
        Socket? socket = null;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await s.ConnectAsync(context.DnsEndPoint, token);
                socket = s;
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        using var channel = host.CreateChannel(new GrpcChannelOptions { HttpHandler = handler });
        using var cancel = new CancellationTokenSource();

        using var call = new LlmClient(channel).StreamCompletion(
            LlmTestHost.Request("fake-gpt"),
            // Long enough for the first token of a cold service (a 500 ms deadline expired before it
            // once in a full run), short enough to end the stream while the upstream still streams.
            deadline: how == Abandon.Deadline ? DateTime.UtcNow.AddSeconds(2) : null,
            cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
        Assert.Equal("first", call.ResponseStream.Current.Delta.Text);

        switch (how)
        {
            case Abandon.Cancel:
                cancel.Cancel();
                break;
            case Abandon.Disconnect:
                socket!.Close(0);
                break;
        }

        await upstream.FirstAborted.Bounded();
        if (how == Abandon.Deadline)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(TestTimeout.Token())).Bounded();
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        }
    }

    [Fact]
    public async Task StreamCompletion_ManyConcurrentStreamsOnOneChannel_AllComplete()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            var prompt = request.Body.GetProperty("messages")[0].GetProperty("content").GetString()!;
            await FakeOpenAiServer.StreamTokensAsync(context, request, Enumerable.Range(0, 10).Select(i => $"{prompt}.{i} ").ToArray());
        });
        await using var host = await StreamServiceHost.StartAsync(LlmTestHost.OpenAi(upstream.BaseUrl));
        using var channel = host.CreateChannel();
        var client = new LlmClient(channel);

        var texts = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var call = client.StreamCompletion(LlmTestHost.Request("fake-gpt", $"s{i}"));
            var chunks = await ReadAllAsync(call);
            return string.Concat(chunks.Where(c => c.Delta is not null).Select(c => c.Delta.Text));
        })).Bounded();

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(string.Concat(Enumerable.Range(0, 10).Select(t => $"s{i}.{t} ")), texts[i]);
        }
    }

    private static async Task<List<CompletionChunk>> ReadAllAsync(AsyncServerStreamingCall<CompletionChunk> call)
    {
        var chunks = new List<CompletionChunk>();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }
}
