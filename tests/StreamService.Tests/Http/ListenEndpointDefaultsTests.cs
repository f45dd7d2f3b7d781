using Microsoft.Extensions.Configuration;
using StreamService.Http;

namespace StreamService.Tests.Http;

/// <summary>Where the service listens by default: h2c and HTTP/1.1 on two loopback ports when nothing
/// is configured; TLS endpoints speak both HTTP versions by ALPN unless they say otherwise.</summary>
public sealed class ListenEndpointDefaultsTests
{
    [Fact]
    public void Apply_NothingConfigured_H2cOn5000AndHttp1On5001()
    {
        var configuration = Apply([]);

        Assert.Equal("http://127.0.0.1:5000", configuration["Kestrel:Endpoints:Grpc:Url"]);
        Assert.Null(configuration["Kestrel:Endpoints:Grpc:Protocols"]);
        Assert.Equal("http://127.0.0.1:5001", configuration["Kestrel:Endpoints:Http1:Url"]);
        Assert.Equal("Http1", configuration["Kestrel:Endpoints:Http1:Protocols"]);
    }

    [Fact]
    public void Apply_UrlsConfigured_NoEndpointAdded()
    {
        var configuration = Apply(new() { ["urls"] = "http://127.0.0.1:7000" });

        Assert.Empty(configuration.GetSection("Kestrel:Endpoints").GetChildren());
    }

    [Fact]
    public void Apply_TlsEndpointWithoutProtocols_Http1AndHttp2_OthersUntouched()
    {
        var configuration = Apply(new()
        {
            ["Kestrel:Endpoints:Tls:Url"] = "https://0.0.0.0:5443",
            ["Kestrel:Endpoints:TlsH2:Url"] = "https://0.0.0.0:5444",
            ["Kestrel:Endpoints:TlsH2:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Loopback:Url"] = "http://127.0.0.1:5000",
        });

        Assert.Equal("Http1AndHttp2", configuration["Kestrel:Endpoints:Tls:Protocols"]);
        Assert.Equal("Http2", configuration["Kestrel:Endpoints:TlsH2:Protocols"]);
        Assert.Null(configuration["Kestrel:Endpoints:Loopback:Protocols"]);
        Assert.Null(configuration["Kestrel:Endpoints:Http1:Url"]);
    }

    private static IConfiguration Apply(Dictionary<string, string?> settings)
    {
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(settings);
        ListenEndpointDefaults.Apply(manager, manager);
        return manager;
    }
}
