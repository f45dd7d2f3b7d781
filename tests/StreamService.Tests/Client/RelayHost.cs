using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamClient;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Client;

/// <summary>A second Kestrel host (HTTP/2 on 127.0.0.1) serving <see cref="RowsRelayService"/>, wired
/// the way a consuming ASP.NET Core service would: AddGrpc, AddStreamGrpcClient, MapGrpcService.</summary>
internal sealed class RelayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RelayHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public RelayObserver Observer => _app.Services.GetRequiredService<RelayObserver>();

    public static async Task<RelayHost> StartAsync(Uri upstream)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddStreamGrpcClient(options => options.Address = upstream);
        builder.Services.AddSingleton<RelayObserver>();

        var app = builder.Build();
        app.MapGrpcService<RowsRelayService>();
        await app.StartAsync().Bounded();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RelayHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token).Bounded();
        await _app.DisposeAsync();
    }
}
