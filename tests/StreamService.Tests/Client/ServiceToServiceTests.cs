using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Client;

/// <summary>One service consuming StreamService's row stream and re-streaming it: the outer caller's
/// cancellation and deadline must reach the inner stream and stop the query in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ServiceToServiceTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _applicationName = "client-s2s-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _fileRoot = JobsTestData.NewRoot();
    private ClientTestHost _service = null!;
    private RelayHost _relay = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _service = await ClientTestHost.StartAsync(ClientTestHost.Settings(postgres, _applicationName, _fileRoot, "client-s2s"));
        _relay = await RelayHost.StartAsync(_service.Address);
        _channel = GrpcChannel.ForAddress(_relay.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _relay.DisposeAsync();
        await _service.DisposeAsync();
        JobsTestData.DeleteRoot(_fileRoot);
    }

    [Fact]
    public async Task StreamRows_ThroughRelay_SameRowsAsTheSource()
    {
        using var call = new RowsService.RowsServiceClient(_channel).StreamRows(
            new StreamRowsRequest { Dataset = "events", Columns = { "id", "category" }, Limit = 2_500, BatchSize = 300 },
            deadline: DateTime.UtcNow.AddSeconds(30));

        var messages = new List<StreamRowsResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            messages.Add(message);
        }

        Assert.Equal(["id", "category"], messages[0].Schema.Columns.Select(c => c.Name));
        Assert.Equal(Enumerable.Range(1, 2_500).Select(i => (long)i), messages.Skip(1).SelectMany(m => m.Batch.Rows).Select(r => r.Values[0].IntValue));
        Assert.Null(await _relay.Observer.Ended.Bounded());
    }

    [Fact]
    public async Task StreamRows_OuterClientCancels_InnerStreamAndQueryStop()
    {
        using var outer = new CancellationTokenSource();
        using var call = new RowsService.RowsServiceClient(_channel).StreamRows(
            new StreamRowsRequest { Dataset = "slow", Columns = { "id", "slow" }, BatchSize = 20 },
            cancellationToken: outer.Token);

        var received = 0;
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync().WithCancellation(TestTimeout.Token()))
            {
                received += message.Batch?.Rows.Count ?? 0;
                if (received >= 60)
                {
                    // The source query is running now (the slow view is ~500 rows/s over 1M rows).
                    Assert.True(await postgres.ActiveQueriesAsync(_applicationName) > 0, "no active query while streaming");
                    outer.Cancel();
                }
            }
        }).Bounded();

        Assert.True(error is OperationCanceledException || (error is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled), error.ToString());
        var upstreamFailure = await _relay.Observer.Ended.Bounded();
        Assert.True(upstreamFailure is OperationCanceledException || (upstreamFailure is RpcException { StatusCode: StatusCode.Cancelled }), $"relay's upstream ended with {upstreamFailure}");
        await postgres.WaitUntilNoActiveQueryAsync(_applicationName, "the outer call ended");
    }

    [Fact]
    public async Task StreamRows_OuterDeadline_PropagatesAndStopsTheQuery()
    {
        using var call = new RowsService.RowsServiceClient(_channel).StreamRows(
            new StreamRowsRequest { Dataset = "slow", Columns = { "id", "slow" }, BatchSize = 20 },
            deadline: DateTime.UtcNow.AddSeconds(1.5));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
            }
        }).Bounded();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        var upstreamFailure = await _relay.Observer.Ended.Bounded();
        Assert.NotNull(upstreamFailure);
        await postgres.WaitUntilNoActiveQueryAsync(_applicationName, "the outer call ended");
    }

    [Fact]
    public void AddStreamGrpcClient_InRelay_ClientFactoryClientsWithTheConfiguredAddress()
    {
        var first = _relay.Services.GetRequiredService<StreamGrpcClient>();
        var second = _relay.Services.GetRequiredService<StreamGrpcClient>();

        // Grpc.Net.ClientFactory: a client per resolution over the factory's pooled handler.
        Assert.NotSame(first, second);
        Assert.Null(first.Channel);
        Assert.Equal(_service.Address, first.Options.Address);
        Assert.Equal(_service.Address, second.Options.Address);
    }

    [Fact]
    public void AddStreamGrpcClient_RegisteredTwice_FirstConfigurationWins()
    {
        var services = new ServiceCollection();
        services.AddStreamGrpcClient(o => o.Address = new Uri("http://127.0.0.1:5001"));
        services.AddStreamGrpcClient(o => o.Address = new Uri("http://127.0.0.1:5002"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(new Uri("http://127.0.0.1:5001"), provider.GetRequiredService<StreamGrpcClient>().Options.Address);
    }
}
