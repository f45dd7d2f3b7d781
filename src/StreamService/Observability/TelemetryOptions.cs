namespace StreamService.Observability;

/// <summary>Configuration section <c>StreamGrpc:Telemetry</c>: OpenTelemetry OTLP export.</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "StreamGrpc:Telemetry";

    /// <summary>OTLP collector endpoint, e.g. <c>http://127.0.0.1:4317</c> (grpc) or
    /// <c>http://127.0.0.1:4318</c> (http/protobuf). Export is off while empty.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> or <c>HttpProtobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>How often metrics are exported.</summary>
    public TimeSpan MetricExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "streamgrpc";

    /// <summary>Export traces (the call spans, Npgsql, HttpClient, ASP.NET Core).</summary>
    public bool ExportTraces { get; set; } = true;

    /// <summary>Export metrics (StreamGrpc.Server, Npgsql, Kestrel, runtime).</summary>
    public bool ExportMetrics { get; set; } = true;
}
