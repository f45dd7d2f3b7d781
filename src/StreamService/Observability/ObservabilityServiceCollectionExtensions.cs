using Microsoft.Extensions.Options;
using StreamService.Observability;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers metrics and the optional OTLP export.</summary>
internal static class ObservabilityServiceCollectionExtensions
{
    public static IServiceCollection AddStreamObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<StreamMetrics>();
        services.AddOptions<TelemetryOptions>()
            .Bind(configuration.GetSection(TelemetryOptions.SectionName))
            .Validate(o => o.OtlpEndpoint is null || o.OtlpEndpoint.IsAbsoluteUri, "StreamGrpc:Telemetry:OtlpEndpoint must be an absolute URI.")
            .Validate(o => Enum.TryParse<OpenTelemetry.Exporter.OtlpExportProtocol>(o.OtlpProtocol, true, out _), "StreamGrpc:Telemetry:OtlpProtocol must be Grpc or HttpProtobuf.")
            .Validate(o => o.MetricExportInterval >= TimeSpan.FromMilliseconds(100), "StreamGrpc:Telemetry:MetricExportInterval must be at least 100 ms.")
            .ValidateOnStart();
        services.AddHostedService<OpenTelemetryExport>();
        return services;
    }
}
