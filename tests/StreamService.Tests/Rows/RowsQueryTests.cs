using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Postgres;
using Xunit;
using Value = StreamGrpc.V1.Value;

namespace StreamService.Tests.Rows;

/// <summary>Filters, limits, column selection and batching against the seeded <c>events</c> table;
/// every expectation is computed by PostgreSQL itself with hand-written SQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RowsQueryTests(PostgresFixture postgres) : IAsyncLifetime
{
    private RowsHarness _rows = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _rows = RowsHarness.Create(postgres);
    }

    public async Task DisposeAsync() => await _rows.DisposeAsync();

    public static TheoryData<string, Filter, string> Filters => new()
    {
        { "equal", F("category", FilterOperator.Equal, Text("beta")), "category = 'beta'" },
        { "not equal", F("quantity", FilterOperator.NotEqual, Int(-92081)), "quantity <> -92081" },
        { "less", F("id", FilterOperator.Less, Int(40)), "id < 40" },
        { "less or equal", F("score", FilterOperator.LessOrEqual, new Value { DoubleValue = 5.0 }), "score <= 5.0" },
        { "greater", F("amount", FilterOperator.Greater, new Value { NumericValue = "30000000210.12345678901234567890123456789" }), "amount > 30000000210.12345678901234567890123456789" },
        { "greater or equal", F("created_at", FilterOperator.GreaterOrEqual, new Value { TimestampValue = Timestamp.FromDateTime(new DateTime(2024, 1, 1, 0, 20, 0, DateTimeKind.Utc)) }), "created_at >= '2024-01-01 00:20:00+00'" },
        { "in", F("id", FilterOperator.In, Int(5), Int(7), Int(9), Int(17)), "id IN (5, 7, 9, 17)" },
        { "in uuid", F("ref", FilterOperator.In, new Value { UuidValue = "c4ca4238-a0b9-2382-0dcc-509a6f75849b" }, new Value { UuidValue = "c81e728d-9d4c-2f63-6f06-7f89cc14862c" }), "ref IN (md5('1')::uuid, md5('2')::uuid)" },
        { "like", F("name", FilterOperator.Like, Text("event 1_")), "name LIKE 'event 1_'" },
        { "is null", F("name", FilterOperator.IsNull), "name IS NULL" },
        { "is not null", F("payload", FilterOperator.IsNotNull), "payload IS NOT NULL" },
        { "bool", F("active", FilterOperator.Equal, new Value { BoolValue = true }), "active" },
        { "date", F("day", FilterOperator.Less, new Value { DateValue = "2000-01-10" }), "day < '2000-01-10'" },
        { "time", F("at_time", FilterOperator.GreaterOrEqual, new Value { TimeValue = "00:05:00.5" }), "at_time >= '00:05:00.5'" },
        { "bytes", F("blob", FilterOperator.Equal, new Value { BytesValue = ByteString.CopyFrom(0, 0, 0, 0x21) }), "blob = '\\x00000021'" },
        { "array null", F("tags", FilterOperator.IsNull), "tags IS NULL" },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task StreamRows_Filter_ReturnsExactlyTheMatchingRows(string name, Filter filter, string sqlCondition)
    {
        const long window = 3000;
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id" }, BatchSize = 1000 };
        request.Filters.Add(filter);
        request.Filters.Add(F("id", FilterOperator.LessOrEqual, Int(window)));

        var result = (await _rows.CallAsync(request)).Succeeded();

        var expected = await ExpectedIdsAsync($"({sqlCondition}) AND id <= {window}");
        Assert.True(expected.Count > 0, $"{name}: the test condition should match rows");
        Assert.Equal(expected, result.Ids);
    }

    [Fact]
    public async Task StreamRows_SeveralFilters_AreCombinedWithAnd()
    {
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id" } };
        request.Filters.Add(F("category", FilterOperator.In, Text("alpha"), Text("gamma")));
        request.Filters.Add(F("id", FilterOperator.Greater, Int(999_900)));
        request.Filters.Add(F("quantity", FilterOperator.IsNotNull));

        var result = (await _rows.CallAsync(request)).Succeeded();

        Assert.Equal(await ExpectedIdsAsync("category IN ('alpha', 'gamma') AND id > 999900 AND quantity IS NOT NULL"), result.Ids);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 7)]
    [InlineData(0, PostgresFixture.EventRows)]
    public async Task StreamRows_Limit_ReturnsAtMostLimitRowsInKeyOrder(long limit, long expected)
    {
        var result = (await _rows.CallAsync(new StreamRowsRequest { Dataset = "events", Columns = { "id" }, Limit = limit, BatchSize = 10_000 })).Succeeded();

        Assert.Equal(expected, result.Rows.Count);
        Assert.Equal(Enumerable.Range(1, (int)expected).Select(i => (long)i), result.Ids);
    }

    [Theory]
    [InlineData(1, 10, new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(3, 10, new[] { 3, 3, 3, 1 })]
    [InlineData(10, 10, new[] { 10 })]
    [InlineData(0, 1234, new[] { 500, 500, 234 })]
    public async Task StreamRows_BatchSize_CutsBatches(int batchSize, long limit, int[] expected)
    {
        var result = (await _rows.CallAsync(new StreamRowsRequest { Dataset = "events", Limit = limit, BatchSize = batchSize })).Succeeded();

        Assert.Equal(expected, result.Batches.Select(b => b.Rows.Count));
        Assert.All(result.Batches, b => Assert.False(string.IsNullOrEmpty(b.ResumeToken)));
    }

    [Fact]
    public async Task StreamRows_ByteBudget_CutsBatchesBeforeTheRowCount()
    {
        await using var rows = RowsHarness.Create(postgres, new Dictionary<string, string?> { ["StreamGrpc:Rows:MaxBatchBytes"] = "2048" });

        var result = (await rows.CallAsync(new StreamRowsRequest { Dataset = "events", Limit = 200, BatchSize = 200 })).Succeeded();

        Assert.Equal(200, result.Rows.Count);
        Assert.True(result.Batches.Count > 5, $"expected the 2 KiB budget to cut batches, got {result.Batches.Count}");
        Assert.All(result.Batches, b => Assert.True(b.Rows.Sum(r => r.CalculateSize()) < 2048 + 1024));
    }

    [Fact]
    public async Task StreamRows_Columns_ReturnsRequestedColumnsInRequestedOrder()
    {
        var result = (await _rows.CallAsync(new StreamRowsRequest { Dataset = "events", Columns = { "category", "id" }, Limit = 3 })).Succeeded();

        Assert.Equal(["category", "id"], result.Schema!.Columns.Select(c => c.Name));
        Assert.Equal(["id"], result.Schema.KeyColumns);
        Assert.Equal(["beta", "gamma", "delta"], result.Rows.Select(r => r.Values[0].TextValue));
        Assert.Equal([1L, 2L, 3L], result.Rows.Select(r => r.Values[1].IntValue));
    }

    [Fact]
    public async Task StreamRows_DatasetColumnList_ExposesOnlyConfiguredColumns()
    {
        var all = (await _rows.CallAsync(new StreamRowsRequest { Dataset = "narrow", Limit = 2 })).Succeeded();
        var hidden = await _rows.CallAsync(new StreamRowsRequest { Dataset = "narrow", Columns = { "payload" } });

        Assert.Equal(["category", "quantity"], all.Schema!.Columns.Select(c => c.Name));
        Assert.Equal(StatusCode.InvalidArgument, hidden.Error?.StatusCode);
    }

    [Fact]
    public async Task StreamRows_CompositeKey_OrdersByAllKeyColumns()
    {
        var result = (await _rows.CallAsync(new StreamRowsRequest { Dataset = "pairs", Columns = { "v" } })).Succeeded();

        Assert.Equal(["a", "b"], result.Schema!.KeyColumns);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), result.Rows.Select(r => r.Values[0].IntValue));
    }

    [Fact]
    public async Task StreamRows_EmptyResult_SendsOnlyTheSchema()
    {
        var request = new StreamRowsRequest { Dataset = "events" };
        request.Filters.Add(F("id", FilterOperator.Less, Int(0)));

        var result = (await _rows.CallAsync(request)).Succeeded();

        Assert.Single(result.Messages);
        Assert.NotNull(result.Schema);
    }

    private async Task<List<long>> ExpectedIdsAsync(string condition)
    {
        var ids = new List<long>();
        await using var command = postgres.DataSource.CreateCommand($"SELECT id FROM events WHERE {condition} ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync().Within();
        while (await reader.ReadAsync().Within())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    internal static Filter F(string column, FilterOperator op, params Value[] values)
    {
        var filter = new Filter { Column = column, Operator = op };
        filter.Values.Add(values);
        return filter;
    }

    internal static Value Int(long value) => new() { IntValue = value };

    internal static Value Text(string value) => new() { TextValue = value };
}
