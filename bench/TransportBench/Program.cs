using StreamGrpc.Bench.Transport;

var options = BenchOptions.Parse(args);
if (options.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

return options.ServerRole
    ? await BenchServer.RunAsync()
    : await BenchDriver.RunAsync(options);
