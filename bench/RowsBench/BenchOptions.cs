using System.Globalization;

namespace RowsBench;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(
    string? ConnectionString,
    long ThroughputRows,
    long SmallRows,
    long LargeRows,
    int BatchSize,
    int Iterations,
    string? JsonPath,
    string Transport = "grpc")
{
    public const string Usage = """
        RowsBench: in-process Npgsql reader vs end-to-end row stream, and service peak RSS.
          --connection CS     PostgreSQL to use (default: start scripts/pg.sh under .data/bench-pg)
          --rows N            rows per throughput run (default 1000000)
          --small N           rows of the short RSS stream (default 500000)
          --large N           rows of the long RSS stream (default 5000000)
          --batch N           rows per message end to end (default 1000)
          --iterations N      throughput runs of each kind; the best is reported (default 3)
          --json PATH         also write the results as JSON
          --transport T       grpc (default): the typed gRPC client; both: gRPC and HTTP/JSON
                              (GET /v1/datasets/events/rows over h2c) alternated in one run, with
                              the service's CPU per row for each (the RSS runs are skipped)
        Needs a Release build of the service: dotnet build src/StreamService -c Release
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(null, 1_000_000, 500_000, 5_000_000, 1000, 3, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            long Number() => long.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--connection" => options with { ConnectionString = Next() },
                "--rows" => options with { ThroughputRows = Number() },
                "--small" => options with { SmallRows = Number() },
                "--large" => options with { LargeRows = Number() },
                "--batch" => options with { BatchSize = (int)Number() },
                "--iterations" => options with { Iterations = (int)Number() },
                "--json" => options with { JsonPath = Next() },
                "--transport" => options with { Transport = Next() switch { "grpc" => "grpc", "both" => "both", _ => throw new ArgumentException($"--transport is grpc or both\n{Usage}") } },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Usage}"),
            };
        }

        return options;
    }
}
