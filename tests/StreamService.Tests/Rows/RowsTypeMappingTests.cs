using Google.Protobuf.WellKnownTypes;
using StreamGrpc.V1;
using StreamService.Tests.Postgres;
using Xunit;
using Value = StreamGrpc.V1.Value;

namespace StreamService.Tests.Rows;

[Collection(PostgresCollection.Name)]
public sealed class RowsTypeMappingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private RowsHarness _rows = null!;
    private Dictionary<int, Dictionary<string, Value>> _byId = null!;
    private Dictionary<string, Column> _columns = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        // A session time zone far from UTC: instants must not depend on it.
        _rows = RowsHarness.Create(postgres, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres.ConnectionString + ";Timezone=Pacific/Chatham",
        });
        var result = (await _rows.CallAsync(new StreamRowsRequest { Dataset = "types" })).Succeeded();
        _columns = result.Schema!.Columns.ToDictionary(c => c.Name);
        var names = result.Schema.Columns.Select(c => c.Name).ToList();
        _byId = result.Rows.ToDictionary(
            r => (int)r.Values[0].IntValue,
            r => names.Zip(r.Values).ToDictionary(p => p.First, p => p.Second));
    }

    public async Task DisposeAsync() => await _rows.DisposeAsync();

    [Fact]
    public void StreamRows_Schema_DescribesEveryColumnType()
    {
        Assert.Equal(ColumnType.Int32, _columns["id"].Type);
        Assert.False(_columns["id"].Nullable);
        Assert.True(_columns["txt"].Nullable);
        Assert.Equal(ColumnType.Bool, _columns["b"].Type);
        Assert.Equal(ColumnType.Int16, _columns["i2"].Type);
        Assert.Equal(ColumnType.Int64, _columns["i8"].Type);
        Assert.Equal(ColumnType.Float32, _columns["f4"].Type);
        Assert.Equal(ColumnType.Float64, _columns["f8"].Type);
        Assert.Equal(ColumnType.Numeric, _columns["num"].Type);
        Assert.Equal(ColumnType.Text, _columns["vc"].Type);
        Assert.Equal("character varying(10)", _columns["vc"].DatabaseType);
        Assert.Equal(ColumnType.Bytes, _columns["by"].Type);
        Assert.Equal(ColumnType.Uuid, _columns["u"].Type);
        Assert.Equal(ColumnType.Json, _columns["j"].Type);
        Assert.Equal(ColumnType.Json, _columns["jb"].Type);
        Assert.Equal(ColumnType.Timestamp, _columns["tstz"].Type);
        Assert.Equal(ColumnType.LocalTimestamp, _columns["ts"].Type);
        Assert.Equal(ColumnType.Date, _columns["d"].Type);
        Assert.Equal(ColumnType.Time, _columns["t"].Type);
        Assert.Equal(ColumnType.Other, _columns["iv"].Type);
        Assert.Equal(ColumnType.Text, _columns["a_txt"].Type);
        Assert.True(_columns["a_txt"].IsArray);
        Assert.True(_columns["a_num"].IsArray);
        Assert.Equal(ColumnType.Numeric, _columns["a_num"].Type);
    }

    [Fact]
    public void StreamRows_NullColumns_AreNullValues()
    {
        var row = _byId[1];
        Assert.All(row.Where(p => p.Key != "id"), p => Assert.Equal(Value.KindOneofCase.NullValue, p.Value.KindCase));
    }

    [Fact]
    public void StreamRows_EmptyValues_AreDistinctFromNull()
    {
        var row = _byId[2];
        Assert.Equal("", Text(row["txt"]));
        Assert.Equal("", Text(row["vc"]));
        Assert.Equal("ab ", Text(row["ch"]));
        Assert.Equal(Value.KindOneofCase.BytesValue, row["by"].KindCase);
        Assert.Equal(0, row["by"].BytesValue.Length);
        Assert.Equal("\"\"", row["j"].JsonValue);
        Assert.Equal("{}", row["jb"].JsonValue);
        foreach (var array in new[] { "a_txt", "a_i4", "a_num", "a_by" })
        {
            Assert.Equal(Value.KindOneofCase.ArrayValue, row[array].KindCase);
            Assert.Empty(row[array].ArrayValue.Values);
        }

        Assert.Equal(Value.KindOneofCase.NullValue, row["a_tstz"].KindCase);
    }

    [Fact]
    public void StreamRows_Minimums_RoundTripExactly()
    {
        var row = _byId[3];
        Assert.False(row["b"].BoolValue);
        Assert.Equal(short.MinValue, row["i2"].IntValue);
        Assert.Equal(int.MinValue, row["i4"].IntValue);
        Assert.Equal(long.MinValue, row["i8"].IntValue);
        Assert.Equal(-3.4028235e38f, (float)row["f4"].DoubleValue);
        Assert.Equal(-1.7976931348623157e308, row["f8"].DoubleValue);
        Assert.Equal("-123456789012345678901234567890.123456789012345678901234567890", row["num"].NumericValue);
        Assert.Equal("ünïcødé 🚀 'single' \"double\" \\ back", Text(row["txt"]));
        Assert.Equal("xyz", Text(row["ch"]));
        Assert.Equal(new byte[] { 0x00, 0xff, 0x10 }, row["by"].BytesValue.ToByteArray());
        Assert.Equal("c4ca4238-a0b9-2382-0dcc-509a6f75849b", row["u"].UuidValue);
        Assert.Equal("{\"a\": [1, 2.50]}", row["j"].JsonValue);
        Assert.Equal("{\"a\": 1, \"b\": {\"c\": null}}", row["jb"].JsonValue);
        Assert.Equal("1 day 02:03:04", Text(row["iv"]));
    }

    [Fact]
    public void StreamRows_Timestamps_AreInstantsIndependentOfSessionTimeZone()
    {
        var row = _byId[3];
        // 23:59:59.999999 at +05:30 is 18:29:59.999999 UTC.
        Assert.Equal(Timestamp.FromDateTime(new DateTime(2024, 6, 30, 18, 29, 59, DateTimeKind.Utc).AddTicks(9_999_990)), row["tstz"].TimestampValue);
        // Without time zone: the wall-clock time, written as if UTC.
        Assert.Equal(Timestamp.FromDateTime(new DateTime(1999, 12, 31, 23, 59, 59, 500, DateTimeKind.Utc)), row["ts"].TimestampValue);
        Assert.Equal("2024-02-29", row["d"].DateValue);
        Assert.Equal("00:00:00", row["t"].TimeValue);
        Assert.Equal(Timestamp.FromDateTime(DateTime.UnixEpoch), _byId[5]["tstz"].TimestampValue);
        Assert.Equal("12:34:56.000001", _byId[5]["t"].TimeValue);
    }

    [Fact]
    public void StreamRows_Maximums_AndSpecialValues_RoundTrip()
    {
        var row = _byId[4];
        Assert.True(row["b"].BoolValue);
        Assert.Equal(short.MaxValue, row["i2"].IntValue);
        Assert.Equal(int.MaxValue, row["i4"].IntValue);
        Assert.Equal(long.MaxValue, row["i8"].IntValue);
        Assert.True(double.IsNaN(row["f4"].DoubleValue));
        Assert.Equal(double.PositiveInfinity, row["f8"].DoubleValue);
        Assert.Equal("NaN", row["num"].NumericValue);
        Assert.Equal("infinity", row["d"].DateValue);
        Assert.Equal("23:59:59.999999", row["t"].TimeValue);
        Assert.Equal("-infinity", _byId[5]["d"].DateValue);
        Assert.Equal("0.000000000000000000000000000000000000001", _byId[5]["num"].NumericValue);
        Assert.True(double.IsNegative(_byId[5]["f8"].DoubleValue));
        Assert.Equal("-Infinity", _byId[6]["num"].NumericValue);
    }

    [Fact]
    public void StreamRows_Arrays_KeepElementTypesAndNullElements()
    {
        var row = _byId[3];
        Assert.Equal(["a", null, ""], row["a_txt"].ArrayValue.Values.Select(v => v.KindCase == Value.KindOneofCase.NullValue ? null : v.TextValue));
        Assert.Equal([1L, null, -3L], row["a_i4"].ArrayValue.Values.Select(v => v.KindCase == Value.KindOneofCase.NullValue ? (long?)null : v.IntValue));
        Assert.Equal(["0.000000000000000000000000000001", null, "99999999999999999999999999999999.5"],
            row["a_num"].ArrayValue.Values.Select(v => v.KindCase == Value.KindOneofCase.NullValue ? null : v.NumericValue));
        Assert.Equal(Timestamp.FromDateTime(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)), row["a_tstz"].ArrayValue.Values[0].TimestampValue);
        Assert.Equal(Value.KindOneofCase.NullValue, row["a_tstz"].ArrayValue.Values[1].KindCase);
        Assert.Equal([Value.KindOneofCase.BoolValue, Value.KindOneofCase.NullValue, Value.KindOneofCase.BoolValue], row["a_b"].ArrayValue.Values.Select(v => v.KindCase));
        Assert.Equal("c4ca4238-a0b9-2382-0dcc-509a6f75849b", row["a_u"].ArrayValue.Values[0].UuidValue);
        Assert.Equal("2024-01-01", row["a_d"].ArrayValue.Values[0].DateValue);
        var floats = row["a_f8"].ArrayValue.Values;
        Assert.True(double.IsNaN(floats[0].DoubleValue));
        Assert.Equal(double.PositiveInfinity, floats[1].DoubleValue);
        Assert.Equal(double.NegativeInfinity, floats[2].DoubleValue);
        Assert.Equal(Value.KindOneofCase.NullValue, floats[3].KindCase);
        Assert.Equal(new byte[] { 0x00, 0xff }, row["a_by"].ArrayValue.Values[0].BytesValue.ToByteArray());
    }

    private static string Text(Value value)
    {
        Assert.Equal(Value.KindOneofCase.TextValue, value.KindCase);
        return value.TextValue;
    }
}
