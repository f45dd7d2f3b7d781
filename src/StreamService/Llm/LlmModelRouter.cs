using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamService.Llm;

/// <summary>Maps model names to backends, as configured in <c>StreamGrpc:Llm:Models</c>. Built once at
/// start-up from validated options; owns the HTTP client all OpenAI-compatible backends share.</summary>
internal sealed class LlmModelRouter : IDisposable
{
    private readonly Dictionary<string, LlmRoute> _routes = new(StringComparer.Ordinal);
    private readonly HttpClient _http;

    public LlmModelRouter(IOptions<LlmOptions> options, TimeProvider timeProvider, ILogger<LlmModelRouter> logger)
    {
        var settings = options.Value;
        _http = CreateHttpClient(settings.ConnectTimeout);

        var plain = new Dictionary<string, ILlmBackend>(StringComparer.Ordinal);
        foreach (var model in settings.Models)
        {
            plain[model.Name] = model.Backend switch
            {
                LlmBackendKind.Builtin => new BuiltinLlmBackend(model, timeProvider),
                LlmBackendKind.OpenAi => new OpenAiLlmBackend(_http, model, ResolveApiKey(model)),
                _ => throw new InvalidOperationException($"Unknown backend kind {model.Backend}."),
            };
        }

        foreach (var model in settings.Models)
        {
            var backend = plain[model.Name];
            if (model.RetryAttempts > 0 || model.Fallbacks.Count > 0)
            {
                var attempts = new List<FallbackLlmBackend.Attempt> { new(model.Name, backend, TimeSpan.Zero) };
                for (var i = 0; i < model.RetryAttempts; i++)
                {
                    attempts.Add(new(model.Name, backend, model.RetryDelay));
                }

                foreach (var fallback in model.Fallbacks)
                {
                    attempts.Add(new(fallback, plain[fallback], TimeSpan.Zero));
                }

                backend = new FallbackLlmBackend(attempts, timeProvider, logger);
            }

            _routes[model.Name] = new LlmRoute(model.Name, backend, model.DefaultMaxTokens ?? settings.DefaultMaxTokens);
        }
    }

    public IEnumerable<string> Models => _routes.Keys;

    public bool TryGetRoute(string model, out LlmRoute route) => _routes.TryGetValue(model, out route!);

    public void Dispose() => _http.Dispose();

    private static string? ResolveApiKey(LlmModelOptions model)
        => model.ApiKeyEnvironmentVariable is { } variable ? Environment.GetEnvironmentVariable(variable) : model.ApiKey;

    private static HttpClient CreateHttpClient(TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // Refresh pooled connections so DNS changes of a hosted upstream are picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Never drain an abandoned response: disposing it must abort the upstream request at
            // once, so a cancelled call stops the upstream's generation (and its bill).
            MaxResponseDrainSize = 0,
            // HTTP/2 upstreams cap concurrent streams per connection (often 100); open more.
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };

        return new HttpClient(handler)
        {
            // Completions stream for minutes; the backend enforces its own first-token and idle timeouts.
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            // https upstreams negotiate HTTP/2 through ALPN; plain http stays on HTTP/1.1.
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
    }
}
