using System.Globalization;

namespace LoadBench;

/// <summary>Command line: <c>--streams 2000 --duration 60 --rows 80 --json PATH --connection-string CS</c>.</summary>
internal sealed record BenchOptions(int Streams, TimeSpan Duration, int RowsStreams, double TokensPerSecond, string? Json, string? ConnectionString, string? ServiceDll)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(2000, TimeSpan.FromSeconds(60), 80, 2, null, null, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--streams" => options with { Streams = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--rows" => options with { RowsStreams = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--tokens-per-second" => options with { TokensPerSecond = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--json" => options with { Json = Next() },
                "--connection-string" => options with { ConnectionString = Next() },
                "--service-dll" => options with { ServiceDll = Next() },
                _ => throw new ArgumentException("unknown option " + args[i] + "; options: --streams N --duration SECONDS --rows N --tokens-per-second R --json PATH --connection-string CS --service-dll PATH"),
            };
        }

        if (options.Streams < 4 || options.RowsStreams >= options.Streams || options.Duration <= TimeSpan.Zero || options.Duration > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("need --streams >= 4, --rows < --streams, 0 < --duration <= 600");
        }

        return options;
    }
}
