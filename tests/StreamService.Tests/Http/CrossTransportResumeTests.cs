using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Core;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Http;

/// <summary>One resume point for every transport: a row stream's resume token, a line stream's next
/// position and a job watch's sequence are the same values over gRPC and HTTP/JSON, and each
/// transport continues from the other's: nothing lost, nothing repeated.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossTransportResumeTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const int Rows = 1000;
    private const int FileLines = 200;

    private readonly string _root = JobsTestData.NewRoot();
    private HttpJsonHost _host = null!;
    private StreamGrpcClient _client = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_people");
        JobsTestData.WritePeopleCsv(Path.Combine(_root, "people.csv"), 2000);
        await File.WriteAllLinesAsync(Path.Combine(_root, "lines.txt"), Enumerable.Range(1, FileLines).Select(i => $"line {i}"));

        var settings = RowsHarness.Configuration(postgres.ConnectionStringFor("resume-http"), new Dictionary<string, string?>
        {
            ["StreamGrpc:Files:Roots:imports"] = _root,
            // Small line batches, so a stream has several resume points.
            ["StreamGrpc:Files:MaxBatchLines"] = "16",
            ["StreamGrpc:Jobs:CreateDemoTable"] = "false",
            ["StreamGrpc:Jobs:ProgressInterval"] = "00:00:00.020",
            ["StreamGrpc:Jobs:Tables:jobs_people:Table"] = "jobs_people",
        });
        _host = await HttpJsonHost.StartAsync(settings);
        _client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = _host.H2cAddress });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        JobsTestData.DeleteRoot(_root);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task Rows_CutOverHttpJson_TypedGrpcClientContinuesFromTheLastToken(string version)
    {
        var seen = new List<long>();
        string token;
        await using (var lines = await JsonLines.GetAsync(_host.Client(version), $"/v1/datasets/events/rows?columns=id&columns=category&limit={Rows}&batch_size=100"))
        {
            Assert.NotNull((await lines.NextAsync())!["schema"]);
            JsonObject batch = null!;
            for (var i = 0; i < 3; i++)
            {
                batch = (await lines.NextAsync())!["batch"]!.AsObject();
                seen.AddRange(batch["rows"]!.AsArray().Select(r => long.Parse(r!["values"]![0]!["intValue"]!.GetValue<string>(), CultureInfo.InvariantCulture)));
            }

            token = batch["resumeToken"]!.GetValue<string>();
        }

        // The HTTP client is gone (connection closed / stream reset); the typed client resumes.
        await foreach (var row in _client.StreamRowsAsync(new RowsQuery("events") { Columns = ["id", "category"], Limit = Rows, BatchSize = 100, ResumeToken = token }).WithCancellation(TestTimeout.Token()))
        {
            seen.Add(row.GetInt64(0));
        }

        Assert.Equal(Enumerable.Range(1, Rows).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Rows_CutOverGrpc_HttpJsonContinuesFromTheLastToken()
    {
        var seen = new List<long>();
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id", "category" }, Limit = Rows, BatchSize = 100 };
        string token = "";
        using (var cut = CancellationTokenSource.CreateLinkedTokenSource(TestTimeout.Token()))
        using (var call = new RowsService.RowsServiceClient(_host.Channel).StreamRows(request, cancellationToken: cut.Token))
        {
            var batches = 0;
            await foreach (var message in call.ResponseStream.ReadAllAsync(cut.Token))
            {
                if (message.KindCase != StreamRowsResponse.KindOneofCase.Batch)
                {
                    continue;
                }

                seen.AddRange(message.Batch.Rows.Select(r => r.Values[0].IntValue));
                token = message.Batch.ResumeToken;
                if (++batches == 4)
                {
                    break;
                }
            }

            cut.Cancel();
        }

        await using var lines = await JsonLines.GetAsync(_host.Http1, $"/v1/datasets/events/rows?columns=id&columns=category&limit={Rows}&batch_size=100&resume_token={Uri.EscapeDataString(token)}");
        Assert.NotNull((await lines.NextAsync())!["schema"]);
        while (await lines.NextAsync() is { } message)
        {
            seen.AddRange(message["batch"]!["rows"]!.AsArray().Select(r => long.Parse(r!["values"]![0]!["intValue"]!.GetValue<string>(), CultureInfo.InvariantCulture)));
        }

        Assert.Equal(Enumerable.Range(1, Rows).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Lines_CutOverHttpJson_TypedGrpcClientContinuesFromNext()
    {
        var seen = new List<long>();
        FilePosition next;
        await using (var lines = await JsonLines.GetAsync(_host.Http1, "/v1/roots/imports/lines?path=lines.txt"))
        {
            JsonObject batch = null!;
            for (var i = 0; i < 2; i++)
            {
                batch = (await lines.NextAsync())!;
                seen.AddRange(batch["lines"]!.AsArray().Select(l => long.Parse(l!["lineNumber"]!.GetValue<string>(), CultureInfo.InvariantCulture)));
            }

            next = new FilePosition
            {
                Offset = long.Parse(batch["next"]!["offset"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                LineNumber = long.Parse(batch["next"]!["lineNumber"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            };
        }

        Assert.Equal(32, seen.Count);
        await foreach (var line in _client.StreamLinesAsync(new LinesQuery("imports", "lines.txt") { From = next }).WithCancellation(TestTimeout.Token()))
        {
            Assert.Equal($"line {line.LineNumber}", line.Text);
            seen.Add(line.LineNumber);
        }

        Assert.Equal(Enumerable.Range(1, FileLines).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Lines_CutOverGrpc_HttpJsonContinuesFromNext()
    {
        var seen = new List<long>();
        FilePosition next = null!;
        using (var cut = CancellationTokenSource.CreateLinkedTokenSource(TestTimeout.Token()))
        using (var call = new StreamGrpc.V1.FileLines.FileLinesClient(_host.Channel).StreamLines(new StreamLinesRequest { Root = "imports", Path = "lines.txt" }, cancellationToken: cut.Token))
        {
            await call.ResponseStream.MoveNext(cut.Token);
            seen.AddRange(call.ResponseStream.Current.Lines.Select(l => l.LineNumber));
            next = call.ResponseStream.Current.Next;
            cut.Cancel();
        }

        await using var lines = await JsonLines.GetAsync(_host.Http1, $"/v1/roots/imports/lines?path=lines.txt&start_position.offset={next.Offset}&start_position.line_number={next.LineNumber}");
        while (await lines.NextAsync() is { } batch)
        {
            seen.AddRange(batch["lines"]!.AsArray().Select(l => long.Parse(l!["lineNumber"]!.GetValue<string>(), CultureInfo.InvariantCulture)));
        }

        Assert.Equal(Enumerable.Range(1, FileLines).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task JobWatch_CutOverHttpJson_TypedGrpcClientContinuesAfterTheLastSequence()
    {
        var jobId = "";
        var seen = new List<long>();
        const string body = """{"root":"imports","path":"people.csv","format":"IMPORT_FORMAT_CSV","table":"jobs_people","csv":{"header":true}}""";
        await using (var lines = await JsonLines.PostAsync(_host.Http1, "/v1/jobs:import", body))
        {
            for (var i = 0; i < 2; i++)
            {
                var jobEvent = (await lines.NextAsync())!;
                jobId = jobEvent["jobId"]!.GetValue<string>();
                seen.Add(long.Parse(jobEvent["sequence"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            }
        }

        // Cutting the HTTP stream does not stop the job; the gRPC watch continues after sequence 2.
        JobEvent last = null!;
        await foreach (var jobEvent in _client.WatchJobAsync(jobId, afterSequence: seen[^1]).WithCancellation(TestTimeout.Token()))
        {
            seen.Add(jobEvent.Sequence);
            last = jobEvent;
        }

        Assert.Equal(JobEvent.KindOneofCase.Completed, last.KindCase);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task JobWatch_CutOverGrpc_HttpJsonContinuesAfterTheLastSequence()
    {
        var jobs = new JobsService.JobsServiceClient(_host.Channel);
        var seen = new List<long>();
        string jobId;
        using (var cut = CancellationTokenSource.CreateLinkedTokenSource(TestTimeout.Token()))
        using (var call = jobs.StartImport(new StartImportRequest { Root = "imports", Path = "people.csv", Format = ImportFormat.Csv, Table = "jobs_people", Csv = new ImportCsvOptions { Header = true } }, cancellationToken: cut.Token))
        {
            await call.ResponseStream.MoveNext(cut.Token);
            jobId = call.ResponseStream.Current.JobId;
            seen.Add(call.ResponseStream.Current.Sequence);
            cut.Cancel();
        }

        await using var lines = await JsonLines.GetAsync(_host.Http1, $"/v1/jobs/{jobId}/events?after_sequence={seen[^1]}");
        JsonObject last = null!;
        while (await lines.NextAsync() is { } jobEvent)
        {
            Assert.Equal(jobId, jobEvent["jobId"]!.GetValue<string>());
            seen.Add(long.Parse(jobEvent["sequence"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            last = jobEvent;
        }

        Assert.NotNull(last["completed"]);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen);
    }
}
