using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Jobs;

[Collection(PostgresCollection.Name)]
public sealed class JobsImportTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = JobsTestData.NewRoot();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        JobsTestData.DeleteRoot(_root);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task StartImport_LargeCsv_ProgressMonotonicTo100AndEveryRowImported()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_big");
        const long rows = 3_400_000; // ~200 MB
        var size = JobsTestData.WritePeopleCsv(Path.Combine(_root, "big.csv"), rows);
        Assert.True(size > 190_000_000, $"file is {size} bytes");
        await using var host = await JobsTestHost.StartAsync(postgres, _root);

        using var call = host.Client.StartImport(new StartImportRequest
        {
            Root = "imports", Path = "big.csv", Format = ImportFormat.Csv, Table = "jobs_big", Csv = new ImportCsvOptions { Header = true },
        });
        var events = await JobsTestHost.CollectAsync(call, timeout: TimeSpan.FromMinutes(5));

        AssertGapless(events);
        Assert.Equal(JobEvent.KindOneofCase.Started, events[0].KindCase);
        Assert.Equal(size, events[0].Started.TotalBytes);
        var progress = events.Where(e => e.KindCase == JobEvent.KindOneofCase.Progress).Select(e => e.Progress).ToList();
        Assert.True(progress.Count >= 3, $"only {progress.Count} progress events");
        for (var i = 1; i < progress.Count; i++)
        {
            Assert.True(progress[i].BytesRead >= progress[i - 1].BytesRead, "bytes_read went backwards");
            Assert.True(progress[i].Percent >= progress[i - 1].Percent, "percent went backwards");
            Assert.True(progress[i].RowsImported >= progress[i - 1].RowsImported, "rows_imported went backwards");
        }

        Assert.Equal(0, progress[0].Percent);
        Assert.Equal(100, progress[^1].Percent);
        Assert.Equal(size, progress[^1].BytesRead);
        Assert.Contains(progress, p => p.Percent is > 0 and < 100 && p.EstimatedRemaining is not null && p.RowsPerSecond > 0);
        var completed = Assert.Single(events, e => e.KindCase == JobEvent.KindOneofCase.Completed).Completed;
        Assert.Same(events[^1].Completed, completed);
        Assert.Equal(rows, completed.RowsImported);
        Assert.Equal(0, completed.RowsRejected);
        Assert.Equal(rows, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_big"));
        Assert.Equal(rows * (rows + 1) / 2, (long)await postgres.ScalarAsync<decimal>("SELECT sum(id) FROM jobs_big"));
        await postgres.ExecuteAsync("DROP TABLE jobs_big");
    }

    [Fact]
    public async Task StartImport_MalformedRecords_RejectedWithLineNumbersOthersImported()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_people");
        File.WriteAllText(Path.Combine(_root, "mixed.csv"), string.Join('\n',
            "id,name,email,age,joined,score",        // line 1
            "1,Ann,ann@example.com,30,2020-01-02,1.5", // 2
            "2,Bob,bob@example.com,abc,2020-01-02,2",  // 3 bad integer
            "3,\"Carol, \"\"C\"\"\nsecond line\",c@example.com,31,2020-02-03,", // 4-5 quoted comma, quote, newline
            "4,Dan,d@example.com,32",                   // 6 too few fields
            ",Eve,e@example.com,33,2020-01-01,1",       // 7 NULL into NOT NULL id
            "6,Fay,f@example.com,34,2020-13-01,1",      // 8 bad date
            "7,Gus,this-address-is-far-too-long-for-the-column@example.com,35,2020-01-01,1", // 9 varchar(40)
            "8,\"Hal\"x,h@example.com,36,2020-01-01,1", // 10 text after closing quote
            "9,,,,,",                                   // 11 NULLs where allowed
            "10,Ivy,i@example.com,37,2020-01-01,\"1e3\"") + "\n");
        await using var host = await JobsTestHost.StartAsync(postgres, _root);

        using var call = host.Client.StartImport(new StartImportRequest
        {
            Root = "imports", Path = "mixed.csv", Format = ImportFormat.Csv, Table = "jobs_people", Csv = new ImportCsvOptions { Header = true },
        });
        var events = await JobsTestHost.CollectAsync(call);

        AssertGapless(events);
        var rejected = events.Where(e => e.KindCase == JobEvent.KindOneofCase.Rejected).Select(e => e.Rejected).ToList();
        Assert.Equal([3L, 6, 7, 8, 9, 10], rejected.Select(r => r.LineNumber));
        Assert.Contains("column age", rejected[0].Reason);
        Assert.Contains("'abc' is not an integer", rejected[0].Reason);
        Assert.Contains("fields", rejected[1].Reason);
        Assert.Contains("column id: must not be NULL", rejected[2].Reason);
        Assert.Contains("column joined", rejected[3].Reason);
        Assert.Contains("longer than 40 characters", rejected[4].Reason);
        Assert.Contains("after the closing quote", rejected[5].Reason);
        Assert.Equal([1L, 2, 3, 4, 5, 6], rejected.Select(r => r.RowsRejected));
        var completed = events[^1].Completed;
        Assert.Equal(4, completed.RowsImported);
        Assert.Equal(6, completed.RowsRejected);
        Assert.Equal("Carol, \"C\"\nsecond line", await postgres.ScalarAsync<string>("SELECT name FROM jobs_people WHERE id = 3"));
        Assert.Equal(1000d, await postgres.ScalarAsync<double>("SELECT score FROM jobs_people WHERE id = 10"));
        Assert.Equal(1L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_people WHERE id = 9 AND name IS NULL AND age IS NULL AND joined IS NULL"));
    }

    [Fact]
    public async Task StartImport_RejectsPastLimit_FailsAndExistingRowsUntouched()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_people");
        await postgres.ExecuteAsync("INSERT INTO jobs_people (id, name) VALUES (-1, 'keep'), (-2, 'keep')");
        JobsTestData.WritePeopleCsv(Path.Combine(_root, "bad.csv"), 1000, i => i % 100 == 0 ? $"{i},x,y,not-a-number,2020-01-01,1" : null);
        await using var host = await JobsTestHost.StartAsync(postgres, _root);

        using var call = host.Client.StartImport(new StartImportRequest
        {
            Root = "imports", Path = "bad.csv", Format = ImportFormat.Csv, Table = "jobs_people", Csv = new ImportCsvOptions { Header = true }, MaxRejects = 2,
        });
        var events = await JobsTestHost.CollectAsync(call);

        AssertGapless(events);
        Assert.Equal(3, events.Count(e => e.KindCase == JobEvent.KindOneofCase.Rejected));
        var failed = events[^1].Failed;
        Assert.Equal((int)StatusCode.InvalidArgument, failed.Code);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("max_rejects (2)", failed.Message);
        Assert.Contains("line 301", failed.Message);
        Assert.Equal(2L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_people"));
        Assert.Equal(2L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_people WHERE name = 'keep'"));
    }

    [Fact]
    public async Task StartImport_NdjsonWithMappingAndFilter_ImportsMappedPropertiesAndRejectsBadLines()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_people");
        File.WriteAllText(Path.Combine(_root, "people.ndjson"), string.Join('\n',
            """{"id": 1, "full_name": "Ann", "age": 30, "joined": "2020-01-02", "extra": {"a": 1}}""",
            """{"id": 2, "full_name": "Bob", "age": "31"}""",
            """{"id": 3, "full_name": "skip me", "age": 32}""",
            """{"id": 4, "full_name": "Dan", "age": 4.5}""",
            """not json""",
            """{"id": 6, "full_name": null, "age": null, "joined": null}""",
            """[1, 2]""",
            """{"id": 8, "full_name": {"nested": true}}""") + "\n");
        await using var host = await JobsTestHost.StartAsync(postgres, _root);

        var request = new StartImportRequest { Root = "imports", Path = "people.ndjson", Format = ImportFormat.Ndjson, Table = "jobs_people" };
        request.Columns.Add(new ImportColumnMapping { Column = "id" });
        request.Columns.Add(new ImportColumnMapping { Column = "name", Field = "full_name" });
        request.Columns.Add(new ImportColumnMapping { Column = "age" });
        request.Columns.Add(new ImportColumnMapping { Column = "joined" });
        request.Filters.Add(new LineFilter { NotContains = new LineFilter.Types.Substring { Text = "skip me" } });
        using var call = host.Client.StartImport(request);
        var events = await JobsTestHost.CollectAsync(call);

        AssertGapless(events);
        var rejected = events.Where(e => e.KindCase == JobEvent.KindOneofCase.Rejected).Select(e => e.Rejected).ToList();
        Assert.Equal([4L, 5, 7, 8], rejected.Select(r => r.LineNumber));
        Assert.Contains("column age", rejected[0].Reason);
        Assert.Contains("not valid JSON", rejected[1].Reason);
        Assert.Contains("not a JSON object", rejected[2].Reason);
        Assert.Contains("fits only a json column", rejected[3].Reason);
        Assert.Equal(3, events[^1].Completed.RowsImported);
        Assert.Equal("1:Ann:30,2:Bob:31,6::", await postgres.ScalarAsync<string>(
            "SELECT string_agg(id || ':' || coalesce(name, '') || ':' || coalesce(age::text, ''), ',' ORDER BY id) FROM jobs_people"));
    }

    [Fact]
    public async Task StartImport_EventTimes_WallClockAtEachMomentAndNeverBackwards()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_people");
        JobsTestData.WritePeopleCsv(Path.Combine(_root, "timed.csv"), 300_000);
        await using var host = await JobsTestHost.StartAsync(postgres, _root);

        using var call = host.Client.StartImport(new StartImportRequest
        {
            Root = "imports", Path = "timed.csv", Format = ImportFormat.Csv, Table = "jobs_people", Csv = new ImportCsvOptions { Header = true },
        });
        var events = await JobsTestHost.CollectAsync(call);

        AssertGapless(events);
        Assert.Equal(JobEvent.KindOneofCase.Completed, events[^1].KindCase);
        var progress = events.Where(e => e.KindCase == JobEvent.KindOneofCase.Progress).ToList();
        Assert.True(progress.Count >= 3, $"only {progress.Count} progress events");
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].Time.ToDateTime() >= events[i - 1].Time.ToDateTime(),
                $"event {events[i].Sequence} ({events[i].KindCase}) at {events[i].Time} is earlier than event {events[i - 1].Sequence} at {events[i - 1].Time}");
        }

        // The job's own clock (elapsed counts from the moment it runs) and the stored times agree:
        // each event is stamped no earlier than started_at + its elapsed. A time taken at the start
        // of the import's transaction (as now() is) lands before it.
        var jobId = events[0].JobId;
        var createdAt = await postgres.ScalarAsync<DateTime>($"SELECT created_at FROM streamgrpc_jobs WHERE id = '{jobId}'");
        var startedAt = await postgres.ScalarAsync<DateTime>($"SELECT started_at FROM streamgrpc_jobs WHERE id = '{jobId}'");
        var finishedAt = await postgres.ScalarAsync<DateTime>($"SELECT finished_at FROM streamgrpc_jobs WHERE id = '{jobId}'");
        var slack = TimeSpan.FromMilliseconds(1); // PostgreSQL keeps microseconds
        Assert.Equal(createdAt, events[0].Time.ToDateTime());
        Assert.True(startedAt >= createdAt, $"started_at {startedAt:O} before created_at {createdAt:O}");
        var completed = events[^1];
        foreach (var (jobEvent, elapsed) in progress.Select(e => (e, e.Progress.Elapsed)).Append((completed, completed.Completed.Elapsed)))
        {
            var earliest = startedAt + elapsed.ToTimeSpan() - slack;
            Assert.True(jobEvent.Time.ToDateTime() >= earliest,
                $"event {jobEvent.Sequence} ({jobEvent.KindCase}) at {jobEvent.Time.ToDateTime():O} is earlier than started_at + elapsed = {earliest:O}");
        }

        Assert.Equal(completed.Time.ToDateTime(), finishedAt);
        var info = (await host.Client.ListAsync(new ListJobsRequest { Limit = 1 }).ResponseAsync.Bounded()).Jobs.Single();
        Assert.Equal(jobId, info.JobId);
        Assert.Equal(completed.Time, info.FinishedAt);
        Assert.Equal(startedAt, info.StartedAt.ToDateTime());
    }

    internal static void AssertGapless(IReadOnlyList<JobEvent> events)
    {
        Assert.NotEmpty(events);
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(events[0].Sequence + i, events[i].Sequence);
            Assert.Equal(events[0].JobId, events[i].JobId);
        }
    }
}
