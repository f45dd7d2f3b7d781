using System.Globalization;

namespace StreamGrpc.Bench.Transport;

/// <summary>Command line of the benchmark.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        TransportBench: gRPC server streaming through grpc-dotnet (Grpc.AspNetCore + Grpc.Net.Client)
        vs the same bytes as a plain HTTP/2 body (the ceiling).
          --repetitions N   measured runs per case and transport (default 5; the median is reported)
          --warmup N        unmeasured runs (a quarter of the messages) per case and transport first (default 2)
          --small-count N   messages in the 100-byte case (default 1000000)
          --large-count N   messages in the 64 KiB case (default 30000)
          --case NAME       run only this case (small or large)
          --transport NAME  run only grpc or plain (for profiling; no % of ceiling then)
          --json PATH       also write every run and the medians as JSON
          --server          internal: run the server role (started by the driver itself)
        """;

    public bool ServerRole { get; private set; }

    public int Repetitions { get; private set; } = 5;

    public int Warmup { get; private set; } = 2;

    public int SmallCount { get; private set; } = 1_000_000;

    public int LargeCount { get; private set; } = 30_000;

    public string? JsonPath { get; private set; }

    public string? OnlyCase { get; private set; }

    public string? OnlyTransport { get; private set; }

    public bool ShowHelp { get; private set; }

    public IReadOnlyList<BenchCase> Cases =>
    [
        .. new BenchCase[]
        {
            new("small", 100, SmallCount, 50),
            new("large", 64 * 1024, LargeCount, 80),
        }.Where(c => OnlyCase is null || c.Name == OnlyCase),
    ];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--server":
                    options.ServerRole = true;
                    break;
                case "--repetitions":
                    options.Repetitions = Positive(args, ++i);
                    break;
                case "--warmup":
                    options.Warmup = NonNegative(args, ++i);
                    break;
                case "--small-count":
                    options.SmallCount = Positive(args, ++i);
                    break;
                case "--large-count":
                    options.LargeCount = Positive(args, ++i);
                    break;
                case "--case":
                    options.OnlyCase = i + 1 < args.Length && args[i + 1] is "small" or "large" ? args[++i] : throw new ArgumentException("--case needs small or large.");
                    break;
                case "--transport":
                    options.OnlyTransport = i + 1 < args.Length && args[i + 1] is "grpc" or "plain" ? args[++i] : throw new ArgumentException("--transport needs grpc or plain.");
                    break;
                case "--json":
                    options.JsonPath = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--json needs a path.");
                    break;
                case "-h" or "--help":
                    options.ShowHelp = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        return options;
    }

    private static int Positive(string[] args, int index)
    {
        var value = NonNegative(args, index);
        return value > 0 ? value : throw new ArgumentException($"{args[index - 1]} must be positive.");
    }

    private static int NonNegative(string[] args, int index)
        => index < args.Length && int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{args[index - 1]} needs a non-negative number.");
}
