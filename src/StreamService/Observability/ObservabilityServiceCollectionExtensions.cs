using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using StreamService.Observability;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the service's metrics and OpenTelemetry on the maintained instrumentation: ASP.NET Core
/// (the server span of every call, its parent read from <c>traceparent</c>; grpc-dotnet tags it with
/// the method and status), HttpClient (LLM upstream requests, which carry <c>traceparent</c> on),
/// Npgsql (a span per command), grpc-dotnet's client spans, the runtime's meters, and the service's own
/// <see cref="StreamMetrics"/>. Exported over OTLP when <c>StreamGrpc:Telemetry:OtlpEndpoint</c> is
/// set, scraped by Prometheus when <c>StreamGrpc:Telemetry:Prometheus:Enabled</c> is.
/// </summary>
internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>grpc-dotnet's ActivitySource: the client span of the gRPC calls this process makes.
    /// (grpc-dotnet 2.85 publishes its call counts as EventCounters of the same names, not as a
    /// Meter, so there is no grpc-dotnet meter to add: the service's own
    /// <see cref="StreamMetrics"/> count calls by status, and ASP.NET Core's
    /// <c>http.server.request.duration</c> times them per route, i.e. per gRPC method.)</summary>
    private const string GrpcClientSource = "Grpc.Net.Client";

    public static IServiceCollection AddStreamObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<StreamMetrics>();
        services.AddOptions<TelemetryOptions>()
            .Bind(configuration.GetSection(TelemetryOptions.SectionName))
            .Validate(o => o.OtlpEndpoint is null || o.OtlpEndpoint.IsAbsoluteUri, "StreamGrpc:Telemetry:OtlpEndpoint must be an absolute URI.")
            .Validate(o => Enum.TryParse<OtlpExportProtocol>(o.OtlpProtocol, true, out _), "StreamGrpc:Telemetry:OtlpProtocol must be Grpc or HttpProtobuf.")
            .Validate(o => o.MetricExportInterval >= TimeSpan.FromMilliseconds(100), "StreamGrpc:Telemetry:MetricExportInterval must be at least 100 ms.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ServiceName), "StreamGrpc:Telemetry:ServiceName must not be empty.")
            .ValidateOnStart();

        // Which exporters exist is decided here, from the configuration the host was built with (the
        // validation above fails start-up on the other bad values).
        var settings = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (settings.Prometheus.Validate() is { } invalid)
        {
            throw new OptionsValidationException(TelemetryOptions.SectionName, typeof(TelemetryOptions), [invalid]);
        }

        var otlp = settings.OtlpEndpoint is { IsAbsoluteUri: true } endpoint && Enum.TryParse<OtlpExportProtocol>(settings.OtlpProtocol, true, out var protocol)
            ? (Endpoint: endpoint, Protocol: protocol)
            : default;
        var prometheus = settings.Prometheus;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(string.IsNullOrWhiteSpace(settings.ServiceName) ? "streamgrpc" : settings.ServiceName));

        // Tracing is on even with nothing to export: its listener is what makes ASP.NET Core start
        // the request's activity from the caller's traceparent, which HttpClient and Npgsql then
        // carry on (upstream requests keep the caller's trace). Unexported spans cost a few
        // allocations per call, not per message.
        telemetry.WithTracing(tracing =>
        {
            tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http, prometheus))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(GrpcClientSource);
            if (otlp.Endpoint is not null && settings.ExportTraces)
            {
                tracing.AddOtlpExporter(exporter => ConfigureOtlp(exporter, otlp.Endpoint, otlp.Protocol, "v1/traces"));
            }
            else
            {
                // Nothing exports spans: a call that arrives without a sampled trace context gets a
                // propagation-only activity (the context still reaches HttpClient and Npgsql, as sampled=0),
                // so the instrumentations add no tags to it. A long-lived stream otherwise kept its
                // request's activity with a dozen tags for its whole life (issue 16: about 0.5 KiB of
                // every held stream's memory). A caller's sampled context is recorded and carried on as before.
                tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
            }
        });

        var exportMetrics = otlp.Endpoint is not null && settings.ExportMetrics;
        if (exportMetrics || prometheus.Enabled)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(StreamMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (exportMetrics)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        ConfigureOtlp(exporter, otlp.Endpoint!, otlp.Protocol, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.MetricExportInterval.TotalMilliseconds;
                    });
                }

                if (prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        }

        if (prometheus.Enabled)
        {
            services.AddSingleton<PrometheusScrapeServer>();
            services.AddHostedService(provider => provider.GetRequiredService<PrometheusScrapeServer>());
        }

        return services;
    }

    /// <summary>Over http/protobuf an endpoint set in code is used as is, so the signal's path is added here.</summary>
    private static void ConfigureOtlp(OtlpExporterOptions exporter, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;
        exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }

    /// <summary>A Prometheus scrape (served by <see cref="PrometheusScrapeServer"/>, which runs in the
    /// same process and so reaches the same ASP.NET Core activity source): not a call worth a span.</summary>
    private static bool IsScrape(HttpContext http, PrometheusScrapeOptions prometheus)
        => prometheus.Enabled && HttpMethods.IsGet(http.Request.Method) && http.Request.Path.Equals(prometheus.Path, StringComparison.Ordinal);
}
