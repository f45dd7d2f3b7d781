using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using StreamGrpc.V1;
using StreamService.Rows;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using static StreamService.Tests.Rows.RowsQueryTests;
using RowsClient = StreamGrpc.V1.RowsService.RowsServiceClient;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Tests.Rows;

/// <summary>The row service as users run it: StreamService on real Kestrel (127.0.0.1, HTTP/2),
/// the generated client over the project's channel, real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RowsEndToEndTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _applicationName = "rows-e2e-" + Guid.NewGuid().ToString("N")[..12];
    private StreamServiceHost _host = null!;
    private GrpcChannel _channel = null!;
    private RowsClient _client = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _host = await StreamServiceHost.StartAsync(RowsHarness.Configuration(postgres.ConnectionStringFor(_applicationName)));
        _channel = _host.CreateChannel();
        _client = new RowsClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task StreamRows_OverTheWire_SchemaThenBatchesInKeyOrder()
    {
        var messages = await ReadAllAsync(new StreamRowsRequest { Dataset = "events", Limit = 1000, BatchSize = 100 });

        Assert.Equal(StreamRowsResponse.KindOneofCase.Schema, messages[0].KindCase);
        Assert.Equal(15, messages[0].Schema.Columns.Count);
        Assert.Equal(10, messages.Count(m => m.KindCase == StreamRowsResponse.KindOneofCase.Batch));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), messages.Skip(1).SelectMany(m => m.Batch.Rows).Select(r => r.Values[0].IntValue));
    }

    [Fact]
    public async Task StreamRows_DefaultConfiguration_ExposesTheSeededEventsDataset()
    {
        await using var host = await StreamServiceHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres.ConnectionString });
        using var channel = host.CreateChannel();

        using var call = new RowsClient(channel).StreamRows(new StreamRowsRequest { Dataset = "events", Limit = 3 }, deadline: Deadline());
        var messages = await ReadAllAsync(call);

        Assert.Equal(3, messages.Skip(1).Sum(m => m.Batch.Rows.Count));
    }

    [Theory]
    [InlineData("nope", StatusCode.NotFound)]
    [InlineData("events'; --", StatusCode.InvalidArgument)]
    public async Task StreamRows_OverTheWire_BadDatasetStatus(string dataset, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(new StreamRowsRequest { Dataset = dataset }));

        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task StreamRows_OverTheWire_BadFilterIsInvalidArgumentNamingTheColumn()
    {
        var request = new StreamRowsRequest { Dataset = "events" };
        request.Filters.Add(F("quantity", FilterOperator.Equal, Text("ten")));

        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("column 'quantity'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamRows_ClientCancels_ServerCancelsTheQuery()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _client.StreamRows(new StreamRowsRequest { Dataset = "slow", BatchSize = 5 }, deadline: Deadline(), cancellationToken: cancel.Token);
        var batches = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancel.Token).WithCancellation(cancel.Token))
            {
                if (message.KindCase == StreamRowsResponse.KindOneofCase.Batch && ++batches == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        }).Bounded();

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await postgres.WaitUntilNoActiveQueryAsync(_applicationName, "the call ended");
    }

    [Fact]
    public async Task StreamRows_DeadlineExceeded_ServerCancelsTheQuery()
    {
        using var call = _client.StreamRows(new StreamRowsRequest { Dataset = "slow", BatchSize = 5 }, deadline: DateTime.UtcNow.AddMilliseconds(500));

        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await postgres.WaitUntilNoActiveQueryAsync(_applicationName, "the call ended");
    }

    [Fact]
    public async Task StreamRows_DatabaseFailsMidStream_ClientGetsUnavailableAndResumesExactly()
    {
        const int total = 300_000;
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id", "payload" }, Limit = total, BatchSize = 1000 };
        var ids = new List<long>();
        var terminated = false;

        using var call = _client.StreamRows(request, deadline: Deadline());
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
                if (message.KindCase != StreamRowsResponse.KindOneofCase.Batch)
                {
                    continue;
                }

                ids.AddRange(message.Batch.Rows.Select(r => r.Values[0].IntValue));
                if (!terminated)
                {
                    terminated = true;
                    await postgres.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{_applicationName}' AND state = 'active'");
                }
            }
        }).Bounded();

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        var token = error.Trailers.GetValue(ResumeTrailers.Token);
        Assert.False(string.IsNullOrEmpty(token));
        Assert.InRange(ids.Count, 1000, total - 1);

        var resume = request.Clone();
        resume.ResumeToken = token;
        var rest = await ReadAllAsync(resume);
        ids.AddRange(rest.Skip(1).SelectMany(m => m.Batch.Rows).Select(r => r.Values[0].IntValue));

        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task Health_DatabaseUp_RowsServiceServing()
    {
        await WaitForHealthAsync(_channel, ServingStatus.Serving);
    }

    [Fact]
    public async Task Start_DatabaseUnreachable_ServiceStartsAndReportsNotServing()
    {
        await using var host = await StreamServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Username=streamgrpc;Database=streamgrpc;Timeout=2",
        });
        using var channel = host.CreateChannel();

        await WaitForHealthAsync(channel, ServingStatus.NotServing);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new RowsClient(channel).StreamRows(new StreamRowsRequest { Dataset = "events" }, deadline: Deadline());
            await ReadAllAsync(call);
        });
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.Trailers.GetValue(ResumeTrailers.Token)));
    }

    private static async Task WaitForHealthAsync(GrpcChannel channel, ServingStatus expected)
    {
        // Watch pushes every change, so this waits for the probe without polling.
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest { Service = "streamgrpc.v1.RowsService" }, deadline: Deadline());
        await foreach (var reply in watch.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            if (reply.Status == expected)
            {
                return;
            }
        }

        Assert.Fail($"health never became {expected}");
    }

    private async Task<List<StreamRowsResponse>> ReadAllAsync(StreamRowsRequest request)
    {
        using var call = _client.StreamRows(request, deadline: Deadline());
        return await ReadAllAsync(call);
    }

    private static async Task<List<StreamRowsResponse>> ReadAllAsync(AsyncServerStreamingCall<StreamRowsResponse> call)
    {
        var messages = new List<StreamRowsResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            messages.Add(message);
        }

        return messages;
    }

    private static DateTime Deadline() => DateTime.UtcNow.Add(TestTimeout.Default);
}
