using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StreamService.Calls;
using StreamService.Observability;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Calls;

/// <summary>The call gate on grpc-dotnet: every mapped gRPC endpoint passes through it, and it
/// fails closed on a call it cannot classify.</summary>
public sealed class StreamCallGateTests
{
    private const string Key = "gate-key-0123456789";

    /// <summary>What the service maps; the test fails if an endpoint is added that it does not list.</summary>
    private static readonly string[] ExpectedMethods =
    [
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/streamgrpc.v1.RowsService/StreamRows",
        "/streamgrpc.v1.FileLines/StreamLines",
        "/streamgrpc.v1.JobsService/StartImport",
        "/streamgrpc.v1.JobsService/Watch",
        "/streamgrpc.v1.JobsService/Cancel",
        "/streamgrpc.v1.JobsService/List",
        "/streamgrpc.v1.LlmService/StreamCompletion",
        "/streamgrpc.v1.ServerInfo/GetInfo",
    ];

    [Fact]
    public async Task EveryMappedGrpcEndpoint_NoCredentials_RefusedByTheGateAndCounted()
    {
        await using var host = await HardenedHost.StartAsync(HardeningSettings.WithKeys(("gate", Key, ["*"])));
        var methods = MappedMethods(host);
        var refusals = new CallLog();
        using var listener = ListenToCalls(host, refusals);

        Assert.Equal(ExpectedMethods.Order(), methods.Order());
        foreach (var method in methods)
        {
            // An empty message is a valid request of every method (all fields default).
            var result = await RawGrpc.CallAsync(host.Address, method, []);

            Assert.True(result.Status == (int)StatusCode.Unauthenticated, $"{method}: grpc-status {result.Status}");
            Assert.True(result.TrailersOnly, $"{method}: not refused before the handler (Trailers-Only)");
        }

        // Refusals are counted before the response is written, so they are all in by now.
        var counted = refusals.Snapshot();
        Assert.Equal(methods.Count, counted.Count);
        Assert.All(counted, r => Assert.Equal((int)StatusCode.Unauthenticated, r.Status));
        Assert.Equal(["files", "health", "info", "jobs", "llm", "reflection", "rows"], counted.Select(r => r.Kind).Distinct().Order());
    }

    [Fact]
    public async Task Health_AnonymousAllowed_ServingAndCountedByTheGate()
    {
        await using var host = await HardenedHost.StartAsync(HardeningSettings.WithKeys(("gate", Key, ["*"])).With("StreamGrpc:Auth:AllowAnonymousHealth", "true"));
        var calls = new CallLog();
        using var listener = ListenToCalls(host, calls);
        using var channel = host.CreateChannel();

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.Bounded();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        // An admitted call is counted when it ends on the server, which may be after the client saw its reply.
        await calls.WaitForAsync(("health", (int)StatusCode.OK)).Bounded();
    }

    [Fact]
    public async Task Call_EndpointWithoutGrpcMethodMetadata_RefusedAndHandlerNeverRuns()
    {
        await using var host = await HardenedHost.StartAsync(HardeningSettings.WithKeys(("gate", Key, ["*"])));
        var gate = host.Services.GetRequiredService<StreamCallGate>();
        var http = new DefaultHttpContext { RequestServices = host.Services };
        http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "not a gRPC method"));
        var context = new Rows.TestServerCallContext(CancellationToken.None);
        context.UserState["__HttpContext"] = http;
        var ran = false;

        var ex = await Assert.ThrowsAsync<RpcException>(() => gate.UnaryServerHandler<HealthCheckRequest, HealthCheckResponse>(new HealthCheckRequest(), context, (_, _) =>
        {
            ran = true;
            return Task.FromResult(new HealthCheckResponse());
        }).Bounded());

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.False(ran);
    }

    [Fact]
    public async Task Stream_ClientCancels_EndedCancelledInTheLogAndMetricsWithoutErrors()
    {
        var settings = HardeningSettings.WithKeys(("gate", Key, ["*"]));
        var root = settings.FileRoot("t");
        await File.WriteAllTextAsync(Path.Combine(root, "a.log"), "one\ntwo\n");
        var logs = new CapturedLogs();
        await using var host = await HardenedHost.StartAsync(settings, logs);
        var calls = new CallLog();
        using var listener = ListenToCalls(host, calls);
        using var channel = host.CreateChannel();
        using var cancel = new CancellationTokenSource();

        // A follow stream never ends by itself: only the client's cancel ends it.
        using var call = new StreamGrpc.V1.FileLines.FileLinesClient(channel).StreamLines(
            new StreamGrpc.V1.StreamLinesRequest { Root = "t", Path = "a.log", Follow = true }, LlmCalls.Bearer(Key), cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
        await cancel.CancelAsync();

        var ended = await logs.WaitForAsync(e => e.Message.StartsWith("Call /streamgrpc.v1.FileLines/StreamLines ended", StringComparison.Ordinal)).Bounded();
        Assert.Contains("ended Cancelled", ended.Message);
        await calls.WaitForAsync(("files", (int)StatusCode.Cancelled)).Bounded();
        // Writes the handler attempted after the abort are not reported as failures of the service.
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error
            && (e.Category.StartsWith("Grpc.", StringComparison.Ordinal) || e.Category.StartsWith("StreamService.", StringComparison.Ordinal)));
    }

    private static List<string> MappedMethods(HardenedHost host) => host.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
        .OfType<GrpcMethodMetadata>()
        .Select(m => "/" + m.Method.FullName.TrimStart('/'))
        .Where(m => !m.Contains('{', StringComparison.Ordinal)) // grpc-dotnet's own "unimplemented" catch-alls
        .Distinct()
        .ToList();

    private static MeterListener ListenToCalls(HardenedHost host, CallLog calls)
    {
        var meter = host.Services.GetRequiredService<StreamMetrics>().Meter;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "streamgrpc.server.calls")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? kind = null;
            int? status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "streamgrpc.kind")
                {
                    kind = tag.Value as string;
                }
                else if (tag.Key == "rpc.grpc.status_code")
                {
                    status = tag.Value as int?;
                }
            }

            calls.Add((kind ?? "?", status ?? -1));
        });
        listener.Start();
        return listener;
    }

    /// <summary>The calls counter's measurements (kind, status), with a wait for one to arrive.</summary>
    private sealed class CallLog
    {
        private readonly Lock _lock = new();
        private readonly List<(string Kind, int Status)> _calls = [];
        private readonly List<((string Kind, int Status) Entry, TaskCompletionSource Seen)> _waiters = [];

        public void Add((string Kind, int Status) entry)
        {
            lock (_lock)
            {
                _calls.Add(entry);
                foreach (var waiter in _waiters.Where(w => w.Entry == entry))
                {
                    waiter.Seen.TrySetResult();
                }
            }
        }

        public List<(string Kind, int Status)> Snapshot()
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }

        public Task WaitForAsync((string Kind, int Status) entry)
        {
            lock (_lock)
            {
                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_calls.Contains(entry))
                {
                    seen.SetResult();
                }
                else
                {
                    _waiters.Add((entry, seen));
                }

                return seen.Task;
            }
        }
    }
}
