using RowsBench;

if (!StreamGrpc.Bench.BenchCommandLine.TryParse(args, BenchOptions.Usage, BenchOptions.Parse, out var options, out var exitCode))
{
    return exitCode;
}

return options.Transport == "both" ? await TransportComparison.RunAsync(options) : await RowsBenchmark.RunAsync(options);
