using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Hardening;

/// <summary>
/// The real StreamService (StreamServiceApp.Build, as Program.cs) on loopback Kestrel with the
/// hardening settings a test gives. Unlike StreamServiceHost it starts with no test defaults (auth
/// on unless the test says otherwise), exposes every listening address and can capture logs.
/// </summary>
internal sealed class HardenedHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private HardenedHost(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    public IReadOnlyList<Uri> Addresses { get; }

    public Uri Address => Addresses[0];

    public IServiceProvider Services => _app.Services;

    public static async Task<HardenedHost> StartAsync(IDictionary<string, string?> settings, ILoggerProvider? logs = null, string environment = "Production", Action<WebApplicationBuilder>? configure = null)
    {
        var app = StreamServiceApp.Build(["--environment", environment], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            }

            builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        });

        await app.StartAsync().Bounded();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return new HardenedHost(app, addresses);
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options ?? new GrpcChannelOptions());

    /// <summary>What SIGTERM does: the host stops (drain, then Kestrel shutdown).</summary>
    public Task StopAsync()
    {
        _stopped = true;
        return _app.StopAsync(TestTimeout.Token());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stop.Token).Bounded();
        }

        await _app.DisposeAsync();
    }
}
