namespace StreamService.Http;

/// <summary>
/// Where the service listens when the operator says nothing, and which HTTP versions a TLS endpoint
/// speaks. gRPC needs HTTP/2; HTTP/JSON and gRPC-Web callers (curl, browsers, HTTP/1.1 proxies) need
/// HTTP/1.1. With TLS one port serves both, ALPN picking per connection, so a TLS endpoint of
/// <c>Kestrel:Endpoints</c> without its own <c>Protocols</c> gets <c>Http1AndHttp2</c>. Without TLS
/// Kestrel 10 cannot tell an h2c prior-knowledge connection from HTTP/1.1 on one port (a cleartext
/// <c>Http1AndHttp2</c> endpoint always speaks HTTP/1.1, which would break every plaintext gRPC
/// client; dotnet/aspnetcore#56984), so the plaintext default is two loopback ports: h2c on 5000
/// (gRPC, and HTTP/JSON for <c>curl --http2-prior-knowledge</c>) and HTTP/1.1 on 5001.
/// Expressed as <c>Kestrel:Endpoints</c> configuration, so Kestrel's own binding (and its
/// validation) applies; <c>urls</c> / <c>ASPNETCORE_URLS</c> or any configured endpoint replaces
/// the default.
/// </summary>
internal static class ListenEndpointDefaults
{
    /// <summary>gRPC (and HTTP/JSON over h2c) when nothing is configured.</summary>
    public const string DefaultGrpcUrl = "http://127.0.0.1:5000";

    /// <summary>HTTP/1.1 (HTTP/JSON, gRPC-Web, the status page) when nothing is configured.</summary>
    public const string DefaultHttp1Url = "http://127.0.0.1:5001";

    /// <summary>Applies the defaults; called once every other configuration source is in place.</summary>
    public static void Apply(IConfigurationBuilder configurationBuilder, IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().ToList();
        var defaults = new Dictionary<string, string?>();
        if (endpoints.Count == 0)
        {
            if (string.IsNullOrEmpty(configuration["urls"]))
            {
                defaults["Kestrel:Endpoints:Grpc:Url"] = DefaultGrpcUrl;
                defaults["Kestrel:Endpoints:Http1:Url"] = DefaultHttp1Url;
                defaults["Kestrel:Endpoints:Http1:Protocols"] = "Http1";
            }
        }
        else
        {
            foreach (var endpoint in endpoints)
            {
                if (endpoint["Url"] is { } url && url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(endpoint["Protocols"]))
                {
                    defaults[$"Kestrel:Endpoints:{endpoint.Key}:Protocols"] = "Http1AndHttp2";
                }
            }
        }

        if (defaults.Count > 0)
        {
            configurationBuilder.AddInMemoryCollection(defaults);
        }
    }
}
