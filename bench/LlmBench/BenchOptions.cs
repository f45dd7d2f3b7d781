namespace LlmBench;

/// <summary>Command line: <c>[--iterations N] [--tokens N] [--interval-ms N] [--streams N] [--latency-host child|inprocess] [--json PATH]</c>.</summary>
internal sealed record BenchOptions(int Iterations, int Warmup, int Tokens, TimeSpan Interval, int Streams, bool InProcess, string? JsonPath)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(Iterations: 500, Warmup: 50, Tokens: 10, Interval: TimeSpan.FromMilliseconds(2), Streams: 2000, InProcess: false, JsonPath: null);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--iterations" => options with { Iterations = int.Parse(value) },
                "--warmup" => options with { Warmup = int.Parse(value) },
                "--tokens" => options with { Tokens = int.Parse(value) },
                "--interval-ms" => options with { Interval = TimeSpan.FromMilliseconds(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) },
                "--streams" => options with { Streams = int.Parse(value) },
                "--json" => options with { JsonPath = value },
                "--latency-host" => options with { InProcess = value switch { "inprocess" => true, "child" => false, _ => throw new ArgumentException("--latency-host is inprocess or child") } },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }

        return options;
    }
}
