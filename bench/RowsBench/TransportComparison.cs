using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RowsBench;

/// <summary><c>--transport both</c>: the same row stream end to end over gRPC (typed client) and
/// over HTTP/JSON (JSON transcoding), alternated iteration by iteration against one service
/// process so both see the same machine load, with the service's CPU per row for each (read from
/// /proc around every stream). The in-process reader runs first in each iteration as the ceiling.</summary>
internal static class TransportComparison
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var root = Repository.FindRoot();
        var connectionString = options.ConnectionString ?? (await Repository.RunScriptAsync(root, "start", Path.Combine(root, ".data", "bench-pg"))).Trim().Split('\n')[^1];
        await Repository.RunScriptAsync(root, "seed", connectionString, "events", "1000000");
        Console.Error.WriteLine($"database: {RowsBenchmark.Redact(connectionString)}");

        var runs = new Dictionary<string, List<(double RowsPerSecond, double ServiceCpuPerMillion, double ClientCpuPerMillion)>>
        {
            ["in-process"] = [], ["grpc"] = [], ["http-json"] = [],
        };
        await using (var service = await RowsBenchmark.StartServiceAsync(root, connectionString))
        {
            using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(30) };
            for (var i = 0; i < 3; i++)
            {
                await RowsBenchmark.StreamThroughServiceAsync(service, "events", 100_000, options.BatchSize);
                await HttpJsonReader.ReadAsync(http, "events", 100_000, options.BatchSize);
                await InProcessReader.ReadAsync(connectionString, "events", 100_000);
            }

            for (var i = 0; i < options.Iterations; i++)
            {
                await MeasureAsync("in-process", () => InProcessReader.ReadAsync(connectionString, "events", options.ThroughputRows));

                // Which transport goes first alternates, so neither always follows the other.
                if (i % 2 == 0)
                {
                    await MeasureAsync("grpc", () => RowsBenchmark.StreamThroughServiceAsync(service, "events", options.ThroughputRows, options.BatchSize));
                    await MeasureAsync("http-json", () => HttpJsonReader.ReadAsync(http, "events", options.ThroughputRows, options.BatchSize));
                }
                else
                {
                    await MeasureAsync("http-json", () => HttpJsonReader.ReadAsync(http, "events", options.ThroughputRows, options.BatchSize));
                    await MeasureAsync("grpc", () => RowsBenchmark.StreamThroughServiceAsync(service, "events", options.ThroughputRows, options.BatchSize));
                }

                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"iteration {i + 1}: in-process {runs["in-process"][^1].RowsPerSecond:N0} rows/s; gRPC {runs["grpc"][^1].RowsPerSecond:N0} rows/s, service {runs["grpc"][^1].ServiceCpuPerMillion:N2} CPU s/1M rows, client {runs["grpc"][^1].ClientCpuPerMillion:N2}; HTTP/JSON {runs["http-json"][^1].RowsPerSecond:N0} rows/s, service {runs["http-json"][^1].ServiceCpuPerMillion:N2} CPU s/1M rows, client {runs["http-json"][^1].ClientCpuPerMillion:N2}"));
            }

            async Task MeasureAsync(string name, Func<Task<long>> stream)
            {
                var service0 = service.ProcessorTime();
                var client0 = Process.GetCurrentProcess().TotalProcessorTime;
                var stopwatch = Stopwatch.StartNew();
                var rows = await stream();
                var elapsed = stopwatch.Elapsed;
                var client = (Process.GetCurrentProcess().TotalProcessorTime - client0).TotalSeconds;
                var serviceCpu = (service.ProcessorTime() - service0).TotalSeconds;
                if (rows != options.ThroughputRows)
                {
                    throw new InvalidOperationException($"{name}: expected {options.ThroughputRows} rows, got {rows}");
                }

                runs[name].Add((rows / elapsed.TotalSeconds, serviceCpu / rows * 1e6, client / rows * 1e6));
            }
        }

        var results = new List<(string Name, string Value)>();
        foreach (var (name, label) in new[] { ("in-process", "in-process Npgsql reader"), ("grpc", "gRPC (typed client)"), ("http-json", "HTTP/JSON (transcoding, h2c)") })
        {
            var r = runs[name];
            results.Add(($"{label}: rows/s", Spread(r.Select(x => x.RowsPerSecond), "N0")));
            if (name != "in-process")
            {
                results.Add(($"{label}: service CPU s per 1M rows", Spread(r.Select(x => x.ServiceCpuPerMillion), "N2")));
                results.Add(($"{label}: client CPU s per 1M rows", Spread(r.Select(x => x.ClientCpuPerMillion), "N2")));
            }
        }

        // Ratios within each iteration (same load), then their median and range.
        results.Add(("HTTP/JSON / gRPC rows/s", Spread(runs["grpc"].Zip(runs["http-json"], (g, j) => j.RowsPerSecond / g.RowsPerSecond * 100), "N1") + " %"));
        results.Add(("HTTP/JSON / gRPC service CPU per row", Spread(runs["grpc"].Zip(runs["http-json"], (g, j) => j.ServiceCpuPerMillion / g.ServiceCpuPerMillion), "N2") + " x"));

        Console.WriteLine($"RowsBench --transport both: {options.ThroughputRows:N0} rows of 'events' (15 columns), batch {options.BatchSize}, {options.Iterations} alternating iterations; median (min-max); {Environment.ProcessorCount} cores");
        Console.WriteLine($"| {"measure",-58} | {"median (min-max)",-30} |");
        Console.WriteLine($"|{new string('-', 60)}|{new string('-', 32)}|");
        foreach (var (name, value) in results)
        {
            Console.WriteLine($"| {name,-58} | {value,-30} |");
        }

        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(runs.ToDictionary(
                r => r.Key,
                r => r.Value.Select(x => new { rowsPerSecond = Math.Round(x.RowsPerSecond), serviceCpuSecondsPerMillionRows = Math.Round(x.ServiceCpuPerMillion, 3), clientCpuSecondsPerMillionRows = Math.Round(x.ClientCpuPerMillion, 3) })),
                new JsonSerializerOptions { WriteIndented = true }));
        }

        return 0;
    }

    private static string Spread(IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{median.ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}-{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})");
    }
}
