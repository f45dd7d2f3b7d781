using StreamGrpc.Bench;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using StreamGrpc.V1;

namespace JobsBench;

/// <summary>
/// One CSV of people rows imported (a) by a StreamService import job (StartImport, events read until
/// <c>completed</c>) and (b) by <c>psql \copy ... FROM</c> the same file, each into its own table of
/// the same shape, truncated before every run. Modes alternate; the table shows the best run of each.
/// Then the cancel latency: an import cancelled once it reports <see cref="CancelAtPercent"/>%, timed
/// from the Cancel call to its answer and to the job's terminal (<c>failed</c>, CANCELLED) event.
/// </summary>
internal static class JobsBenchmark
{
    private const string JobTable = "bench_import_job";
    private const string PsqlTable = "bench_import_psql";
    private const string Columns = "id, name, email, age, joined, score";
    private const double CancelAtPercent = 20;
    private const string Usage = """
        usage: JobsBench [--rows N] [--runs N] [--cancel-runs N] [--json FILE]
          --rows N         rows in the generated CSV (default 1000000)
          --runs N         import runs per mode, job and psql \copy; the best counts (default 3)
          --cancel-runs N  imports cancelled at 20% to time the cancel (default 3; 0 skips)
          --json FILE      also write the figures as JSON
        Needs the Release build of src/StreamService; starts its own PostgreSQL under .data/bench-pg.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = 1_000_000L;
        var runs = 3;
        var cancelRuns = 3;
        string? json = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--rows" or "--runs" or "--cancel-runs" && (i + 1 >= args.Length || !long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                Console.Error.WriteLine($"error: {args[i]} needs a number");
                Console.Error.WriteLine(Usage);
                return 2;
            }

            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cancel-runs": cancelRuns = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json" when i + 1 < args.Length: json = args[++i]; break;
                case "--help" or "-h" or "-?":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"error: unknown argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        var root = FindRepositoryRoot();
        var connectionString = (await Shell.RunAsync("bash", Path.Combine(root, "scripts", "pg.sh"), "start", Path.Combine(root, ".data", "bench-pg")))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        var psql = PsqlArgs(connectionString);

        var folder = Path.Combine(root, "bench", "out", "jobs");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "people.csv");
        var bytes = WriteCsv(file, rows);

        // No autovacuum on either table: an ANALYZE started by the last run's million rows would
        // otherwise land in the next run's PostgreSQL CPU figure.
        foreach (var target in new[] { JobTable, PsqlTable })
        {
            await Shell.RunAsync("psql", [.. psql, "-c", $"DROP TABLE IF EXISTS {target}; CREATE TABLE {target} (id bigint NOT NULL, name text, email varchar(40), age integer, joined date, score double precision) WITH (autovacuum_enabled = false)"]);
        }

        await using var service = await StreamServiceProcess.StartAsync(
            root,
            connectionString,
            new Dictionary<string, string>
            {
                ["StreamGrpc__Files__Roots__bench"] = folder,
                ["StreamGrpc__Jobs__CreateDemoTable"] = "false",
                [$"StreamGrpc__Jobs__Tables__{JobTable}__Table"] = JobTable,
            },
            async channel => await new JobsService.JobsServiceClient(channel).ListAsync(new ListJobsRequest { Limit = 1 }, deadline: DateTime.UtcNow.AddSeconds(5)));
        var client = new JobsService.JobsServiceClient(service.Channel);

        var ticksPerSecond = double.Parse((await Shell.RunAsync("getconf", "CLK_TCK")).Trim(), CultureInfo.InvariantCulture);
        var meter = CpuMeter.ForCluster(Path.Combine(root, ".data", "bench-pg", "pgdata"), ticksPerSecond);
        Console.WriteLine($"service pid {service.ProcessId}; load average {CpuMeter.LoadAverage():F2} before the runs");
        var jobRuns = new List<RunFigures>();
        var psqlRuns = new List<RunFigures>();
        for (var run = 0; run < runs; run++)
        {
            var children = meter.Children();
            await Shell.RunAsync("psql", [.. psql, "-c", $"TRUNCATE {JobTable}; TRUNCATE {PsqlTable}; CHECKPOINT"]);
            await meter.WaitForChildrenAsync(children, TimeSpan.FromSeconds(5));

            var before = Sample(service, meter);
            var watch = Stopwatch.StartNew();
            await Shell.RunAsync("psql", [.. psql, "-c", $"\\copy {PsqlTable} ({Columns}) FROM '{file}' WITH (FORMAT csv, HEADER true)"]);
            var seconds = watch.Elapsed.TotalSeconds;
            if (!await meter.WaitForChildrenAsync(children, TimeSpan.FromSeconds(5)))
            {
                Console.Error.WriteLine("warning: psql's backend was not reaped within 5 s; this run's PostgreSQL CPU may miss it");
            }

            psqlRuns.Add(Sample(service, meter).Since(before, seconds));

            before = Sample(service, meter);
            watch.Restart();
            using var call = client.StartImport(new StartImportRequest
            {
                Root = "bench", Path = "people.csv", Table = JobTable, Format = ImportFormat.Csv, Csv = new ImportCsvOptions { Header = true },
            });
            JobEvent? last = null;
            await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
            {
                last = jobEvent;
            }

            jobRuns.Add(Sample(service, meter).Since(before, watch.Elapsed.TotalSeconds));
            if (last?.KindCase != JobEvent.KindOneofCase.Completed || last.Completed.RowsImported != rows)
            {
                Console.Error.WriteLine($"the job did not import every row: {last}");
                return 1;
            }
        }

        var jobTimes = jobRuns.Select(r => r.Seconds).ToList();
        var psqlTimes = psqlRuns.Select(r => r.Seconds).ToList();

        var cancels = new List<CancelTiming>();
        for (var run = 0; run < cancelRuns; run++)
        {
            await Shell.RunAsync("psql", [.. psql, "-c", $"TRUNCATE {JobTable}"]);
            if (await MeasureCancelAsync(client) is not { } timing)
            {
                return 1;
            }

            cancels.Add(timing);
        }

        var job = rows / jobTimes.Min();
        var copy = rows / psqlTimes.Min();
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"JobsBench: {rows:N0} rows, {bytes / (1024.0 * 1024):F1} MiB CSV, best of {runs} run(s), {Environment.ProcessorCount} cores");
        table.AppendLine();
        table.AppendLine("| mode                                   |     rows/s |   MiB/s | seconds |");
        table.AppendLine("| -------------------------------------- | ---------: | ------: | ------: |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| StreamService job (StartImport stream) | {job,10:N0} | {bytes / (1024.0 * 1024) / jobTimes.Min(),7:F1} | {jobTimes.Min(),7:F2} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| psql \\copy FROM (same file)            | {copy,10:N0} | {bytes / (1024.0 * 1024) / psqlTimes.Min(),7:F1} | {psqlTimes.Min(),7:F2} |");
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"job / psql: {job / copy:P0} (issue 16: >= 90%)");
        table.AppendLine();
        table.AppendLine("Every run, CPU seconds per 1M rows (service process; PostgreSQL cluster: postmaster, backends and");
        table.AppendLine("reaped children; psql, the client program) and the 1-minute load average at the run's end:");
        table.AppendLine();
        table.AppendLine("| run | mode |  seconds |  rows/s | service CPU | postgres CPU | psql CPU | load |");
        table.AppendLine("| --: | ---- | -------: | ------: | ----------: | -----------: | -------: | ---: |");
        for (var i = 0; i < runs; i++)
        {
            foreach (var (mode, figures) in new[] { ("psql", psqlRuns[i]), ("job", jobRuns[i]) })
            {
                var perMillion = 1e6 / rows;
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {i + 1,3} | {mode,-4} | {figures.Seconds,8:F2} | {rows / figures.Seconds,7:N0} | {figures.ServiceCpu * perMillion,11:F2} | {figures.ClusterCpu * perMillion,12:F2} | {figures.ChildrenCpu * perMillion,8:F2} | {figures.Load,4:F1} |");
            }
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        // The first job run also JITs the import path: medians over the runs after it when there are any.
        var steadyJob = jobRuns.Count > 1 ? jobRuns.Skip(1).ToList() : jobRuns;
        var scale = 1e6 / rows;
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture,
            $"median CPU s per 1M rows, job (runs 2..): service {Median(steadyJob.Select(r => r.ServiceCpu)) * scale:F2}, postgres {Median(steadyJob.Select(r => r.ClusterCpu)) * scale:F2}, total {Median(steadyJob.Select(r => r.ServiceCpu + r.ClusterCpu + r.ChildrenCpu)) * scale:F2}");
        table.AppendLine(CultureInfo.InvariantCulture,
            $"median CPU s per 1M rows, psql \\copy:     postgres {Median(psqlRuns.Select(r => r.ClusterCpu)) * scale:F2}, psql {Median(psqlRuns.Select(r => r.ChildrenCpu)) * scale:F2}, total {Median(psqlRuns.Select(r => r.ServiceCpu + r.ClusterCpu + r.ChildrenCpu)) * scale:F2}");
        if (cancels.Count > 0)
        {
            table.AppendLine();
            table.AppendLine(CultureInfo.InvariantCulture, $"cancel at {CancelAtPercent}% ({cancels.Count} run(s)): Cancel RPC to ...");
            table.AppendLine();
            table.AppendLine("| run | Cancel answered (ms) | terminal event (ms) | last progress before it |");
            table.AppendLine("| --: | -------------------: | ------------------: | ----------------------: |");
            for (var i = 0; i < cancels.Count; i++)
            {
                table.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1,3} | {cancels[i].AnsweredMs,20:F1} | {cancels[i].TerminalMs,19:F1} | {cancels[i].LastPercent,22:F1}% |");
            }

            table.AppendLine();
            table.AppendLine(CultureInfo.InvariantCulture, $"worst terminal event: {cancels.Max(c => c.TerminalMs):F1} ms after the Cancel call (target <= 500 ms)");
        }

        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"service peak RSS (VmHWM) after every run: {service.PeakRssBytes() / (1024.0 * 1024):F1} MiB");
        Console.Write(table);

        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { rows, bytes, runs, jobSeconds = jobTimes, psqlSeconds = psqlTimes, jobRuns, psqlRuns, jobRowsPerSecond = job, psqlRowsPerSecond = copy, ratio = job / copy, cancels }));
        }

        File.Delete(file);
        return 0;
    }

    /// <summary>Starts an import, cancels it once it reports <see cref="CancelAtPercent"/>%, and times
    /// the Cancel call's answer and the job's terminal event on the StartImport stream.</summary>
    private static async Task<CancelTiming?> MeasureCancelAsync(JobsService.JobsServiceClient client)
    {
        using var call = client.StartImport(new StartImportRequest
        {
            Root = "bench", Path = "people.csv", Table = JobTable, Format = ImportFormat.Csv, Csv = new ImportCsvOptions { Header = true },
        });
        Stopwatch? sinceCancel = null;
        Task<double>? answered = null;
        var lastPercent = 0.0;
        await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
        {
            if (jobEvent.KindCase == JobEvent.KindOneofCase.Progress)
            {
                lastPercent = jobEvent.Progress.Percent;
                if (sinceCancel is null && lastPercent >= CancelAtPercent)
                {
                    sinceCancel = Stopwatch.StartNew();
                    var clock = sinceCancel;
                    answered = client.CancelAsync(new CancelJobRequest { JobId = jobEvent.JobId }).ResponseAsync
                        .ContinueWith(t => { t.GetAwaiter().GetResult(); return clock.Elapsed.TotalMilliseconds; }, TaskScheduler.Default);
                }
            }
            else if (jobEvent.KindCase == JobEvent.KindOneofCase.Failed && sinceCancel is not null && answered is not null)
            {
                var terminal = sinceCancel.Elapsed.TotalMilliseconds;
                if (jobEvent.Failed.Code != (int)StatusCode.Cancelled)
                {
                    Console.Error.WriteLine($"the cancelled job failed otherwise: {jobEvent}");
                    return null;
                }

                return new CancelTiming(await answered, terminal, lastPercent);
            }
            else if (jobEvent.KindCase is JobEvent.KindOneofCase.Completed or JobEvent.KindOneofCase.Failed)
            {
                Console.Error.WriteLine($"the job ended before it was cancelled (use more --rows): {jobEvent}");
                return null;
            }
        }

        Console.Error.WriteLine("the StartImport stream ended without a terminal event");
        return null;
    }

    private sealed record CancelTiming(double AnsweredMs, double TerminalMs, double LastPercent);

    private static CpuSample Sample(StreamServiceProcess service, CpuMeter meter) =>
        new(service.ProcessorTime().TotalSeconds, meter.ClusterSeconds(), meter.ReapedChildrenSeconds());

    private readonly record struct CpuSample(double Service, double Cluster, double Children)
    {
        public RunFigures Since(CpuSample start, double seconds) =>
            new(seconds, Service - start.Service, Cluster - start.Cluster, Children - start.Children, CpuMeter.LoadAverage());
    }

    /// <summary>One import run: wall seconds and the CPU seconds each party used during it.</summary>
    private sealed record RunFigures(double Seconds, double ServiceCpu, double ClusterCpu, double ChildrenCpu, double Load);

    private static long WriteCsv(string path, long rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("id,name,email,age,joined,score\n");
        for (long i = 1; i <= rows; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{i},Person {i},p{i}@example.com,{18 + i % 60},2020-{i % 12 + 1:00}-{i % 28 + 1:00},{i * 0.5}\n"));
        }

        writer.Flush();
        return writer.BaseStream.Length;
    }

    /// <summary>psql connection arguments from the Npgsql connection string pg.sh prints.</summary>
    private static string[] PsqlArgs(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        return ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", parts["host"], "-p", parts["port"], "-U", parts["username"], "-d", parts["database"]];
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("StreamGrpc.sln not found above " + AppContext.BaseDirectory);
    }
}
