using RowsBench;

if (!StreamGrpc.Bench.BenchCommandLine.TryParse(args, BenchOptions.Usage, BenchOptions.Parse, out var options, out var exitCode))
{
    return exitCode;
}

return await RowsBenchmark.RunAsync(options);
