namespace StreamGrpc.Bench.Transport;

/// <summary>The medians of one transport on one case over all measured repetitions.</summary>
internal sealed record CaseSummary(
    string Case,
    int MessageSize,
    string Transport,
    int Messages,
    double MessagesPerSecond,
    double MegabytesPerSecond,
    double ServerBytesAllocatedPerMessage,
    double ServerCpuMicrosecondsPerMessage,
    double ClientCpuMicrosecondsPerMessage,
    double? PercentOfCeiling,
    double? PercentOfCeilingByCpu,
    double? TargetPercentOfCeiling,
    IReadOnlyList<RunResult> Runs)
{
    public static CaseSummary From(BenchCase benchCase, string transport, IReadOnlyList<RunResult> runs, double? percentOfCeiling, double? percentOfCeilingByCpu)
        => new(
            benchCase.Name,
            benchCase.MessageSize,
            transport,
            benchCase.Count,
            Median(runs.Select(r => r.MessagesPerSecond)),
            Median(runs.Select(r => r.MegabytesPerSecond)),
            Median(runs.Select(r => r.ServerBytesAllocatedPerMessage)),
            Median(runs.Select(r => r.ServerCpuMicrosecondsPerMessage)),
            Median(runs.Select(r => r.ClientCpuMicrosecondsPerMessage)),
            percentOfCeiling,
            percentOfCeilingByCpu,
            percentOfCeiling is null ? null : benchCase.TargetPercentOfCeiling,
            runs);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
