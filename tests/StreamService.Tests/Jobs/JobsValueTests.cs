using StreamGrpc.V1;
using StreamService.Jobs;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Jobs;

/// <summary>Typed values through the import's batched path: values at the types' limits, empty
/// against NULL, quoted fields with line breaks and doubled quotes, and rejects whose line numbers
/// stay right across the reading side's batch boundaries (1,024 records).</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobsValueTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = JobsTestData.NewRoot();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        JobsTestData.DeleteRoot(_root);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("2020-02-29", 2020, 2, 29)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    [InlineData("2021-12-01", 2021, 12, 1)]
    public void TryParseIsoDate_CanonicalForm_ParsedToTheDay(string text, int year, int month, int day)
    {
        Assert.True(ImportColumnWriters.TryParseIsoDate(text, out var value));
        Assert.Equal(new DateOnly(year, month, day), value);
    }

    [Theory]
    [InlineData("2021-02-29")] // not a leap year
    [InlineData("2020-04-31")]
    [InlineData("0000-01-01")]
    [InlineData("2020-13-01")]
    [InlineData("2020-00-10")]
    [InlineData("2020-01-00")]
    [InlineData("2020-1-01")]
    [InlineData(" 2020-01-01")]
    [InlineData("+020-01-01")]
    [InlineData("2020-01-0a")]
    [InlineData("2020/01/01")]
    [InlineData("")]
    public void TryParseIsoDate_AnythingElse_LeftToTheFrameworkParser(string text)
    {
        Assert.False(ImportColumnWriters.TryParseIsoDate(text, out _));
    }

    [Fact]
    public async Task StartImport_TypedValuesAcrossBatches_LimitsKeptEmptyIsNotNullRejectsAtTheirLines()
    {
        await postgres.ExecuteAsync("""
            DROP TABLE IF EXISTS jobs_types;
            CREATE TABLE jobs_types (id bigint NOT NULL, small smallint, num integer, big bigint, day date, label text, flag boolean);
            """);
        const int records = 3000;
        var lines = new List<string> { "id,small,num,big,day,label,flag" };
        for (var id = 1; id <= records; id++)
        {
            lines.Add(id switch
            {
                // 9999-12-30 and 0001-01-02: Npgsql writes DateOnly.MaxValue/MinValue as +/-infinity (see bench/RESULTS.md, Imports).
                1 => "1,32767,2147483647,9223372036854775807,9999-12-30,max,true",
                2 => "2,-32768,-2147483648,-9223372036854775808,0001-01-02,min,f",
                3 => "3,0,0,0,2020-02-29,leap,1",
                4 => "4,,,,,,",                                   // unquoted empty: NULL everywhere
                5 => "5,0,0,0,2020-01-01,\"\",",                  // quoted empty text: '' (not NULL)
                6 => "6,32768,0,0,2020-01-01,x,t",                // reject: smallint overflow (line 7)
                7 => "7,0,2147483648,0,2020-01-01,x,t",           // reject: integer overflow (line 8)
                8 => "8,0,0,0,2021-02-29,x,t",                    // reject: no such day (line 9)
                1024 => "1024,0,0,0,2020-01-01,\"a \"\"quoted\"\",\nline\",t", // two lines: 1025-1026
                1025 => "1025,0,0,0,2020-01-01,x,maybe",          // reject: boolean (line 1027)
                2500 => "2500,0,0,9223372036854775808,2020-01-01,x,t", // reject: bigint overflow (line 2502)
                _ => $"{id},{id % 32768},{id},{id * 1_000_000_000L},2020-01-{id % 28 + 1:00},L{id},{(id % 2 == 0 ? "t" : "f")}",
            });
        }

        File.WriteAllText(Path.Combine(_root, "types.csv"), string.Join('\n', lines) + "\n");
        await using var host = await JobsTestHost.StartAsync(postgres, _root);

        using var call = host.Client.StartImport(new StartImportRequest
        {
            Root = "imports", Path = "types.csv", Format = ImportFormat.Csv, Table = "jobs_types", Csv = new ImportCsvOptions { Header = true },
        });
        var events = await JobsTestHost.CollectAsync(call);

        JobsImportTests.AssertGapless(events);
        var rejected = events.Where(e => e.KindCase == JobEvent.KindOneofCase.Rejected).Select(e => e.Rejected).ToList();
        Assert.Equal([7L, 8, 9, 1027, 2502], rejected.Select(r => r.LineNumber));
        Assert.Equal("column small: '32768' is not a smallint (-32768..32767)", rejected[0].Reason);
        Assert.Equal("column num: '2147483648' is not an integer", rejected[1].Reason);
        Assert.Equal("column day: '2021-02-29' is not a date (yyyy-mm-dd)", rejected[2].Reason);
        Assert.Equal("column flag: 'maybe' is not a boolean", rejected[3].Reason);
        Assert.Equal("column big: '9223372036854775808' is not a bigint", rejected[4].Reason);
        Assert.Equal([1L, 2, 3, 4, 5], rejected.Select(r => r.RowsRejected));
        var completed = events[^1].Completed;
        Assert.Equal(records - 5, completed.RowsImported);
        Assert.Equal(5, completed.RowsRejected);

        Assert.Equal(records - 5, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_types"));
        Assert.Equal("32767|2147483647|9223372036854775807|9999-12-30|max|true", await RowAsync(1));
        Assert.Equal("-32768|-2147483648|-9223372036854775808|0001-01-02|min|false", await RowAsync(2));
        Assert.Equal("0|0|0|2020-02-29|leap|true", await RowAsync(3));
        Assert.Equal(1L, await postgres.ScalarAsync<long>(
            "SELECT count(*) FROM jobs_types WHERE id = 4 AND small IS NULL AND num IS NULL AND big IS NULL AND day IS NULL AND label IS NULL AND flag IS NULL"));
        Assert.Equal(1L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_types WHERE id = 5 AND label = '' AND flag IS NULL"));
        Assert.Equal("a \"quoted\",\nline", await postgres.ScalarAsync<string>("SELECT label FROM jobs_types WHERE id = 1024"));
        Assert.Equal("2999|2999|2999000000000|2020-01-04|L2999|false", await RowAsync(2999));

        // Every ordinary record, on both sides of each batch boundary, arrived whole and in place.
        Assert.Equal(0L, await postgres.ScalarAsync<long>("""
            SELECT count(*) FROM jobs_types
            WHERE id > 8 AND id <> 1024
              AND (small <> id % 32768 OR num <> id OR big <> id * 1000000000 OR label <> 'L' || id OR flag <> (id % 2 = 0)
                   OR day <> make_date(2020, 1, (id % 28 + 1)::int))
            """));
        Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_types WHERE id IN (6, 7, 8, 1025, 2500)"));
    }

    private Task<string> RowAsync(long id) => postgres.ScalarAsync<string>(
        $"SELECT concat_ws('|', small, num, big, coalesce(day::text, 'no day'), label, flag::text) FROM jobs_types WHERE id = {id}");
}
