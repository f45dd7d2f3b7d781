using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Hardening;

/// <summary>Item 5 on real PostgreSQL: the W3C trace context of a call reaches the database
/// command (Npgsql's activity joins the caller's trace).</summary>
[Collection(PostgresCollection.Name)]
public sealed class RowsTraceTests(PostgresFixture postgres)
{
    private const string Key = "rows-trace-key-0123456789";

    [Fact]
    public async Task StreamRows_WithTraceparent_DatabaseCommandJoinsTheTrace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var npgsql = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.Parent.TraceId == traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity => npgsql.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(listener);

        var settings = HardeningSettings.WithKeys(("reader", Key, ["rows:events"])).With("ConnectionStrings:Postgres", postgres.ConnectionString);
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel(ExternalCaller.ChannelOptions());
        var headers = LlmCalls.Bearer(Key, new Metadata { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01" } });

        using var call = new RowsService.RowsServiceClient(channel).StreamRows(new StreamRowsRequest { Dataset = "events", Columns = { "id" }, Limit = 10 }, headers, cancellationToken: TestTimeout.Token());
        await foreach (var _ in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
        }

        Assert.Contains(npgsql, a => a.TraceId == traceId);
    }
}
