using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Http;

/// <summary>The real StreamService on two loopback ports, as the default listens: h2c (gRPC, and
/// HTTP/JSON with HTTP/2 prior knowledge) and HTTP/1.1 (HTTP/JSON). One HttpClient per HTTP
/// version, each asking for exactly its version, so a test knows which protocol carried a stream.</summary>
internal sealed class HttpJsonHost : IAsyncDisposable
{
    private readonly StreamServiceHost _host;

    private HttpJsonHost(StreamServiceHost host, Uri h2c, Uri http1)
    {
        _host = host;
        H2cAddress = h2c;
        Http1Address = http1;
        Http1 = new HttpClient { BaseAddress = http1, DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = Timeout.InfiniteTimeSpan };
        Http2 = new HttpClient { BaseAddress = h2c, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = Timeout.InfiniteTimeSpan };
        Channel = GrpcChannel.ForAddress(h2c);
    }

    public Uri H2cAddress { get; }

    public Uri Http1Address { get; }

    /// <summary>HTTP/1.1 to the HTTP/1.1 port.</summary>
    public HttpClient Http1 { get; }

    /// <summary>HTTP/2 with prior knowledge (h2c) to the gRPC port.</summary>
    public HttpClient Http2 { get; }

    /// <summary>gRPC to the h2c port.</summary>
    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _host.Services;

    public HttpClient Client(string version) => version switch
    {
        "1.1" => Http1,
        "2" => Http2,
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "1.1 or 2"),
    };

    public static async Task<HttpJsonHost> StartAsync(IDictionary<string, string?> settings)
    {
        var host = await StreamServiceHost.StartAsync(settings, builder => builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Listen calls win over the test host's UseUrls; bound in this order.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
        }));
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        Assert.Equal(2, addresses.Count);
        return new HttpJsonHost(host, new Uri(addresses[0]), new Uri(addresses[1]));
    }

    public async ValueTask DisposeAsync()
    {
        Http1.Dispose();
        Http2.Dispose();
        Channel.Dispose();
        await _host.DisposeAsync();
    }
}
