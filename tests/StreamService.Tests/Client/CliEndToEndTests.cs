using System.Diagnostics;
using System.Text.Json;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Client;

/// <summary>The <c>streamgrpc</c> command-line tool as a child process against a running
/// StreamService: outputs, NDJSON that parses line by line, exit codes, signals, and a stdout
/// whose reader goes away.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CliEndToEndTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _applicationName = "client-cli-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _fileRoot = JobsTestData.NewRoot();
    private ClientTestHost _host = null!;

    private string Address => _host.Address.ToString();

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        await ClientTestHost.CreateTablesAsync(postgres);
        File.WriteAllLines(Path.Combine(_fileRoot, "app.log"), Enumerable.Range(1, 300).Select(i => $"{(i % 3 == 0 ? "WARN" : "INFO")} event {i}"));
        JobsTestData.WritePeopleCsv(Path.Combine(_fileRoot, "people.csv"), 1_000);
        _host = await ClientTestHost.StartAsync(ClientTestHost.Settings(postgres, _applicationName, _fileRoot, "client-cli"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        JobsTestData.DeleteRoot(_fileRoot);
    }

    [Fact]
    public async Task Rows_Json_OneObjectPerRowExitZero()
    {
        var result = await CliProcess.RunAsync("rows", "events", "--columns", "id,category", "--limit", "25", "--batch", "10", "--json", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = ParseNdjson(result.Stdout);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), rows.Select(r => r.GetProperty("id").GetInt64()));
        Assert.All(rows, r => Assert.Equal(JsonValueKind.String, r.GetProperty("category").ValueKind));
        Assert.All(rows, r => Assert.Equal(2, r.EnumerateObject().Count()));
    }

    [Fact]
    public async Task Rows_TextWithWhere_HeaderThenTabSeparatedRows()
    {
        var result = await CliProcess.RunAsync("rows", "events", "-c", "id", "-c", "category", "--where", "id <= 3", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("id\tcategory", result.Stdout[0]);
        Assert.Equal(["1", "2", "3"], result.Stdout.Skip(1).Select(l => l.Split('\t')[0]));
    }

    [Fact]
    public async Task Services_Text_EveryServiceTheServerListsOnePerLine()
    {
        var result = await CliProcess.RunAsync("services", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
             "streamgrpc.v1.FileLines", "streamgrpc.v1.JobsService", "streamgrpc.v1.LlmService", "streamgrpc.v1.RowsService",
             "streamgrpc.v1.ServerInfo"],
            result.Stdout);
    }

    [Theory]
    [InlineData("", 0, "(server)\tSERVING")]
    [InlineData("streamgrpc.v1.RowsService", 0, "streamgrpc.v1.RowsService\tSERVING")]
    [InlineData("no.such.Service", 69, null)]
    public async Task Health_Check_StatusAndExitCode(string service, int expectedExit, string? expectedLine)
    {
        var result = await CliProcess.RunAsync("health", service, "--address", Address);

        Assert.True(result.ExitCode == expectedExit, result.ToString());
        if (expectedLine is not null)
        {
            Assert.Equal([expectedLine], result.Stdout);
        }
        else
        {
            Assert.Contains("NotFound", result.Stderr);
        }
    }

    [Fact]
    public async Task Rows_UnknownDataset_ExitsWith64PlusNotFound()
    {
        var result = await CliProcess.RunAsync("rows", "no_such_dataset", "--address", Address);

        Assert.True(result.ExitCode == 69, result.ToString());
        Assert.Contains("NotFound", result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("rows")]
    [InlineData("rows", "events", "--where", "id ~~ 3")]
    [InlineData("rows", "events", "--deadline", "-1")]
    [InlineData("lines", "t")]
    [InlineData("import", "t", "people.csv")]
    [InlineData("jobs", "frobnicate")]
    [InlineData("no-such-command")]
    public async Task Cli_BadUsage_ExitsWithTwo(params string[] args)
    {
        var result = await CliProcess.RunAsync([.. args, "--address", "http://127.0.0.1:9"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Help_ListsEveryCommandExitZero()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = string.Join('\n', result.Stdout);
        foreach (var command in new[] { "rows", "lines", "chat", "import", "jobs", "--address", "--json", "--deadline" })
        {
            Assert.Contains(command, text);
        }
    }

    [Fact]
    public async Task Lines_GrepJson_MatchingLinesWithNumbersAndOffsets()
    {
        var result = await CliProcess.RunAsync("lines", "t", "app.log", "--grep", "WARN", "--max", "5", "--json", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = ParseNdjson(result.Stdout);
        Assert.Equal([3L, 6, 9, 12, 15], lines.Select(l => l.GetProperty("line").GetInt64()));
        Assert.Equal("WARN event 3", lines[0].GetProperty("text").GetString());
        Assert.True(lines[1].GetProperty("offset").GetInt64() > lines[0].GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Lines_PlainText_PrintsTheFile()
    {
        var result = await CliProcess.RunAsync("lines", "t", "app.log", "--from-line", "299", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["INFO event 299", "WARN event 300"], result.Stdout);
    }

    [Fact]
    public async Task Lines_MissingFile_ExitsWith64PlusNotFound()
    {
        var result = await CliProcess.RunAsync("lines", "t", "missing.log", "--address", Address);

        Assert.True(result.ExitCode == 69, result.ToString());
    }

    [Fact]
    public async Task Lines_FollowInterruptedWithSigint_Exits130AndServiceSeesTheCancel()
    {
        using var cli = CliProcess.Start("lines", "t", "app.log", "--follow", "--json", "--address", Address);
        await cli.FirstLine.Bounded();

        await cli.InterruptAsync();
        var result = await cli.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.All(result.Stdout, line => JsonDocument.Parse(line).Dispose()); // no torn last line
        await WaitUntilAsync(() => _host.Logs.Entries.Any(e => e.Message.Contains("was cancelled by the client", StringComparison.Ordinal)),
            "the service never logged the line stream's cancellation");
    }

    [Fact]
    public async Task Lines_FollowTerminatedWithSigterm_Exits143WithinASecondAndServiceSeesTheCancel()
    {
        using var cli = CliProcess.Start("lines", "t", "app.log", "--follow", "--json", "--address", Address);
        await cli.FirstLine.Bounded();

        var sent = Stopwatch.GetTimestamp();
        await cli.SignalAsync("TERM");
        var result = await cli.WaitAsync(TimeSpan.FromSeconds(30));

        // Measured at about 60 ms (the issue asks for 0.5 s); the bound leaves room for a loaded
        // machine but not for the old fixed 2 s termination timeout.
        var took = Stopwatch.GetElapsedTime(sent, result.ExitedAt);
        Assert.True(result.ExitCode == 143, result.ToString());
        Assert.True(took < TimeSpan.FromSeconds(1), $"exited {took.TotalMilliseconds:F0} ms after SIGTERM\n{result}");
        Assert.All(result.Stdout, line => JsonDocument.Parse(line).Dispose());
        await WaitUntilAsync(() => _host.Logs.Entries.Any(e => e.Message.Contains("was cancelled by the client", StringComparison.Ordinal)),
            "the service never logged the line stream's cancellation");
    }

    [Fact]
    public async Task Rows_StdoutAFileTheShellAlsoWrites_OutputLandsInOrder()
    {
        // `{ echo before; streamgrpc ...; echo after; } > file`: one file description, one offset.
        var file = Path.Combine(_fileRoot, "out.txt");
        var script = $"echo before; \"$0\" \"$1\" rows events -c id --limit 3 --address \"$2\"; echo after";
        var shell = new ProcessStartInfo("bash") { ArgumentList = { "-c", $"{{ {script}; }} > '{file}'", "dotnet", CliProcess.CliPath, Address } };
        using (var run = Process.Start(shell)!)
        {
            await run.WaitForExitAsync().Bounded();
            Assert.Equal(0, run.ExitCode);
        }

        Assert.Equal(["before", "id", "1", "2", "3", "after"], File.ReadAllLines(file));
    }

    public static TheoryData<string> StreamingCommands => ["rows", "lines", "lines --follow", "chat"];

    [Theory]
    [MemberData(nameof(StreamingCommands))]
    public async Task Streaming_StdoutReaderGoneEarly_Exits141QuietlyAndTheServiceSeesTheCancel(string command)
    {
        var (args, lines, cancelled) = command switch
        {
            "rows" => (new[] { "rows", "events" }, 3, "cancelled by the caller after"),
            "lines" => (["lines", "t", WriteBigLog()], 1, "was cancelled by the client"),
            "lines --follow" => (["lines", "t", "app.log", "--follow"], 1, "was cancelled by the client"),
            _ => (["chat", "tell me a long story", "--model", "builtin-lorem", "--max-tokens", "1000", "--json"], 1, "was cancelled by the caller"),
        };
        using var cli = CliProcess.StartReadingOnly(lines, [.. args, "--address", Address]);

        var closed = await cli.StdoutClosedByTest.Bounded();
        var result = await cli.WaitAsync(TimeSpan.FromSeconds(30));

        // 128 + SIGPIPE, as any writer in a pipeline whose reader left; nothing on stderr.
        Assert.True(result.ExitCode == 141, result.ToString());
        Assert.Equal("", result.Stderr);
        var took = Stopwatch.GetElapsedTime(closed, result.ExitedAt);
        Assert.True(took < TimeSpan.FromSeconds(2), $"exited {took.TotalMilliseconds:F0} ms after its stdout reader left");
        await WaitUntilAsync(() => _host.Logs.Entries.Any(e => e.Message.Contains(cancelled, StringComparison.Ordinal)),
            $"the service never logged the cancellation ('{cancelled}')");
        if (command == "rows")
        {
            await WaitUntilAsync(async () => await postgres.ScalarAsync<long>(
                    $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{_applicationName}' AND state = 'active'") == 0,
                "the row query stayed in pg_stat_activity");
        }
    }

    [Fact]
    public async Task ImportAndJobsWatch_StdoutReaderGone_Exit141AndTheJobRunsOn()
    {
        JobsTestData.WritePeopleCsv(Path.Combine(_fileRoot, "people-blocked.csv"), 20_000);
        string jobId;
        await using (await JobsTestData.HoldBlockLockAsync(postgres).Bounded())
        {
            // The job waits at row 5000 while the test holds the lock: both commands would watch forever.
            using (var import = CliProcess.StartReadingOnly(1, "import", "t", "people-blocked.csv", "--table", ClientTestHost.BlockedTable, "--address", Address))
            {
                await import.StdoutClosedByTest.Bounded();
                var result = await import.WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(result.ExitCode == 141, result.ToString());
                Assert.Equal("", result.Stderr);
                jobId = result.Stdout[0].Split(' ')[1];
            }

            using (var watch = CliProcess.StartReadingOnly(1, "jobs", "watch", jobId, "--address", Address))
            {
                await watch.StdoutClosedByTest.Bounded();
                var result = await watch.WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(result.ExitCode == 141, result.ToString());
                Assert.Equal("", result.Stderr);
            }
        }

        // Only the watching stopped: the job carries on once the lock is released.
        var final = await CliProcess.RunAsync("jobs", "watch", jobId, "--json", "--address", Address);
        Assert.True(final.ExitCode == 0, final.ToString());
        Assert.Equal("20000", ParseNdjson(final.Stdout)[^1].GetProperty("completed").GetProperty("rowsImported").ToString());
    }

    [Fact]
    public async Task Error_StderrNotATerminal_OneLineNotWrapped()
    {
        var dataset = "no_such_dataset_" + new string('x', 90);
        var result = await CliProcess.RunAsync("rows", dataset, "--address", Address);

        Assert.True(result.ExitCode == 69, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n'));
        Assert.StartsWith("error: NotFound: ", line);
        Assert.Contains(dataset, line);
        Assert.True(line.Length > 120, line);
    }

    [Theory]
    [InlineData("--where", "nosuchcol = 1")]
    [InlineData("--where", "nosuchcol is null")]
    [InlineData("--columns", "nosuchcol")]
    public async Task Rows_UnknownColumnInAnyOption_ExitsWith64PlusInvalidArgumentNamingIt(string option, string value)
    {
        var result = await CliProcess.RunAsync("rows", "events", option, value, "--address", Address);

        Assert.True(result.ExitCode == 67, result.ToString());
        Assert.Contains("InvalidArgument", result.Stderr);
        Assert.Contains("'nosuchcol'", result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("id = 1; DROP TABLE events", "column 'id' is ", "expected an integer", "not '1; DROP TABLE events'")]
    [InlineData("active = maybe", "column 'active' is boolean", "expected true or false", "not 'maybe'")]
    [InlineData("day < tomorrow", "column 'day' is date", "expected a date", "not 'tomorrow'")]
    [InlineData("id in 1,two,3", "column 'id' is ", "expected an integer", "not 'two'")]
    public async Task Rows_WhereLiteralOfTheWrongType_NamesColumnTypeAndExpectation(string where, string column, string expected, string actual)
    {
        var result = await CliProcess.RunAsync("rows", "events", "--where", where, "--address", Address);

        Assert.True(result.ExitCode == 67, result.ToString());
        Assert.StartsWith("error: InvalidArgument: --where '" + where + "': ", result.Stderr);
        Assert.Contains(column, result.Stderr);
        Assert.Contains(expected, result.Stderr);
        Assert.Contains(actual, result.Stderr);
        Assert.DoesNotContain("was not in a correct format", result.Stderr);
    }

    [Fact]
    public async Task Chat_OneTokenReply_ReportsNoRateAndSaysWhy()
    {
        var text = await CliProcess.RunAsync("chat", "hello", "--address", Address);
        var json = await CliProcess.RunAsync("chat", "hello", "--json", "--address", Address);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("completion", text.Stderr);
        Assert.DoesNotContain(" tokens/s;", text.Stderr);
        Assert.Contains("no tokens/s rate: one token, and a rate needs two to measure between", text.Stderr);
        Assert.True(json.ExitCode == 0, json.ToString());
        var summary = ParseNdjson(json.Stdout)[^1];
        Assert.Equal(1, summary.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("tokens_per_second").ValueKind);
    }

    [Fact]
    public async Task Chat_Json_DeltasThenSummary()
    {
        var result = await CliProcess.RunAsync("chat", "hello streaming world", "--json", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var chunks = ParseNdjson(result.Stdout);
        Assert.True(chunks.Count >= 2, result.ToString());
        Assert.All(chunks[..^1], c => Assert.True(c.TryGetProperty("text", out _)));
        Assert.Contains("hello", string.Concat(chunks[..^1].Select(c => c.GetProperty("text").GetString())));
        Assert.True(chunks[^1].GetProperty("completion_tokens").GetInt64() > 0);
        Assert.False(string.IsNullOrEmpty(chunks[^1].GetProperty("finish_reason").GetString()));
    }

    [Fact]
    public async Task Chat_Text_TokensOnStdoutUsageOnStderr()
    {
        var result = await CliProcess.RunAsync("chat", "hello there", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("hello", string.Join('\n', result.Stdout));
        Assert.Contains("tokens", result.Stderr);
    }

    [Fact]
    public async Task ImportThenJobs_Json_EventsParseAndJobIsListedWatchedAndFinal()
    {
        var import = await CliProcess.RunAsync("import", "t", "people.csv", "--table", ClientTestHost.PeopleTable, "--json", "--address", Address);

        Assert.True(import.ExitCode == 0, import.ToString());
        var events = ParseNdjson(import.Stdout);
        var jobId = events[0].GetProperty("jobId").GetString()!;
        Assert.True(events[0].TryGetProperty("started", out _), import.ToString());
        Assert.Equal("1000", events[^1].GetProperty("completed").GetProperty("rowsImported").ToString());
        Assert.Equal(1_000L, await postgres.ScalarAsync<long>($"SELECT count(*) FROM {ClientTestHost.PeopleTable}"));

        var list = await CliProcess.RunAsync("jobs", "list", "--json", "--address", Address);
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = ParseNdjson(list.Stdout).Single(j => j.GetProperty("jobId").GetString() == jobId);
        Assert.Equal("JOB_STATE_COMPLETED", listed.GetProperty("state").GetString());

        var watch = await CliProcess.RunAsync("jobs", "watch", jobId, "--after", "1", "--json", "--address", Address);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        var replayed = ParseNdjson(watch.Stdout);
        Assert.Equal(events.Skip(1).Select(e => e.GetProperty("sequence").ToString()), replayed.Select(e => e.GetProperty("sequence").ToString()));

        var cancel = await CliProcess.RunAsync("jobs", "cancel", jobId, "--address", Address);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.StartsWith(jobId + "\tcompleted\t", Assert.Single(cancel.Stdout));
    }

    [Fact]
    public async Task Import_Text_ProgressLinesAndSummary()
    {
        var import = await CliProcess.RunAsync("import", "t", "people.csv", "--table", ClientTestHost.PeopleTable, "--address", Address);

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.StartsWith("job ", import.Stdout[0]);
        Assert.Contains(import.Stdout, l => l.Contains("100.0%", StringComparison.Ordinal));
        Assert.DoesNotContain(import.Stdout, string.IsNullOrWhiteSpace);
        Assert.Contains("completed", import.Stderr);
    }

    [Fact]
    public async Task Import_UnknownTable_ExitsWith64PlusNotFound()
    {
        var import = await CliProcess.RunAsync("import", "t", "people.csv", "--table", "no_such_target", "--address", Address);

        Assert.True(import.ExitCode == 69, import.ToString());
    }

    [Fact]
    public async Task JobsWatch_UnknownJob_ExitsWithNotFoundOrInvalidArgument()
    {
        var watch = await CliProcess.RunAsync("jobs", "watch", Guid.NewGuid().ToString(), "--address", Address);

        Assert.True(watch.ExitCode == 69, watch.ToString());
    }

    /// <summary>A log long enough that the line stream is still running when stdout's reader leaves.</summary>
    private string WriteBigLog()
    {
        File.WriteAllLines(Path.Combine(_fileRoot, "big.log"), Enumerable.Range(1, 200_000).Select(i => $"INFO line {i} of a long log"));
        return "big.log";
    }

    private static List<JsonElement> ParseNdjson(IReadOnlyList<string> lines)
    {
        Assert.NotEmpty(lines);
        return [.. lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }
}
