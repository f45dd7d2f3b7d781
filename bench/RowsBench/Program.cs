using RowsBench;

return await RowsBenchmark.RunAsync(BenchOptions.Parse(args));
