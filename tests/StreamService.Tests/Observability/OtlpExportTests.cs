using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Opentelemetry.Proto.Trace.V1;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Llm;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Observability;

/// <summary>
/// Issue 15, item 4: the service's OTLP export over gRPC reaches a real OTLP/gRPC receiver (generated
/// from opentelemetry-proto), and one call's spans form one trace: the C# caller's span, the typed
/// client's gRPC and HTTP spans, the service's server span, and under it the Npgsql command or the
/// upstream HTTP request. The caller runs in this process, so the service's tracer provider is told
/// to export the caller's ActivitySource too; the spans still link only through the traceparent
/// header the typed client sends (Kestrel does not run the request in the caller's async context).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OtlpExportTests(PostgresFixture postgres)
{
    internal const string Key = "otlp-key-0123456789";
    private static readonly ActivitySource Caller = new("StreamService.Tests.Caller");

    [Fact]
    public async Task StreamRows_FromTypedClientInACallerSpan_CallerServerAndNpgsqlSpansShareTheCallersTrace()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await StartHostAsync(receiver, Settings().With("ConnectionStrings:Postgres", postgres.ConnectionString));
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = host.Address, BearerToken = Key });

        string traceId;
        var rows = 0;
        using (var caller = Caller.StartActivity("read ten events", ActivityKind.Internal))
        {
            Assert.NotNull(caller);
            traceId = caller.TraceId.ToHexString();
            await foreach (var _ in client.StreamRowsAsync(new RowsQuery("events") { Columns = ["id"], Limit = 10 }, new() { CancellationToken = TestTimeout.Token() }))
            {
                rows++;
            }
        }

        const string method = "/streamgrpc.v1.RowsService/StreamRows";
        await receiver.WaitForSpansAsync(spans => ServerSpan(spans, traceId, method) is { } server
            && spans.Any(s => s.Scope == "Npgsql" && s.TraceId == traceId)
            && spans.Any(s => s.Scope == Caller.Name && s.TraceId == traceId)
            && spans.Any(s => s.SpanId == server.ParentSpanId));

        var trace = receiver.Spans.Where(s => s.TraceId == traceId).ToList();
        var serverSpan = ServerSpan(trace, traceId, method)!;
        var callerSpan = Assert.Single(trace, s => s.Scope == Caller.Name);
        var commands = trace.Where(s => s.Scope == "Npgsql" && s.Span.Kind == Span.Types.SpanKind.Client).ToList();
        Assert.Equal(10, rows);
        Assert.Equal("streamgrpc", serverSpan.Service);
        Assert.Equal("0", serverSpan.Attribute("grpc.status_code"));
        Assert.Equal("rows", serverSpan.Attribute("streamgrpc.kind"));
        Assert.False(string.IsNullOrEmpty(serverSpan.Attribute("streamgrpc.call_id")));

        // The server span's parent is the caller side's outgoing request, which descends from the caller's span.
        Assert.Equal(callerSpan.SpanId, RootOf(trace, serverSpan).SpanId);
        var outgoing = Assert.Single(trace, s => s.SpanId == serverSpan.ParentSpanId);
        Assert.Equal(Span.Types.SpanKind.Client, outgoing.Span.Kind);

        // The database commands (the dataset's schema, then its rows) run under the call's server span.
        Assert.NotEmpty(commands);
        Assert.All(commands, command => Assert.Contains(serverSpan, Ancestors(trace, command)));
    }

    [Fact]
    public async Task StreamCompletion_AgainstAnUpstream_UpstreamHttpSpanJoinsTheCallersTrace()
    {
        await using var upstream = await FakeOpenAiServer.StartAsync();
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = Settings()
            .With("StreamGrpc:Llm:Models:0:Name", "upstream")
            .With("StreamGrpc:Llm:Models:0:Backend", "OpenAi")
            .With("StreamGrpc:Llm:Models:0:BaseUrl", upstream.BaseUrl.ToString())
            .With("StreamGrpc:Llm:Models:0:ApiKey", "test")
            .With("StreamGrpc:Llm:Models:0:IncludeUsage", "false");
        await using var host = await StartHostAsync(receiver, settings);
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = host.Address, BearerToken = Key });

        string traceId;
        var text = "";
        using (var caller = Caller.StartActivity("ask the model", ActivityKind.Internal))
        {
            Assert.NotNull(caller);
            traceId = caller.TraceId.ToHexString();
            var request = new CompletionRequest { Model = "upstream", Messages = { new CompletionMessage { Role = CompletionRole.User, Content = "hello" } } };
            await foreach (var chunk in client.StreamCompletionAsync(request, new() { CancellationToken = TestTimeout.Token() }))
            {
                text += chunk.Delta?.Text;
            }
        }

        var upstreamPort = upstream.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const string method = "/streamgrpc.v1.LlmService/StreamCompletion";
        bool IsUpstreamRequest(ReceivedSpan s) => s.Scope == "System.Net.Http" && s.Span.Kind == Span.Types.SpanKind.Client && s.Attribute("server.port") == upstreamPort;
        await receiver.WaitForSpansAsync(spans => ServerSpan(spans, traceId, method) is not null
            && spans.Any(s => s.TraceId == traceId && IsUpstreamRequest(s))
            && spans.Any(s => s.Scope == Caller.Name && s.TraceId == traceId));

        var trace = receiver.Spans.Where(s => s.TraceId == traceId).ToList();
        var serverSpan = ServerSpan(trace, traceId, method)!;
        var upstreamSpan = Assert.Single(trace, IsUpstreamRequest);
        Assert.Equal(string.Concat(FakeOpenAiServer.DefaultTokens), text);
        Assert.Equal("200", upstreamSpan.Attribute("http.response.status_code"));
        Assert.Contains(serverSpan, Ancestors(trace, upstreamSpan));
        Assert.Equal(Caller.Name, RootOf(trace, serverSpan).Scope);
    }

    internal static Dictionary<string, string?> Settings() => HardeningSettings.WithKeys(("otlp", Key, ["rows:events", "llm"]));

    internal static Task<HardenedHost> StartHostAsync(OtlpReceiver receiver, Dictionary<string, string?> settings)
    {
        settings.With("StreamGrpc:Telemetry:OtlpEndpoint", receiver.Address.ToString())
            .With("StreamGrpc:Telemetry:OtlpProtocol", "Grpc")
            .With("StreamGrpc:Telemetry:MetricExportInterval", "00:00:00.200");
        return HardenedHost.StartAsync(settings, configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(Caller.Name)));
    }

    /// <summary>The service's span of a call: ASP.NET Core's server span, tagged by grpc-dotnet.</summary>
    private static ReceivedSpan? ServerSpan(IEnumerable<ReceivedSpan> spans, string traceId, string method) => spans.FirstOrDefault(s =>
        s.TraceId == traceId && s.Scope == "Microsoft.AspNetCore" && s.Span.Kind == Span.Types.SpanKind.Server && s.Attribute("grpc.method") == method);

    private static List<ReceivedSpan> Ancestors(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span)
    {
        var ancestors = new List<ReceivedSpan>();
        while (trace.FirstOrDefault(s => s.SpanId == span.ParentSpanId) is { } parent)
        {
            ancestors.Add(parent);
            span = parent;
        }

        return ancestors;
    }

    private static ReceivedSpan RootOf(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span) => Ancestors(trace, span).LastOrDefault() ?? span;
}
