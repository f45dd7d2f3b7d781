using System.Globalization;

namespace LoadBench;

/// <summary>The one table the bench prints (and its JSON form).</summary>
internal sealed record Report(
    int Streams, double DurationSeconds, int StillOpenAtEnd, int Held, int Errors, bool ServerUp,
    double IdleRssMiB, double LoadedRssMiB, double RssKiBPerHeldStream, IReadOnlyList<KindReport> Kinds, IReadOnlyDictionary<string, int> ErrorsByStatus,
    int CutByOwnCancel)
{
    public static Report Create(BenchOptions options, StreamOutcome[] outcomes, int stillOpen, long idleRss, long loadedRss, bool serverUp, TimeSpan elapsed)
    {
        var held = outcomes.Count(o => o.Held);
        var kinds = outcomes.GroupBy(o => o.Kind).Select(g => new KindReport(
            g.Key.ToString(), g.Count(), g.Count(o => o.Held), g.Count(o => o.Error is not null),
            Percentile(g, 0.50), Percentile(g, 0.99))).ToList();
        kinds.Add(new KindReport("all", outcomes.Length, held, outcomes.Count(o => o.Error is not null), Percentile(outcomes, 0.50), Percentile(outcomes, 0.99)));
        return new Report(
            options.Streams, Math.Round(elapsed.TotalSeconds, 1), stillOpen, held, outcomes.Count(o => o.Error is not null), serverUp,
            Math.Round(idleRss / 1048576.0, 1), Math.Round(loadedRss / 1048576.0, 1),
            held == 0 ? 0 : Math.Round((loadedRss - idleRss) / 1024.0 / held, 1),
            kinds,
            outcomes.Where(o => o.Error is not null).GroupBy(o => o.Error!).ToDictionary(g => g.Key, g => g.Count()),
            outcomes.Count(o => o.CutByOwnCancel));
    }

    public void Print(TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| kind           | opened |   held | errors | first msg p50 (ms) | first msg p99 (ms) |"));
        output.WriteLine("|----------------|--------|--------|--------|--------------------|--------------------|");
        foreach (var k in Kinds)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {k.Kind,-14} | {k.Opened,6} | {k.Held,6} | {k.Errors,6} | {k.FirstMessageP50Ms,18:0.0} | {k.FirstMessageP99Ms,18:0.0} |"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"server RSS: idle {IdleRssMiB:0.0} MiB, with {Held} streams held {LoadedRssMiB:0.0} MiB => {RssKiBPerHeldStream:0.0} KiB per stream; server up after the run: {ServerUp}; run {DurationSeconds:0.0} s"));
        if (CutByOwnCancel > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held to the stop, then cut by the bench's own cancel with a read in flight (Grpc.Net.Client reports UNAVAILABLE): {CutByOwnCancel}"));
        }

        if (ErrorsByStatus.Count > 0)
        {
            output.WriteLine("errors: " + string.Join(", ", ErrorsByStatus.Select(e => $"{e.Key} x{e.Value}")));
        }
    }

    private static double Percentile(IEnumerable<StreamOutcome> outcomes, double p)
    {
        var sorted = outcomes.Where(o => o.FirstMessage is not null).Select(o => o.FirstMessage!.Value.TotalMilliseconds).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 1);
    }
}

/// <summary>One row of the table.</summary>
internal sealed record KindReport(string Kind, int Opened, int Held, int Errors, double FirstMessageP50Ms, double FirstMessageP99Ms);
