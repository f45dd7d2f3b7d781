using System.Net;

namespace StreamService.Observability;

/// <summary>
/// Configuration section <c>StreamGrpc:Telemetry:Prometheus</c>: OpenTelemetry's Prometheus
/// exporter served on a listener of its own (plain HTTP/1.1, which Prometheus scrapes with; the gRPC
/// endpoints speak HTTP/2 only). Off by default; when on, it listens on loopback unless
/// <see cref="AllowRemote"/> says otherwise, so metrics never reach the network by accident.
/// </summary>
internal sealed class PrometheusScrapeOptions
{
    /// <summary>Serve <see cref="Path"/> on <see cref="Address"/>:<see cref="Port"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The IP address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port (0: any free port, for tests). 9464 is the exporter's registered default.</summary>
    public int Port { get; set; } = 9464;

    /// <summary>The scrape path.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>Allow a non-loopback <see cref="Address"/>: metrics carry no secrets, but they tell
    /// who calls what how often; only set this behind a network policy that admits the scraper alone.</summary>
    public bool AllowRemote { get; set; }

    /// <summary>The validation failure, or null when the settings hold.</summary>
    public string? Validate()
    {
        if (!Enabled)
        {
            return null;
        }

        if (!IPAddress.TryParse(Address, out var address))
        {
            return "StreamGrpc:Telemetry:Prometheus:Address must be an IP address (e.g. 127.0.0.1).";
        }

        if (!IPAddress.IsLoopback(address) && !AllowRemote)
        {
            return "StreamGrpc:Telemetry:Prometheus:Address is not a loopback address: set StreamGrpc:Telemetry:Prometheus:AllowRemote to true to expose metrics beyond this host.";
        }

        if (Port is < 0 or > 65535)
        {
            return "StreamGrpc:Telemetry:Prometheus:Port must be between 0 and 65535.";
        }

        return Path.StartsWith('/') ? null : "StreamGrpc:Telemetry:Prometheus:Path must start with '/'.";
    }
}
