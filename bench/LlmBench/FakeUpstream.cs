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

namespace LlmBench;

/// <summary>A local OpenAI-compatible streaming endpoint on Kestrel (127.0.0.1). The first content
/// chunk goes out right after the headers, then one every <c>interval</c>; the model name picks the
/// interval ("fast" = the latency run's pace, "slow" = 1 s for the concurrency run), max_tokens the
/// number of tokens.</summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<FakeUpstream> StartAsync(TimeSpan fastInterval)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxConcurrentConnections = null;
            o.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", context => StreamAsync(context, fastInterval));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeUpstream(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    private static async Task StreamAsync(HttpContext context, TimeSpan fastInterval)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var model = body.RootElement.GetProperty("model").GetString()!;
        var tokens = body.RootElement.GetProperty("max_tokens").GetInt32();
        var interval = model == "slow" ? TimeSpan.FromSeconds(1) : fastInterval;
        context.Response.ContentType = "text/event-stream";
        var ct = context.RequestAborted;
        try
        {
            await Write(context, Chunk(model, """{"role":"assistant","content":""}""", "null"), ct);
            var start = DateTime.UtcNow;
            for (var i = 0; i < tokens; i++)
            {
                if (i > 0)
                {
                    var due = start + (interval * i) - DateTime.UtcNow;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, ct);
                    }
                }

                await Write(context, Chunk(model, $$"""{"content":" tok{{i}}"}""", "null"), ct);
            }

            await Write(context, Chunk(model, "{}", "\"length\""), ct);
            await Write(context, $$$"""{"id":"b","object":"chat.completion.chunk","created":1,"model":"{{{model}}}","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":{{{tokens}}},"total_tokens":{{{tokens + 5}}}}}""", ct);
            await context.Response.WriteAsync("data: [DONE]\n\n", ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static string Chunk(string model, string delta, string finish)
        => $$"""{"id":"b","object":"chat.completion.chunk","created":1,"model":"{{model}}","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}],"usage":null}""";

    private static async Task Write(HttpContext context, string json, CancellationToken ct)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", Encoding.UTF8, ct);
        await context.Response.Body.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
