using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.V1;
using StreamService.Observability;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Hardening;

/// <summary>Item 5: per-call id in log scopes, metrics, OTLP export (W3C trace context to upstream calls: <see cref="UpstreamTraceContextTests"/>).</summary>
public sealed class ObservabilityTests
{
    private const string Key = "obs-key-0123456789";
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    private static Dictionary<string, string?> Settings() => HardeningSettings.WithKeys(("observer", Key, ["llm"]))
        .FastBuiltinModels()
        .With("Logging:LogLevel:Default", "Debug");

    [Fact]
    public async Task Call_Completes_MetricsCountMessagesBytesItemsFirstMessageAndStatus()
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var channel = host.CreateChannel();
        var measurements = new MeasurementLog();
        using var listener = Listen(host, measurements);

        var chunks = await LlmCalls.CompleteAsync(channel, "builtin-echo", Key).Bounded();
        await measurements.WaitForAsync("streamgrpc.server.calls").Bounded();
        listener.RecordObservableInstruments();

        double Sum(string name) => measurements.Where(m => m.Name == name).Sum(m => m.Value);
        Assert.Equal(chunks.Count, Sum("streamgrpc.server.messages_sent"));
        Assert.True(Sum("streamgrpc.server.bytes_sent") > chunks.Sum(c => c.CalculateSize()));
        Assert.Single(measurements, m => m.Name == "streamgrpc.server.time_to_first_message");
        Assert.Equal(0, Sum("streamgrpc.server.active_streams"));
        Assert.Contains(measurements, m => m.Name == "streamgrpc.server.active_streams" && m.Value == 1);
        Assert.Equal(chunks.Count(c => c.KindCase == CompletionChunk.KindOneofCase.Delta), Sum("streamgrpc.server.items_sent"));
        var call = Assert.Single(measurements, m => m.Name == "streamgrpc.server.calls");
        Assert.Equal("llm", call.Tags["streamgrpc.kind"]);
        Assert.Equal(0, call.Tags["rpc.grpc.status_code"]);
    }

    [Fact]
    public async Task Call_Refused_CountedWithItsStatus()
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var channel = host.CreateChannel();
        var measurements = new MeasurementLog();
        using var listener = Listen(host, measurements);

        await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", "wrong").Bounded());

        var call = Assert.Single(measurements, m => m.Name == "streamgrpc.server.calls");
        Assert.Equal((int)StatusCode.Unauthenticated, call.Tags["rpc.grpc.status_code"]);
    }

    [Fact]
    public async Task Call_Logs_CarryTheCallIdSentInTheResponseHeader()
    {
        var logs = new CapturedLogs();
        await using var host = await HardenedHost.StartAsync(Settings(), logs);
        using var channel = host.CreateChannel();

        using var call = new LlmService.LlmServiceClient(channel).StreamCompletion(LlmCalls.Request("builtin-echo"), LlmCalls.Bearer(Key), cancellationToken: TestTimeout.Token());
        var callId = (await call.ResponseHeadersAsync.Bounded()).GetValue("streamgrpc-call-id");
        while (await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
        {
        }

        var ended = await logs.WaitForAsync(e => e.Message.Contains("ended OK", StringComparison.Ordinal)).Bounded();
        Assert.False(string.IsNullOrEmpty(callId));
        Assert.Equal(callId, ended.Scope["CallId"]);
        Assert.Equal("observer", ended.Scope["Caller"]);
        Assert.Equal("/streamgrpc.v1.LlmService/StreamCompletion", ended.Scope["GrpcMethod"]);

        // The feature's own log lines (written inside the handler) carry the same id.
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("StreamService.Llm", StringComparison.Ordinal) && Equals(e.Scope.GetValueOrDefault("CallId"), callId));
    }

    [Fact]
    public async Task Otlp_Configured_MetricsAndTracesExported()
    {
        var metrics = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var traces = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await LoopbackHttpServer.StartAsync(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var text = Encoding.UTF8.GetString(body.ToArray());
            if (http.Request.Path == "/v1/metrics" && text.Contains("streamgrpc.server.calls", StringComparison.Ordinal))
            {
                metrics.TrySetResult();
            }
            else if (http.Request.Path == "/v1/traces" && text.Contains("StreamCompletion", StringComparison.Ordinal))
            {
                traces.TrySetResult();
            }

            http.Response.ContentType = "application/x-protobuf";
        });
        var settings = Settings()
            .With("StreamGrpc:Telemetry:OtlpEndpoint", collector.Address.ToString())
            .With("StreamGrpc:Telemetry:OtlpProtocol", "HttpProtobuf")
            .With("StreamGrpc:Telemetry:MetricExportInterval", "00:00:00.200");
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();

        await LlmCalls.CompleteAsync(channel, "builtin-echo", Key).Bounded();
        await metrics.Task.Bounded();

        // Spans are batched; stopping the host flushes them.
        await host.StopAsync().Bounded();
        await traces.Task.Bounded();
    }

    private static MeterListener Listen(HardenedHost host, MeasurementLog measurements)
    {
        var meter = host.Services.GetRequiredService<StreamMetrics>().Meter;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add(i.Name, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add(i.Name, v, tags));
        listener.Start();
        return listener;
    }

    /// <summary>Measurements of one host's meter, with a wait for the first of a name (the gate
    /// records a call's status after the response completes on the server; the client may see the
    /// end first).</summary>
    private sealed class MeasurementLog : IEnumerable<(string Name, double Value, Dictionary<string, object?> Tags)>
    {
        private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _items = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _seen = new();

        public void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var (key, tagValue) in tags)
            {
                dictionary[key] = tagValue;
            }

            _items.Enqueue((name, value, dictionary));
            Signal(name).TrySetResult();
        }

        public Task WaitForAsync(string name) => Signal(name).Task;

        public IEnumerator<(string Name, double Value, Dictionary<string, object?> Tags)> GetEnumerator() => _items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private TaskCompletionSource Signal(string name) => _seen.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
