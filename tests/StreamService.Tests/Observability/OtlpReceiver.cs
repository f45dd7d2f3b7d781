using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Opentelemetry.Proto.Collector.Metrics.V1;
using Opentelemetry.Proto.Collector.Trace.V1;
using Opentelemetry.Proto.Trace.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Observability;

/// <summary>
/// An OTLP/gRPC receiver on real Kestrel (h2c, 127.0.0.1, a free port): the collector's
/// <c>TraceService/Export</c> and <c>MetricsService/Export</c>, generated from the published
/// opentelemetry-proto definitions (scripts/install-otlp-protos.sh). It keeps every span and metric
/// name it receives, and lets a test wait until what it expects has arrived.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<string> _metrics = new();
    private TaskCompletionSource _arrived = NewSignal();

    private WebApplication _app = null!;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public IReadOnlyCollection<string> MetricNames => _metrics;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var receiver = new OtlpReceiver();
        builder.Services.AddSingleton(receiver);
        var app = builder.Build();
        receiver._app = app;
        app.MapGrpcService<TraceReceiver>();
        app.MapGrpcService<MetricsReceiver>();
        await app.StartAsync().Bounded();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>Waits (bounded) until the spans received so far satisfy <paramref name="condition"/>.</summary>
    public Task WaitForSpansAsync(Func<IReadOnlyCollection<ReceivedSpan>, bool> condition) => WaitAsync(() => condition(_spans));

    /// <summary>Waits (bounded) until a metric named <paramref name="name"/> has been received.</summary>
    public Task WaitForMetricAsync(string name) => WaitAsync(() => _metrics.Contains(name));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().Bounded();
        await _app.DisposeAsync();
    }

    private async Task WaitAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived).Task;
            if (condition())
            {
                return;
            }

            await arrived.WaitAsync(timeout.Token);
        }
    }

    private void Received()
    {
        var previous = Interlocked.Exchange(ref _arrived, NewSignal());
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class TraceReceiver(OtlpReceiver receiver) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            foreach (var resource in request.ResourceSpans)
            {
                var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue;
                foreach (var scope in resource.ScopeSpans)
                {
                    foreach (var span in scope.Spans)
                    {
                        receiver._spans.Enqueue(new ReceivedSpan(service, scope.Scope?.Name ?? "", span));
                    }
                }
            }

            receiver.Received();
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    private sealed class MetricsReceiver(OtlpReceiver receiver) : MetricsService.MetricsServiceBase
    {
        public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
        {
            foreach (var metric in request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
            {
                receiver._metrics.Enqueue(metric.Name);
            }

            receiver.Received();
            return Task.FromResult(new ExportMetricsServiceResponse());
        }
    }
}

/// <summary>One span as the receiver got it: the exporting service, the instrumentation scope
/// (ActivitySource name) and the OTLP span.</summary>
internal sealed record ReceivedSpan(string? Service, string Scope, Span Span)
{
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);

    public string SpanId => Convert.ToHexStringLower(Span.SpanId.Span);

    public string ParentSpanId => Convert.ToHexStringLower(Span.ParentSpanId.Span);

    public string? Attribute(string key) => Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value is { } value
        ? value.ValueCase == Opentelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.IntValue ? value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : value.StringValue
        : null;

    public override string ToString() => $"{Scope} {Span.Kind} {Span.Name} trace={TraceId} span={SpanId} parent={ParentSpanId}";
}
