using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace StreamService.Tests.Infrastructure;

/// <summary>The real StreamService (same wiring as Program.cs) on Kestrel at 127.0.0.1 with an
/// ephemeral port. <c>settings</c> override configuration keys, e.g. the connection string.</summary>
internal sealed class StreamServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StreamServiceHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<StreamServiceHost> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var app = StreamServiceApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();

            // Functional tests of features run without credentials or call-rate limits; the hardening
            // tests turn both on through `settings`, which win over these.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["StreamGrpc:Auth:Mode"] = "None",
                ["StreamGrpc:Limits:CallsPerSecondPerCaller"] = "0",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            configure?.Invoke(builder);
        });
        await app.StartAsync().Bounded();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StreamServiceHost(app, new Uri(address));
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options ?? new GrpcChannelOptions());

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token).Bounded();
        await _app.DisposeAsync();
    }
}
