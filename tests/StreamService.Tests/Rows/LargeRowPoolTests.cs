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
        Assert.Equal(1, await postgres.BackendsAsync(harness.ApplicationName));

        var large = await harness.CallAsync(new StreamRowsRequest { Dataset = "large" });
        Assert.Null(large.Error);
        Assert.Equal(NpgsqlRowSource.LargeRowBytes * 2, large.Batches.SelectMany(b => b.Rows).Last().Values[1].TextValue.Length);

        // The connection is closed as it returns to the pool; its backend exits right after.
        await PostgresFixture.WaitUntilZeroAsync(() => postgres.BackendsAsync(harness.ApplicationName), "backends of the service still open 10 s after a stream with a large row");
    }
}
