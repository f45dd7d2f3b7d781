using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace StreamService.Observability;

/// <summary>
/// Serves OpenTelemetry's Prometheus exporter (its ASP.NET Core middleware) on a Kestrel listener of
/// its own. A second small server rather than a route of the main one: the service's endpoints speak
/// HTTP/2 only (h2c prior knowledge) while Prometheus scrapes over HTTP/1.1, and an extra Kestrel
/// listener set in code would replace the URLs the operator configured instead of adding to them.
/// The scrape endpoint is the only thing it serves; everything else is 404.
/// </summary>
internal sealed partial class PrometheusScrapeServer(
    IOptions<TelemetryOptions> options,
    MeterProvider meterProvider,
    ILogger<PrometheusScrapeServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where it listens once started (the actual port when 0 was configured).</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Prometheus;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(settings.Address), settings.Port, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null!, settings.Path, configureBranchedPipeline: null!, optionsName: null!);
        await app.StartAsync(cancellationToken);
        _app = app;
        Addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(new Uri(a), settings.Path)).ToList();
        foreach (var address in Addresses)
        {
            LogListening(address);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus metrics served at {ScrapeUrl}")]
    private partial void LogListening(Uri scrapeUrl);
}
