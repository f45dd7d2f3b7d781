using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamService.Tests.Llm;

/// <summary>
/// A local OpenAI-compatible <c>POST /v1/chat/completions</c> on real Kestrel (127.0.0.1, a free port)
/// that streams the documented chunk format: a role-only first chunk, content chunks, an empty
/// delta carrying finish_reason, a usage chunk with empty choices when the request asked for it,
/// then <c>data: [DONE]</c>. Tests swap <see cref="Handler"/> to script failures, and observe each
/// request (body, headers, whether the client aborted it) through <see cref="Requests"/>.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeUpstreamRequest> _requests = new();
    private readonly TaskCompletionSource<FakeUpstreamRequest> _firstAborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOpenAiServer(WebApplication app)
    {
        _app = app;
    }

    public delegate Task RequestHandler(HttpContext context, FakeUpstreamRequest request);

    /// <summary>What the server does with each request; <see cref="StreamTokensAsync"/> with the default script.</summary>
    public RequestHandler Handler { get; set; } = (context, request) => StreamTokensAsync(context, request, DefaultTokens);

    public static readonly string[] DefaultTokens = ["Hello", ",", " world", "!"];

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyCollection<FakeUpstreamRequest> Requests => _requests;

    /// <summary>Completes when the first request is aborted by the client (connection closed or reset).</summary>
    public Task<FakeUpstreamRequest> FirstAborted => _firstAborted.Task;

    public static async Task<FakeOpenAiServer> StartAsync(RequestHandler? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        if (handler is not null)
        {
            server.Handler = handler;
        }

        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync().Within();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var request = new FakeUpstreamRequest(body.RootElement.Clone(), context.Request.Headers.Authorization.ToString(), context.Request.Headers["X-Request-Id"].ToString());
        _requests.Enqueue(request);
        // Either the callback (abort while the handler awaits something else) or the finally block
        // (the handler's own await saw the abort and returned first, unregistering the callback).
        using var registration = context.RequestAborted.Register(() => MarkAborted(request));
        try
        {
            await Handler(context, request);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                MarkAborted(request);
            }
        }
    }

    private void MarkAborted(FakeUpstreamRequest request)
    {
        request.MarkAborted();
        _firstAborted.TrySetResult(request);
    }

    public static async Task StreamTokensAsync(HttpContext context, FakeUpstreamRequest request, IReadOnlyList<string> tokens, string finishReason = "stop", bool? sendUsage = null, int promptTokens = 11)
    {
        await StartStreamAsync(context);
        await WriteChunkAsync(context, RoleChunk(request.Model));
        foreach (var token in tokens)
        {
            await WriteChunkAsync(context, ContentChunk(request.Model, token));
        }

        await WriteChunkAsync(context, FinishChunk(request.Model, finishReason));
        if (sendUsage ?? request.IncludeUsage)
        {
            await WriteChunkAsync(context, UsageChunk(request.Model, promptTokens, tokens.Count));
        }

        await WriteDoneAsync(context);
    }

    public static Task StartStreamAsync(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.StartAsync(context.RequestAborted);
    }

    public static async Task WriteChunkAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", Encoding.UTF8, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes event-stream bytes exactly as given (line ends, comments, half events) and flushes.</summary>
    public static async Task WriteRawAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text, Encoding.UTF8, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Holds the response open until the service aborts the request (the abort is the
    /// event awaited; the handler's catch records it).</summary>
    public static async Task WaitForAbortAsync(HttpContext context)
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = context.RequestAborted.Register(() => aborted.TrySetCanceled(context.RequestAborted));
        await aborted.Task;
    }

    public static Task WriteDoneAsync(HttpContext context) => context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);

    public static Task WriteErrorAsync(HttpContext context, int status, string message, string type = "invalid_request_error")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.Serialize(new { error = new { message, type, param = (string?)null, code = (string?)null } });
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    // The chunk objects as the OpenAI API reference documents them ("The chat completion chunk object").
    public static string RoleChunk(string model) => Chunk(model, """{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}""");

    public static string ContentChunk(string model, string text) => Chunk(model, $$"""{"index":0,"delta":{"content":{{JsonSerializer.Serialize(text)}}},"logprobs":null,"finish_reason":null}""");

    public static string EmptyDeltaChunk(string model) => Chunk(model, """{"index":0,"delta":{},"logprobs":null,"finish_reason":null}""");

    public static string FinishChunk(string model, string finishReason) => Chunk(model, $$"""{"index":0,"delta":{},"logprobs":null,"finish_reason":"{{finishReason}}"}""");

    public static string UsageChunk(string model, int promptTokens, int completionTokens)
        => $$$"""{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"{{{model}}}","system_fingerprint":"fp_fake","choices":[],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{completionTokens}}},"total_tokens":{{{promptTokens + completionTokens}}}}}""";

    private static string Chunk(string model, string choice)
        => $$"""{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"{{model}}","system_fingerprint":"fp_fake","choices":[{{choice}}],"usage":null}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().Within();
        await _app.DisposeAsync();
    }
}

/// <summary>One request as the fake upstream saw it.</summary>
internal sealed class FakeUpstreamRequest
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeUpstreamRequest(JsonElement body, string authorization, string requestId)
    {
        Body = body;
        Authorization = authorization;
        RequestId = requestId;
    }

    public JsonElement Body { get; }

    public string Authorization { get; }

    public string RequestId { get; }

    public string Model => Body.GetProperty("model").GetString()!;

    public bool IncludeUsage => Body.TryGetProperty("stream_options", out var o) && o.TryGetProperty("include_usage", out var u) && u.GetBoolean();

    /// <summary>Completes when the client aborted this request.</summary>
    public Task Aborted => _aborted.Task;

    internal void MarkAborted() => _aborted.TrySetResult();
}
