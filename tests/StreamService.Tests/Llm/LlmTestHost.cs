using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Llm;

namespace StreamService.Tests.Llm;

/// <summary>The feature's real DI wiring (AddLlm with in-memory configuration) and its service class,
/// called directly: the domain half of the tests, which needs no gRPC transport.</summary>
internal sealed class LlmTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public LlmTestHost(IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IHostApplicationLifetime>(Lifetime);
        services.AddLlm(configuration);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public TestLifetime Lifetime { get; } = new();

    public IServiceProvider Services => _services;

    /// <summary>Settings routing <paramref name="model"/> to an OpenAI-compatible upstream.</summary>
    public static Dictionary<string, string?> OpenAi(Uri baseUrl, string model = "fake-gpt", string? apiKey = null, int index = 0)
    {
        var prefix = $"StreamGrpc:Llm:Models:{index}:";
        var settings = new Dictionary<string, string?>
        {
            [prefix + "Name"] = model,
            [prefix + "Backend"] = "openai",
            [prefix + "BaseUrl"] = baseUrl.ToString(),
        };
        if (apiKey is not null)
        {
            settings[prefix + "ApiKey"] = apiKey;
        }

        return settings;
    }

    public StreamService.Llm.LlmService CreateService()
        => ActivatorUtilities.CreateInstance<StreamService.Llm.LlmService>(_services);

    public LlmOptions Options => _services.GetRequiredService<IOptions<LlmOptions>>().Value;

    /// <summary>Runs one call to completion and returns what was written, or the status it ended with.</summary>
    public async Task<CallResult> CallAsync(CompletionRequest request, CancellationToken cancellationToken = default, Action<CompletionChunk>? afterWrite = null)
    {
        var writer = new RecordingStreamWriter<CompletionChunk>(afterWrite);
        var context = new TestServerCallContext(cancellationToken);
        try
        {
            await CreateService().StreamCompletion(request, writer, context).Within();
            return new CallResult(writer.Messages, null, null, null);
        }
        catch (RpcException ex)
        {
            return new CallResult(writer.Messages, ex, null, null);
        }
        catch (OperationCanceledException ex)
        {
            return new CallResult(writer.Messages, null, ex, null);
        }
        catch (IOException ex)
        {
            return new CallResult(writer.Messages, null, null, ex);
        }
    }

    public static CompletionRequest Request(string model, string content = "Say hello", uint maxTokens = 0, long? seed = null)
    {
        var request = new CompletionRequest { Model = model, MaxTokens = maxTokens };
        request.Messages.Add(new CompletionMessage { Role = CompletionRole.User, Content = content });
        if (seed is { } s)
        {
            request.Seed = s;
        }

        return request;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    internal sealed class TestLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}

/// <summary>The outcome of one call: messages written, and the RpcException, cancellation or transport
/// failure (a write that threw) it ended with.</summary>
internal sealed record CallResult(IReadOnlyList<CompletionChunk> Chunks, RpcException? Error, OperationCanceledException? Cancelled, IOException? WriteFailure)
{
    public IEnumerable<CompletionDelta> Deltas => Chunks.Where(c => c.KindCase == CompletionChunk.KindOneofCase.Delta).Select(c => c.Delta);

    public string Text => string.Concat(Deltas.Select(d => d.Text));

    public CompletionSummary? Summary => Chunks.Count > 0 && Chunks[^1].KindCase == CompletionChunk.KindOneofCase.Summary ? Chunks[^1].Summary : null;

    public StatusCode Code => Error?.StatusCode ?? (Cancelled is null && WriteFailure is null ? StatusCode.OK : StatusCode.Cancelled);
}
