using StreamGrpc.Bench;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using StreamClient;
using StreamGrpc.V1;

namespace RowsBench;

/// <summary>Runs the measurements and prints one table.</summary>
internal static class RowsBenchmark
{
    private const string LargeTable = "events_5m";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var root = Repository.FindRoot();
        var connectionString = options.ConnectionString ?? (await Repository.RunScriptAsync(root, "start", Path.Combine(root, ".data", "bench-pg"))).Trim().Split('\n')[^1];
        await Repository.RunScriptAsync(root, "seed", connectionString, "events", "1000000");
        await Repository.RunScriptAsync(root, "seed", connectionString, LargeTable, options.LargeRows.ToString(CultureInfo.InvariantCulture));
        Console.Error.WriteLine($"database: {Redact(connectionString)}");

        var results = new List<(string Name, double Value, string Unit)>();

        // Throughput: the in-process reader (the ceiling) and the full path, alternated so both see
        // the same machine load; the best of each is reported.
        var inProcess = new List<double>();
        var endToEnd = new List<double>();
        await using (var service = await StartServiceAsync(root, connectionString))
        {
            // Warm-up: both paths reach tier-1 JIT code and warm pools before anything is timed.
            for (var i = 0; i < 3; i++)
            {
                await StreamThroughServiceAsync(service, "events", 100_000, options.BatchSize);
                await InProcessReader.ReadAsync(connectionString, "events", 100_000);
            }

            for (var i = 0; i < options.Iterations; i++)
            {
                var self0 = Process.GetCurrentProcess().TotalProcessorTime;
                inProcess.Add(await Measure(() => InProcessReader.ReadAsync(connectionString, "events", options.ThroughputRows)));
                var self1 = Process.GetCurrentProcess().TotalProcessorTime;
                var service0 = service.ProcessorTime();
                endToEnd.Add(await Measure(() => StreamThroughServiceAsync(service, "events", options.ThroughputRows, options.BatchSize)));
                var self2 = Process.GetCurrentProcess().TotalProcessorTime;
                var service1 = service.ProcessorTime();
                Console.Error.WriteLine($"iteration {i + 1}: in-process {inProcess[^1]:N0} rows/s ({(self1 - self0).TotalSeconds:N1} CPU s), end-to-end {endToEnd[^1]:N0} rows/s (client {(self2 - self1).TotalSeconds:N1} CPU s, service {(service1 - service0).TotalSeconds:N1} CPU s)");
            }
        }

        results.Add(("in-process Npgsql reader", inProcess.Max(), "rows/s"));
        results.Add(("end to end (service -> typed client)", endToEnd.Max(), "rows/s"));
        var ratio = endToEnd.Max() / inProcess.Max() * 100;
        results.Add(("end to end / in-process", ratio, "%"));

        // Memory: peak RSS of a fresh service process streaming a short and a long result.
        var small = await PeakRssAsync(root, connectionString, options.SmallRows, options.BatchSize);
        var large = await PeakRssAsync(root, connectionString, options.LargeRows, options.BatchSize);
        results.Add(($"service peak RSS, {options.SmallRows:N0} rows", small / 1048576.0, "MiB"));
        results.Add(($"service peak RSS, {options.LargeRows:N0} rows", large / 1048576.0, "MiB"));
        results.Add(("peak RSS difference", (large - small) / 1048576.0, "MiB"));

        Print(results, options);
        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(results.Select(r => new { name = r.Name, value = Math.Round(r.Value, 2), unit = r.Unit }), new JsonSerializerOptions { WriteIndented = true }));
        }

        var passed = ratio >= 60 && (large - small) < 20 * 1048576;
        Console.WriteLine(passed ? "targets met (end to end >= 60% of in-process, RSS difference < 20 MiB)" : "TARGETS MISSED");
        return passed ? 0 : 1;

        async Task<long> PeakRssAsync(string repo, string cs, long rows, int batch)
        {
            await using var service = await StartServiceAsync(repo, cs);
            var streamed = await StreamThroughServiceAsync(service, "events5m", rows, batch);
            if (streamed != rows)
            {
                throw new InvalidOperationException($"expected {rows} rows, got {streamed}");
            }

            var peak = service.PeakRssBytes();
            Console.Error.WriteLine($"{rows:N0} rows: peak RSS {peak / 1048576.0:N1} MiB");
            return peak;
        }
    }

    /// <summary>The full path: the service streams the rows, the typed client (StreamClient, as users
    /// call it) decodes them and every value is read into its CLR type, as the in-process reader does.</summary>
    internal static async Task<long> StreamThroughServiceAsync(StreamServiceProcess service, string dataset, long rows, int batchSize)
    {
        using var client = new StreamGrpcClient(service.Channel, new StreamGrpcClientOptions { Address = service.Address });
        long count = 0;
        ColumnType[]? types = null;
        bool[]? arrays = null;
        await foreach (var row in client.StreamRowsAsync(new RowsQuery(dataset) { Limit = rows, BatchSize = batchSize }, new StreamCallOptions { Deadline = DateTime.UtcNow.AddMinutes(30) }))
        {
            types ??= [.. row.Schema.Columns.Select(c => c.Type)];
            arrays ??= [.. row.Schema.Columns.Select(c => c.IsArray)];
            for (var i = 0; i < types.Length; i++)
            {
                if (!row.IsNull(i))
                {
                    ReadValue(row, i, types[i], arrays[i]);
                }
            }

            count++;
        }

        return count;
    }

    private static void ReadValue(DataRow row, int i, ColumnType type, bool array)
    {
        if (array)
        {
            _ = row.GetValue(i);
            return;
        }

        switch (type)
        {
            case ColumnType.Bool: _ = row.GetBoolean(i); break;
            case ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64: _ = row.GetInt64(i); break;
            case ColumnType.Float32 or ColumnType.Float64: _ = row.GetDouble(i); break;
            case ColumnType.Bytes: _ = row.GetBytes(i); break;
            case ColumnType.Uuid: _ = row.GetGuid(i); break;
            case ColumnType.Timestamp: _ = row.GetDateTimeOffset(i); break;
            case ColumnType.LocalTimestamp: _ = row.GetDateTime(i); break;
            case ColumnType.Date: _ = row.GetDateOnly(i); break;
            case ColumnType.Time: _ = row.GetTimeOnly(i); break;
            default: _ = row.GetString(i); break;
        }
    }

    internal static async Task<double> Measure(Func<Task<long>> run)
    {
        var stopwatch = Stopwatch.StartNew();
        var rows = await run();
        return rows / stopwatch.Elapsed.TotalSeconds;
    }

    private static void Print(List<(string Name, double Value, string Unit)> results, BenchOptions options)
    {
        Console.WriteLine($"RowsBench: {options.ThroughputRows:N0} rows of 'events' (15 columns), batch {options.BatchSize}, best of {options.Iterations}; {Environment.ProcessorCount} cores");
        Console.WriteLine($"| {"measure",-42} | {"value",14} | {"unit",-6} |");
        Console.WriteLine($"|{new string('-', 44)}|{new string('-', 16)}|{new string('-', 8)}|");
        foreach (var (name, value, unit) in results)
        {
            Console.WriteLine($"| {name,-42} | {value,14:N1} | {unit,-6} |");
        }
    }

    internal static string Redact(string connectionString) =>
        string.Join(';', connectionString.Split(';').Where(p => !p.StartsWith("Password", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The service with the large table exposed as dataset <c>events5m</c>; ready when a
    /// one-row stream succeeds (it listens and reaches the database).</summary>
    internal static Task<StreamServiceProcess> StartServiceAsync(string root, string connectionString)
        => StreamServiceProcess.StartAsync(
            root,
            connectionString,
            new Dictionary<string, string>
            {
                ["StreamGrpc__Rows__Datasets__events5m__Table"] = LargeTable,
                ["StreamGrpc__Rows__Datasets__events5m__KeyColumns__0"] = "id",
            },
            async channel =>
            {
                using var call = new RowsService.RowsServiceClient(channel).StreamRows(new StreamRowsRequest { Dataset = "events", Limit = 1 }, deadline: DateTime.UtcNow.AddSeconds(5));
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }
            });
}
