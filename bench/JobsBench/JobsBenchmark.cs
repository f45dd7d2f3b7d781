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
/// </summary>
internal static class JobsBenchmark
{
    private const string JobTable = "bench_import_job";
    private const string PsqlTable = "bench_import_psql";
    private const string Columns = "id, name, email, age, joined, score";

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = 1_000_000L;
        var runs = 3;
        string? json = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json": json = args[++i]; break;
                default:
                    Console.Error.WriteLine("usage: JobsBench [--rows N] [--runs N] [--json FILE]");
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

        foreach (var target in new[] { JobTable, PsqlTable })
        {
            await Shell.RunAsync("psql", [.. psql, "-c", $"DROP TABLE IF EXISTS {target}; CREATE TABLE {target} (id bigint NOT NULL, name text, email varchar(40), age integer, joined date, score double precision)"]);
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

        var jobTimes = new List<double>();
        var psqlTimes = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            await Shell.RunAsync("psql", [.. psql, "-c", $"TRUNCATE {JobTable}; TRUNCATE {PsqlTable}; CHECKPOINT"]);

            var watch = Stopwatch.StartNew();
            await Shell.RunAsync("psql", [.. psql, "-c", $"\\copy {PsqlTable} ({Columns}) FROM '{file}' WITH (FORMAT csv, HEADER true)"]);
            psqlTimes.Add(watch.Elapsed.TotalSeconds);

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

            jobTimes.Add(watch.Elapsed.TotalSeconds);
            if (last?.KindCase != JobEvent.KindOneofCase.Completed || last.Completed.RowsImported != rows)
            {
                Console.Error.WriteLine($"the job did not import every row: {last}");
                return 1;
            }
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
        table.AppendLine(CultureInfo.InvariantCulture, $"job / psql: {job / copy:P0} (target >= 50%)");
        Console.Write(table);

        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { rows, bytes, runs, jobSeconds = jobTimes, psqlSeconds = psqlTimes, jobRowsPerSecond = job, psqlRowsPerSecond = copy, ratio = job / copy }));
        }

        File.Delete(file);
        return 0;
    }

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
