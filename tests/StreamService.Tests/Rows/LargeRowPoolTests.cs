using StreamGrpc.V1;
using StreamService.Rows;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Rows;

/// <summary>Rows are read buffered (NpgsqlRowSource), so a very large row grows the connector's read
/// buffer; a stream that met one must not leave that connection in the pool.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LargeRowPoolTests(PostgresFixture postgres)
{
    private const string Table = "rows_test_large";

    [Fact]
    public async Task StreamRows_RowAboveTheBound_ConnectionClosedInsteadOfPooled()
    {
        await postgres.ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS {Table} (id bigint PRIMARY KEY, body text NOT NULL);
            INSERT INTO {Table} VALUES (1, 'small'), (2, repeat('x', {NpgsqlRowSource.LargeRowBytes * 2}))
            ON CONFLICT (id) DO NOTHING;
            """);
        await using var harness = RowsHarness.Create(postgres, new Dictionary<string, string?>
        {
            ["StreamGrpc:Rows:Datasets:large:Table"] = Table,
            ["StreamGrpc:Rows:Datasets:large:KeyColumns:0"] = "id",
        });

        // Control: a stream of small rows leaves its connection idle in the pool.
        var small = await harness.CallAsync(new StreamRowsRequest { Dataset = "large", Limit = 1 });
        Assert.Null(small.Error);
        Assert.Equal("small", Assert.Single(small.Batches.SelectMany(b => b.Rows)).Values[1].TextValue);
        Assert.Equal(1, await BackendsAsync(harness.ApplicationName));

        var large = await harness.CallAsync(new StreamRowsRequest { Dataset = "large" });
        Assert.Null(large.Error);
        Assert.Equal(NpgsqlRowSource.LargeRowBytes * 2, large.Batches.SelectMany(b => b.Rows).Last().Values[1].TextValue.Length);

        // The connection is closed as it returns to the pool; its backend exits right after.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        long backends;
        while ((backends = await BackendsAsync(harness.ApplicationName)) != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, backends);
    }

    private Task<long> BackendsAsync(string applicationName) => postgres.ScalarAsync<long>(
        $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}'");
}
