using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.Rpc.Tests.Infrastructure;

namespace StreamGrpc.Rpc.Tests.Functional;

/// <summary>Starts one Echo server per test class, with small limits so limit tests are cheap.</summary>
public sealed class EchoFixture : IAsyncLifetime
{
    private GrpcTestHost? _host;

    internal GrpcTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    internal EchoObservations Observations { get; private set; } = new();

    internal void ResetObservations() => Observations = new EchoObservations();

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(
            services =>
            {
                services.AddGrpc(o => o.MaxReceiveMessageSize = 1024 * 1024);
                services.AddTransient(_ => Observations);
            },
            endpoints => endpoints.MapGrpcService<EchoService>());
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
