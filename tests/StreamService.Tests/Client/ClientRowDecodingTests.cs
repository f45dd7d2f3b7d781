using Grpc.Core;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Client;

/// <summary>The typed client decodes rows from the wire itself (not through the generated parser):
/// every value of every type must come out as the generated parser reads it, and the typed getters
/// must give the documented CLR types.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClientRowDecodingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _fileRoot = JobsTestData.NewRoot();
    private ClientTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _host = await ClientTestHost.StartAsync(ClientTestHost.Settings(postgres, "client-decoding", _fileRoot, "client-decoding"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        JobsTestData.DeleteRoot(_fileRoot);
    }

    [Fact]
    public async Task StreamRowsAsync_EveryType_DecodesAsTheGeneratedParserDoes()
    {
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = _host.Address });
        var expected = new List<Row>();
        Schema? schema = null;
        using (var call = new RowsService.RowsServiceClient(client.Channel).StreamRows(new StreamRowsRequest { Dataset = "types", BatchSize = 2 }))
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                if (message.KindCase == StreamRowsResponse.KindOneofCase.Schema)
                {
                    schema = message.Schema;
                }
                else
                {
                    expected.AddRange(message.Batch.Rows);
                }
            }
        }

        var rows = new List<DataRow>();
        await foreach (var row in client.StreamRowsAsync(new RowsQuery("types") { BatchSize = 2 }))
        {
            rows.Add(row);
        }

        Assert.Equal(6, expected.Count);
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(schema, rows[i].Schema);
            Assert.Equal(schema!.Columns.Count, rows[i].FieldCount);

            // Decoded and encoded again, every value is the one the generated parser read.
            Assert.Equal(expected[i], rows[i].ToRow());
        }
    }

    [Fact]
    public async Task StreamRowsAsync_TypedGetters_GiveTheDocumentedClrTypes()
    {
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = _host.Address });
        var rows = new Dictionary<long, DataRow>();
        await foreach (var row in client.StreamRowsAsync(new RowsQuery("types")))
        {
            rows[row.GetInt64(row.GetOrdinal("id"))] = row;
        }

        var full = rows[3];
        int Col(string name) => full.GetOrdinal(name);
        Assert.False(full.GetBoolean(Col("b")));
        Assert.Equal(long.MinValue, full.GetInt64(Col("i8")));
        Assert.Equal(-1.7976931348623157e308, full.GetDouble(Col("f8")));
        Assert.Equal("-123456789012345678901234567890.123456789012345678901234567890", full.GetString(Col("num")));
        Assert.Equal("ünïcødé 🚀 'single' \"double\" \\ back", full.GetString(Col("txt")));
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x10 }, full.GetBytes(Col("by")));
        Assert.Equal(Guid.Parse("c4ca4238-a0b9-2382-0dcc-509a6f75849b"), full.GetGuid(Col("u")));
        Assert.Equal(new DateTimeOffset(2024, 6, 30, 18, 29, 59, TimeSpan.Zero).AddTicks(9_999_990), full.GetDateTimeOffset(Col("tstz")));
        Assert.Equal(new DateTime(1999, 12, 31, 23, 59, 59, 500, DateTimeKind.Unspecified), full.GetDateTime(Col("ts")));
        Assert.Equal(DateTimeKind.Unspecified, full.GetDateTime(Col("ts")).Kind);
        Assert.Equal(new DateOnly(2024, 2, 29), full.GetDateOnly(Col("d")));
        Assert.Equal(TimeOnly.MinValue, full.GetTimeOnly(Col("t")));
        Assert.Equal(new string?[] { "a", null, "" }, full.GetArray<string?>(Col("a_txt")));
        Assert.Equal(new long?[] { 1, null, -3 }, full.GetArray<long?>(Col("a_i4")));
        Assert.Equal(new bool?[] { true, null, false }, full.GetArray<bool?>(Col("a_b")));
        Assert.Equal(new DateOnly?[] { new DateOnly(2024, 1, 1), null }, full.GetArray<DateOnly?>(Col("a_d")));
        Assert.Equal(new double?[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, null }, full.GetArray<double?>(Col("a_f8")));
        Assert.IsType<long?[]>(full["a_i4"]);

        // The infinities of dates are DateOnly's extremes, as Npgsql maps them.
        Assert.Equal(DateOnly.MaxValue, rows[4].GetDateOnly(Col("d")));
        Assert.Equal(DateOnly.MinValue, rows[5].GetDateOnly(Col("d")));
        Assert.Equal(new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_990)), rows[4].GetTimeOnly(Col("t")));

        // NULL is distinct from empty, and a typed read of NULL says so.
        var nulls = rows[1];
        Assert.True(nulls.IsNull(Col("txt")));
        Assert.Null(nulls["txt"]);
        Assert.Contains("NULL", Assert.Throws<InvalidCastException>(() => nulls.GetString(Col("txt"))).Message);
        Assert.Equal(string.Empty, rows[2].GetString(Col("txt")));
        Assert.Empty(rows[2].GetArray<long?>(Col("a_i4")));

        // A getter of the wrong type names the column.
        Assert.Contains("'txt'", Assert.Throws<InvalidCastException>(() => full.GetInt64(Col("txt"))).Message);
    }
}
