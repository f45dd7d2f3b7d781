using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace StreamService.Observability;

/// <summary>Exports metrics and traces over OTLP while the host runs, when
/// <see cref="TelemetryOptions.OtlpEndpoint"/> is set. Stopping flushes what is buffered.</summary>
internal sealed partial class OpenTelemetryExport(IOptions<TelemetryOptions> options, ILogger<OpenTelemetryExport> logger) : IHostedService, IDisposable
{
    /// <summary>Meters exported besides the service's own: database, Kestrel, ASP.NET Core, HttpClient, runtime.</summary>
    private static readonly string[] Meters =
        [StreamMetrics.MeterName, "Npgsql", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Hosting", "System.Net.Http", "System.Runtime"];

    private static readonly string[] Sources = [StreamCallTelemetry.SourceName, "Npgsql", "System.Net.Http", "Microsoft.AspNetCore"];

    private MeterProvider? _meters;
    private TracerProvider? _traces;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.OtlpEndpoint is not { } endpoint)
        {
            return Task.CompletedTask;
        }

        var protocol = Enum.Parse<OtlpExportProtocol>(settings.OtlpProtocol, ignoreCase: true);
        var resource = ResourceBuilder.CreateDefault().AddService(settings.ServiceName);
        if (settings.ExportMetrics)
        {
            _meters = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(Meters)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, endpoint, protocol, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.MetricExportInterval.TotalMilliseconds;
                })
                .Build();
        }

        if (settings.ExportTraces)
        {
            _traces = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(Sources)
                .AddOtlpExporter(exporter => Configure(exporter, endpoint, protocol, "v1/traces"))
                .Build();
        }

        LogExporting(endpoint, protocol);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _meters?.ForceFlush(2_000);
        _traces?.ForceFlush(2_000);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _meters?.Dispose();
        _traces?.Dispose();
    }

    /// <summary>Over http/protobuf an endpoint set in code is used as is, so the signal's path is added here.</summary>
    private static void Configure(OtlpExporterOptions exporter, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;
        exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting metrics and traces over OTLP ({Protocol}) to {Endpoint}")]
    private partial void LogExporting(Uri endpoint, OtlpExportProtocol protocol);
}
