using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Jobs;

/// <summary>Requests that cannot become a job are refused with a status before anything runs.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobsBadInputTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = JobsTestData.NewRoot();
    private JobsTestHost? _host;

    private JobsTestHost Host => _host!;

    public async Task InitializeAsync()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_people");
        File.WriteAllText(Path.Combine(_root, "ok.csv"), "id,name\n1,Ann\n");
        File.WriteAllText(Path.Combine(_root, "empty.csv"), "");
        _host = await JobsTestHost.StartAsync(postgres, _root);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        JobsTestData.DeleteRoot(_root);
    }

    public static TheoryData<string, StatusCode, string> BadRequests => new()
    {
        { "unknown-table", StatusCode.NotFound, "Import target 'nope' does not exist" },
        { "table-missing-in-db", StatusCode.FailedPrecondition, "misconfigured" },
        { "unknown-column", StatusCode.InvalidArgument, "Column 'nope' does not exist" },
        { "header-field-not-a-column", StatusCode.InvalidArgument, "not a column" },
        { "missing-file", StatusCode.NotFound, "was not found" },
        { "unknown-root", StatusCode.NotFound, "Unknown root" },
        { "path-escapes", StatusCode.InvalidArgument, "'..'" },
        { "no-format", StatusCode.InvalidArgument, "format" },
        { "bad-delimiter", StatusCode.InvalidArgument, "csv.delimiter" },
        { "bad-filter", StatusCode.InvalidArgument, "regex" },
        { "index-for-ndjson", StatusCode.InvalidArgument, "not index" },
        { "field-without-header", StatusCode.InvalidArgument, "no header" },
        { "not-null-unmapped", StatusCode.InvalidArgument, "NOT NULL" },
        { "empty-with-header", StatusCode.InvalidArgument, "empty" },
        { "negative-max-rejects", StatusCode.InvalidArgument, "max_rejects" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task StartImport_BadRequest_RefusedWithStatus(string scenario, StatusCode code, string message)
    {
        var request = new StartImportRequest { Root = "imports", Path = "ok.csv", Format = ImportFormat.Csv, Table = "jobs_people", Csv = new ImportCsvOptions { Header = true } };
        switch (scenario)
        {
            case "unknown-table": request.Table = "nope"; break;
            case "table-missing-in-db": request.Table = "missing"; break;
            case "unknown-column": request.Columns.Add(new ImportColumnMapping { Column = "nope", Field = "id" }); break;
            case "header-field-not-a-column": File.WriteAllText(Path.Combine(_root, "odd.csv"), "id,shoe_size\n1,2\n"); request.Path = "odd.csv"; break;
            case "missing-file": request.Path = "nope.csv"; break;
            case "unknown-root": request.Root = "nope"; break;
            case "path-escapes": request.Path = "../ok.csv"; break;
            case "no-format": request.Format = ImportFormat.Unspecified; break;
            case "bad-delimiter": request.Csv.Delimiter = ";;"; break;
            case "bad-filter": request.Filters.Add(new LineFilter { Regex = new LineFilter.Types.Regex { Pattern = "(" } }); break;
            case "index-for-ndjson": request.Format = ImportFormat.Ndjson; request.Columns.Add(new ImportColumnMapping { Column = "id", Index = 1 }); break;
            case "field-without-header": request.Csv.Header = false; request.Columns.Add(new ImportColumnMapping { Column = "id", Field = "id" }); break;
            case "not-null-unmapped": request.Columns.Add(new ImportColumnMapping { Column = "name", Field = "name" }); break;
            case "empty-with-header": request.Path = "empty.csv"; break;
            case "negative-max-rejects": request.MaxRejects = -1; break;
        }

        using var call = Host.Client.StartImport(request);
        var error = await Assert.ThrowsAsync<RpcException>(() => JobsTestHost.CollectAsync(call));

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
        Assert.DoesNotContain(_root, error.Status.Detail);
    }

    [Fact]
    public async Task Watch_UnknownJob_NotFound()
    {
        using var call = Host.Client.Watch(new WatchJobRequest { JobId = Guid.NewGuid().ToString() });
        var error = await Assert.ThrowsAsync<RpcException>(() => JobsTestHost.CollectAsync(call));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watch_MalformedJobId_InvalidArgument()
    {
        using var call = Host.Client.Watch(new WatchJobRequest { JobId = "42" });
        var error = await Assert.ThrowsAsync<RpcException>(() => JobsTestHost.CollectAsync(call));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Cancel_UnknownJob_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Host.Client.CancelAsync(new CancelJobRequest { JobId = Guid.NewGuid().ToString() }).ResponseAsync.Bounded());
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watch_FinishedJob_ReplaysHistoryAndEnds()
    {
        using var start = Host.Client.StartImport(new StartImportRequest { Root = "imports", Path = "ok.csv", Format = ImportFormat.Csv, Table = "jobs_people", Csv = new ImportCsvOptions { Header = true } });
        var events = await JobsTestHost.CollectAsync(start);
        Assert.Equal(JobEvent.KindOneofCase.Completed, events[^1].KindCase);

        using var all = Host.Client.Watch(new WatchJobRequest { JobId = events[0].JobId });
        Assert.Equal(events.Select(e => e.ToString()), (await JobsTestHost.CollectAsync(all)).Select(e => e.ToString()));
        using var none = Host.Client.Watch(new WatchJobRequest { JobId = events[0].JobId, AfterSequence = events[^1].Sequence });
        Assert.Empty(await JobsTestHost.CollectAsync(none));
        var cancelled = await Host.Client.CancelAsync(new CancelJobRequest { JobId = events[0].JobId }).ResponseAsync.Bounded();
        Assert.Equal(JobState.Completed, cancelled.State);
        Assert.False(cancelled.CancelRequested);
    }
}
