using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Postgres;
using Xunit;
using static StreamService.Tests.Rows.RowsQueryTests;
using Value = StreamGrpc.V1.Value;

namespace StreamService.Tests.Rows;

/// <summary>Bad requests end with the right status and a message naming the problem, and caller
/// strings never reach PostgreSQL as SQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RowsValidationTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Injection = "id; DROP TABLE rows_test_canary; --";

    private RowsHarness _rows = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _rows = RowsHarness.Create(postgres);
    }

    public async Task DisposeAsync() => await _rows.DisposeAsync();

    public static TheoryData<string, StreamRowsRequest, StatusCode, string> BadRequests => new()
    {
        { "unknown dataset", new() { Dataset = "nope" }, StatusCode.NotFound, "dataset 'nope' does not exist" },
        { "empty dataset", new() { Dataset = "" }, StatusCode.InvalidArgument, "dataset" },
        { "unknown column", new() { Dataset = "events", Columns = { "nope" } }, StatusCode.InvalidArgument, "columns: dataset 'events' has no column 'nope'" },
        { "duplicate column", new() { Dataset = "events", Columns = { "id", "id" } }, StatusCode.InvalidArgument, "more than once" },
        { "negative limit", new() { Dataset = "events", Limit = -1 }, StatusCode.InvalidArgument, "limit" },
        { "batch too large", new() { Dataset = "events", BatchSize = 10_001 }, StatusCode.InvalidArgument, "batch_size" },
        { "negative batch", new() { Dataset = "events", BatchSize = -5 }, StatusCode.InvalidArgument, "batch_size" },
        { "filter unknown column", Req(F("nope", FilterOperator.Equal, Int(1))), StatusCode.InvalidArgument, "filters[0]: dataset 'events' has no column 'nope'" },
        { "unspecified operator", Req(F("id", FilterOperator.Unspecified, Int(1))), StatusCode.InvalidArgument, "filters[0] on column 'id': operator 0 is not supported" },
        { "unknown operator", Req(F("id", (FilterOperator)99, Int(1))), StatusCode.InvalidArgument, "operator 99" },
        { "wrong value type", Req(F("id", FilterOperator.Equal, Text("1"))), StatusCode.InvalidArgument, "filters[0] on column 'id': a text value does not match the column type int64" },
        { "like on int", Req(F("id", FilterOperator.Like, Int(1))), StatusCode.InvalidArgument, "LIKE applies to text columns only" },
        { "compare json", Req(F("payload", FilterOperator.Equal, new Value { JsonValue = "{}" })), StatusCode.InvalidArgument, "IS_NULL and IS_NOT_NULL only" },
        { "compare array", Req(F("tags", FilterOperator.Equal, Text("t1"))), StatusCode.InvalidArgument, "IS_NULL and IS_NOT_NULL only" },
        { "missing value", Req(F("id", FilterOperator.Equal)), StatusCode.InvalidArgument, "takes exactly one value" },
        { "two values", Req(F("id", FilterOperator.Less, Int(1), Int(2))), StatusCode.InvalidArgument, "takes exactly one value" },
        { "value for is null", Req(F("id", FilterOperator.IsNull, Int(1))), StatusCode.InvalidArgument, "takes no values" },
        { "empty in", Req(F("id", FilterOperator.In)), StatusCode.InvalidArgument, "takes 1 to 1000 values" },
        { "null operand", Req(F("id", FilterOperator.Equal, new Value { NullValue = Google.Protobuf.WellKnownTypes.NullValue.NullValue })), StatusCode.InvalidArgument, "use IS_NULL" },
        { "unset operand", Req(F("id", FilterOperator.Equal, new Value())), StatusCode.InvalidArgument, "use IS_NULL" },
        { "bad numeric", Req(F("amount", FilterOperator.Equal, new Value { NumericValue = "1.2.3" })), StatusCode.InvalidArgument, "'1.2.3' is not a decimal number" },
        { "bad uuid", Req(F("ref", FilterOperator.Equal, new Value { UuidValue = "xyz" })), StatusCode.InvalidArgument, "is not a UUID" },
        { "bad date", Req(F("day", FilterOperator.Equal, new Value { DateValue = "2024-13-01" })), StatusCode.InvalidArgument, "is not a date" },
        { "bad time", Req(F("at_time", FilterOperator.Equal, new Value { TimeValue = "25:00" })), StatusCode.InvalidArgument, "is not a time of day" },
        { "nul in text", Req(F("name", FilterOperator.Equal, Text("a\0b"))), StatusCode.InvalidArgument, "NUL" },
        { "too many in values", Req(F("id", FilterOperator.In, [.. Enumerable.Range(0, 1001).Select(i => Int(i))])), StatusCode.InvalidArgument, "takes 1 to 1000 values" },
        { "garbage token", new() { Dataset = "events", ResumeToken = "not-a-token" }, StatusCode.InvalidArgument, "resume_token is not valid" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task StreamRows_BadRequest_EndsWithStatusNamingTheProblem(string name, StreamRowsRequest request, StatusCode code, string message)
    {
        var result = await _rows.CallAsync(request);

        Assert.True(result.Error is not null, $"{name}: expected {code}");
        Assert.Equal(code, result.Error.StatusCode);
        Assert.Contains(message, result.Error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(result.Messages);
    }

    public static TheoryData<string, StreamRowsRequest> Injections => new()
    {
        { "dataset", new() { Dataset = "events; DROP TABLE rows_test_canary; --" } },
        { "dataset quote", new() { Dataset = "events\" --" } },
        { "column", new() { Dataset = "events", Columns = { Injection } } },
        { "column quote", new() { Dataset = "events", Columns = { "id\"; DROP TABLE rows_test_canary; --" } } },
        { "filter column", Req(F(Injection, FilterOperator.Equal, Int(1))) },
        { "int value as text", Req(F("id", FilterOperator.Equal, Text("1 OR 1=1"))) },
        { "numeric value", Req(F("amount", FilterOperator.Equal, new Value { NumericValue = "1); DROP TABLE rows_test_canary; --" })) },
        { "uuid value", Req(F("ref", FilterOperator.Equal, new Value { UuidValue = "' OR '1'='1" })) },
        { "date value", Req(F("day", FilterOperator.Equal, new Value { DateValue = "2024-01-01'; DROP TABLE rows_test_canary; --" })) },
        { "time value", Req(F("at_time", FilterOperator.Equal, new Value { TimeValue = "00:00'; --" })) },
        { "resume token", new() { Dataset = "events", ResumeToken = "'; DROP TABLE rows_test_canary; --" } },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task StreamRows_InjectionAttempt_IsInvalidArgumentAndNeverReachesTheDatabase(string field, StreamRowsRequest request)
    {
        // Warm the catalogue cache; this proves the command log sees commands at all.
        (await _rows.CallAsync(new StreamRowsRequest { Dataset = "events", Limit = 1 })).Succeeded();
        Assert.NotEmpty(_rows.Logs.Commands);
        _rows.Logs.Entries.Clear();

        var result = await _rows.CallAsync(request);

        Assert.True(result.Error is not null, $"{field}: expected INVALID_ARGUMENT");
        Assert.Equal(StatusCode.InvalidArgument, result.Error.StatusCode);
        Assert.Empty(_rows.Logs.Commands);
        Assert.Equal(1L, await postgres.ScalarAsync<long>($"SELECT count(*) FROM {RowsTestData.CanaryTable}"));
    }

    [Fact]
    public async Task StreamRows_InjectionInTextValue_IsJustDataAndMatchesNothing()
    {
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id" } };
        request.Filters.Add(F("name", FilterOperator.Equal, Text("x' OR '1'='1'; DROP TABLE rows_test_canary; --")));
        request.Filters.Add(F("category", FilterOperator.Like, Text("%' OR 1=1 --")));

        var result = (await _rows.CallAsync(request)).Succeeded();

        Assert.Empty(result.Rows);
        Assert.DoesNotContain(_rows.Logs.Commands, c => c.Contains("DROP TABLE", StringComparison.Ordinal));
        Assert.Equal(1L, await postgres.ScalarAsync<long>($"SELECT count(*) FROM {RowsTestData.CanaryTable}"));
    }

    [Fact]
    public async Task StreamRows_MisconfiguredDataset_IsFailedPreconditionWithoutDetails()
    {
        await using var rows = RowsHarness.Create(postgres, new Dictionary<string, string?>
        {
            ["StreamGrpc:Rows:Datasets:ghost:Table"] = "no_such_table",
            ["StreamGrpc:Rows:Datasets:ghost:KeyColumns:0"] = "id",
        });

        var result = await rows.CallAsync(new StreamRowsRequest { Dataset = "ghost" });

        Assert.Equal(StatusCode.FailedPrecondition, result.Error?.StatusCode);
        Assert.DoesNotContain("no_such_table", result.Error!.Status.Detail, StringComparison.Ordinal);
    }

    private static StreamRowsRequest Req(Filter filter) => new() { Dataset = "events", Filters = { filter } };
}
