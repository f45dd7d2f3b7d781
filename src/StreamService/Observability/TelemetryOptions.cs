namespace StreamService.Observability;

/// <summary>Configuration section <c>StreamGrpc:Telemetry</c>: OpenTelemetry export (OTLP push,
/// Prometheus pull).</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "StreamGrpc:Telemetry";

    /// <summary>OTLP collector endpoint, e.g. <c>http://127.0.0.1:4317</c> (grpc) or
    /// <c>http://127.0.0.1:4318</c> (http/protobuf). Export is off while empty.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> or <c>HttpProtobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>How often metrics are exported over OTLP.</summary>
    public TimeSpan MetricExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "streamgrpc";

    /// <summary>Export traces over OTLP (ASP.NET Core server spans, Npgsql commands, HttpClient requests).</summary>
    public bool ExportTraces { get; set; } = true;

    /// <summary>Export metrics over OTLP (StreamGrpc.Server, grpc-dotnet, ASP.NET Core, Kestrel, Npgsql, HttpClient, runtime).</summary>
    public bool ExportMetrics { get; set; } = true;

    /// <summary>The Prometheus scrape endpoint (<c>StreamGrpc:Telemetry:Prometheus</c>).</summary>
    public PrometheusScrapeOptions Prometheus { get; set; } = new();
}
