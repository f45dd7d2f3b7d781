using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamGrpc.V1;
using Xunit;

namespace StreamService.Tests.Llm;

/// <summary>The <c>openai</c> backend through the service class, against a local OpenAI-compatible
/// streaming server on real Kestrel.</summary>
public class OpenAiBackendTests
{
    private const string Key = "sk-test-0123456789abcdefSECRET";

    [Fact]
    public async Task StreamCompletion_DocumentedChunkFormat_StreamsContentAndUpstreamUsage()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.RoleChunk("fake-gpt-2025"));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk("fake-gpt-2025", "Hel"));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.EmptyDeltaChunk("fake-gpt-2025"));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk("fake-gpt-2025", "lo"));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk("fake-gpt-2025", ""));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.FinishChunk("fake-gpt-2025", "length"));
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.UsageChunk("fake-gpt-2025", 9, 2));
            await FakeOpenAiServer.WriteDoneAsync(context);
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal(["Hel", "lo"], result.Deltas.Select(d => d.Text));
        Assert.Equal([0u, 1u], result.Deltas.Select(d => d.Index));
        var summary = result.Summary!;
        Assert.Equal(CompletionFinishReason.Length, summary.FinishReason);
        Assert.Equal((9u, 2u, 11u, false), (summary.Usage.PromptTokens, summary.Usage.CompletionTokens, summary.Usage.TotalTokens, summary.Usage.Estimated));
        Assert.Equal("fake-gpt-2025", summary.Model);
    }

    [Fact]
    public async Task StreamCompletion_UpstreamSendsNoUsage_CountsAndFlagsEstimate()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, request)
            => FakeOpenAiServer.StreamTokensAsync(context, request, ["a", "b", "c"], sendUsage: false));
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt", "12345678"));

        var usage = result.Summary!.Usage;
        Assert.True(usage.Estimated);
        Assert.Equal(3u, usage.CompletionTokens);
        Assert.Equal(5u, usage.PromptTokens); // 3 per message + 8 characters / 4
    }

    [Fact]
    public async Task StreamCompletion_Request_IsTheDocumentedStreamingBody()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync();
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl, apiKey: Key);
        settings["StreamGrpc:Llm:Models:0:UpstreamModel"] = "gpt-upstream-id";
        await using var host = new LlmTestHost(settings);
        var request = LlmTestHost.Request("fake-gpt", maxTokens: 77, seed: 5);
        request.Messages.Insert(0, new CompletionMessage { Role = CompletionRole.System, Content = "Be brief." });
        request.Temperature = 0.5f;
        request.TopP = 0.9f;
        request.Stop.Add("\n\n");
        request.RequestId = "req-123";

        var result = await host.CallAsync(request);

        Assert.Equal("Hello, world!", result.Text);
        Assert.Equal("req-123", result.Summary!.RequestId);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("Bearer " + Key, seen.Authorization);
        Assert.Equal("req-123", seen.RequestId);
        var body = seen.Body;
        Assert.Equal("gpt-upstream-id", body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(seen.IncludeUsage);
        Assert.Equal(77, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.5, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(5, body.GetProperty("seed").GetInt64());
        Assert.Equal("\n\n", body.GetProperty("stop")[0].GetString());
        var messages = body.GetProperty("messages");
        Assert.Equal(("system", "Be brief."), (messages[0].GetProperty("role").GetString(), messages[0].GetProperty("content").GetString()));
        Assert.Equal(("user", "Say hello"), (messages[1].GetProperty("role").GetString(), messages[1].GetProperty("content").GetString()));
    }

    [Theory]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    public async Task StreamCompletion_UpstreamRejectsKey_ClearStatusWithoutTheKey(int httpStatus, StatusCode expected)
    {
        // OpenAI echoes part of a wrong key in its 401 body; none of it may reach the caller.
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _)
            => FakeOpenAiServer.WriteErrorAsync(context, httpStatus, $"Incorrect API key provided: {Key}. You can find your API key at ..."));
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl, apiKey: Key));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(expected, result.Code);
        Assert.Contains("credentials", result.Error!.Status.Detail);
        Assert.DoesNotContain("sk-", result.Error.Status.Detail);
        Assert.DoesNotContain("SECRET", result.Error.Message);
        Assert.Empty(result.Chunks);
    }

    [Theory]
    [InlineData("7", null, "7", "7000")]
    [InlineData("3", "1500", "2", "1500")]
    [InlineData(null, null, null, null)]
    public async Task StreamCompletion_Upstream429_ResourceExhaustedWithRetryAfterTrailers(string? retryAfter, string? retryAfterMs, string? expectedSeconds, string? expectedPushback)
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _) =>
        {
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            if (retryAfterMs is not null)
            {
                context.Response.Headers["retry-after-ms"] = retryAfterMs;
            }

            return FakeOpenAiServer.WriteErrorAsync(context, 429, "Rate limit reached for requests", "requests");
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.ResourceExhausted, result.Code);
        Assert.Equal(expectedSeconds, result.Error!.Trailers.GetValue("retry-after"));
        Assert.Equal(expectedPushback, result.Error.Trailers.GetValue("grpc-retry-pushback-ms"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task StreamCompletion_Upstream5xx_Unavailable(int httpStatus)
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _) => FakeOpenAiServer.WriteErrorAsync(context, httpStatus, "The server is overloaded", "server_error"));
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains($"HTTP {httpStatus}", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_Upstream400_InvalidArgumentWithUpstreamReason()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _) => FakeOpenAiServer.WriteErrorAsync(context, 400, "This model's maximum context length is 8192 tokens."));
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.InvalidArgument, result.Code);
        Assert.Contains("maximum context length", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_ConnectionRefused_Unavailable()
    {
        Uri closed;
        await using (var upstream = await FakeOpenAiServer.StartAsync())
        {
            closed = upstream.BaseUrl;
        }

        await using var host = new LlmTestHost(LlmTestHost.OpenAi(closed));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains("could not be reached", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_UpstreamSilentPastFirstTokenTimeout_UnavailableAndUpstreamAborted()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, _) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:FirstTokenTimeout"] = "00:00:00.200";
        await using var host = new LlmTestHost(settings);

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains("did not start answering", result.Error!.Status.Detail);
        await upstream.FirstAborted.Within();
    }

    [Fact]
    public async Task StreamCompletion_UpstreamSilentPastIdleTimeout_TokensThenUnavailable()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "one"));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:IdleTimeout"] = "00:00:00.200";
        await using var host = new LlmTestHost(settings);

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(["one"], result.Deltas.Select(d => d.Text));
        Assert.Equal(CompletionFinishReason.Error, result.Summary!.FinishReason);
        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains("sent nothing", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_UpstreamDropsConnectionAfterTokens_TokensThenSummaryThenUnavailable()
    {
        // The upstream drops the connection only once the caller has the tokens, so they cannot be lost in transit.
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.RoleChunk(request.Model));
            foreach (var token in new[] { "one", " two", " three" })
            {
                await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, token));
            }

            await delivered.Task;
            context.Abort();
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));
        var deltas = 0;

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"), afterWrite: _ =>
        {
            if (++deltas == 3)
            {
                delivered.TrySetResult();
            }
        });

        Assert.Equal(["one", " two", " three"], result.Deltas.Select(d => d.Text));
        var summary = result.Summary!;
        Assert.Equal(CompletionFinishReason.Error, summary.FinishReason);
        Assert.Equal(3u, summary.Usage.CompletionTokens);
        Assert.True(summary.Usage.Estimated);
        Assert.Equal(StatusCode.Unavailable, result.Code);
    }

    [Fact]
    public async Task StreamCompletion_UpstreamEndsWithoutDone_Unavailable()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "half"));
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal("half", result.Text);
        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains("before the completion finished", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_ErrorEventMidStream_TokensThenUnavailableWithReason()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "partial"));
            await FakeOpenAiServer.WriteChunkAsync(context, """{"error":{"message":"The engine crashed.","type":"server_error","code":null}}""");
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal("partial", result.Text);
        Assert.Equal(CompletionFinishReason.Error, result.Summary!.FinishReason);
        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Contains("The engine crashed.", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task StreamCompletion_MalformedChunk_Internal()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, _) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, "{not json");
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.Internal, result.Code);
    }

    [Fact]
    public async Task StreamCompletion_CallerCancelsMidStream_UpstreamRequestAborted()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "first"));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));
        using var cancel = new CancellationTokenSource();

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"), cancel.Token, afterWrite: _ => cancel.Cancel());

        Assert.NotNull(result.Cancelled);
        Assert.Equal(["first"], result.Deltas.Select(d => d.Text));
        await upstream.FirstAborted.Within();
    }

    [Fact]
    public async Task StreamCompletion_CallerCancelsBeforeResponseHeaders_UpstreamRequestAborted()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));
        using var cancel = new CancellationTokenSource();

        var call = host.CallAsync(LlmTestHost.Request("fake-gpt"), cancel.Token);
        await arrived.Task.Within();
        cancel.Cancel();

        Assert.NotNull((await call).Cancelled);
        await upstream.FirstAborted.Within();
    }

    [Fact]
    public async Task StreamCompletion_CallerStopsBetweenReads_UpstreamRequestAborted()
    {
        // Cancellation while the service is busy writing (not reading upstream) disposes the
        // backend's enumerator; the response must be aborted, not drained.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "first"));
            await release.Task.WaitAsync(context.RequestAborted);
            while (true)
            {
                await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, " more"));
                await Task.Delay(10, context.RequestAborted);
            }
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"), afterWrite: _ => throw new IOException("client went away"));

        Assert.NotNull(result.WriteFailure);
        Assert.Equal(["first"], result.Deltas.Select(d => d.Text));
        release.TrySetResult();
        await upstream.FirstAborted.Within();
    }

    [Fact]
    public async Task StreamCompletion_TransientFailureBeforeFirstToken_RetriedThenFallsBack()
    {
        var calls = 0;
        await using var upstream = await FakeOpenAiServer.StartAsync((context, request) =>
            Interlocked.Increment(ref calls) == 1
                ? FakeOpenAiServer.WriteErrorAsync(context, 503, "overloaded", "server_error")
                : FakeOpenAiServer.StreamTokensAsync(context, request, ["retried"]));
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:RetryAttempts"] = "1";
        settings["StreamGrpc:Llm:Models:0:RetryDelay"] = "00:00:00.010";
        await using var host = new LlmTestHost(settings);

        var retried = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.OK, retried.Code);
        Assert.Equal("retried", retried.Text);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task StreamCompletion_UpstreamDown_FallsBackToBuiltin()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _) => FakeOpenAiServer.WriteErrorAsync(context, 502, "bad gateway", "server_error"));
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:Fallbacks:0"] = "builtin-echo";
        settings["StreamGrpc:Llm:Models:1:Name"] = "builtin-echo";
        settings["StreamGrpc:Llm:Models:1:Backend"] = "builtin";
        settings["StreamGrpc:Llm:Models:1:TokensPerSecond"] = "0";
        await using var host = new LlmTestHost(settings);

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt", "fallback works"));

        Assert.Equal(StatusCode.OK, result.Code);
        Assert.Equal("fallback works", result.Text);
        Assert.Equal("builtin-echo", result.Summary!.Model);
    }

    [Fact]
    public async Task StreamCompletion_NonTransientFailure_NoFallback()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync((context, _) => FakeOpenAiServer.WriteErrorAsync(context, 401, "bad key"));
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:Fallbacks:0"] = "builtin-echo";
        await using var host = new LlmTestHost(settings);

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"));

        Assert.Equal(StatusCode.Unauthenticated, result.Code);
    }

    [Fact]
    public async Task StreamCompletion_FailureAfterFirstToken_NotRetried()
    {
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "once"));
            await delivered.Task;
            context.Abort();
        });
        var settings = LlmTestHost.OpenAi(upstream.BaseUrl);
        settings["StreamGrpc:Llm:Models:0:RetryAttempts"] = "3";
        await using var host = new LlmTestHost(settings);

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"), afterWrite: _ => delivered.TrySetResult());

        Assert.Equal("once", result.Text);
        Assert.Equal(StatusCode.Unavailable, result.Code);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task StreamCompletion_ServerShuttingDown_CancelledSummaryThenUnavailable()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            await FakeOpenAiServer.StartStreamAsync(context);
            await FakeOpenAiServer.WriteChunkAsync(context, FakeOpenAiServer.ContentChunk(request.Model, "before"));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var result = await host.CallAsync(LlmTestHost.Request("fake-gpt"), afterWrite: c =>
        {
            if (c.KindCase == CompletionChunk.KindOneofCase.Delta)
            {
                host.Lifetime.StopApplication();
            }
        });

        Assert.Equal("before", result.Text);
        Assert.Equal(CompletionFinishReason.Cancelled, result.Summary!.FinishReason);
        Assert.Equal(StatusCode.Unavailable, result.Code);
        await upstream.FirstAborted.Within();
    }

    [Fact]
    public async Task StreamCompletion_ManyConcurrentStreams_EachGetsItsOwnTokens()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync(async (context, request) =>
        {
            var prompt = request.Body.GetProperty("messages")[0].GetProperty("content").GetString()!;
            var tokens = Enumerable.Range(0, 20).Select(i => $"{prompt}:{i} ").ToArray();
            await FakeOpenAiServer.StreamTokensAsync(context, request, tokens);
        });
        await using var host = new LlmTestHost(LlmTestHost.OpenAi(upstream.BaseUrl));

        var calls = Enumerable.Range(0, 200).Select(i => host.CallAsync(LlmTestHost.Request("fake-gpt", $"p{i}"))).ToArray();
        var results = await Task.WhenAll(calls).Within();

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(StatusCode.OK, results[i].Code);
            Assert.Equal(string.Concat(Enumerable.Range(0, 20).Select(t => $"p{i}:{t} ")), results[i].Text);
            Assert.Equal(20u, results[i].Summary!.Usage.CompletionTokens);
        }
    }
}
