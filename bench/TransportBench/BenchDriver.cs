namespace StreamGrpc.Bench.Transport;

/// <summary>
/// The driver role: starts the server process, warms both transports up, then runs every case on
/// both transports back to back (alternating which goes first) for each repetition, so load from
/// other processes on the machine hits both sides of a comparison alike.
/// </summary>
internal static class BenchDriver
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        using var server = await ServerProcess.StartAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var environment = BenchEnvironment.Capture(server.ServerGc);
        using var grpc = new GrpcTransportClient(server.Address);
        using var plain = new PlainHttpTransportClient(server.Address);
        ITransportClient[] transports = options.OnlyTransport switch
        {
            "grpc" => [grpc],
            "plain" => [plain],
            _ => [grpc, plain],
        };

        foreach (var benchCase in options.Cases)
        {
            for (var i = 0; i < options.Warmup; i++)
            {
                // A quarter of the messages is plenty for tiered JIT to settle on optimized code.
                var warmupCase = benchCase with { Count = Math.Max(1, benchCase.Count / 4) };
                foreach (var transport in transports)
                {
                    await RunOnceAsync(transport, warmupCase).ConfigureAwait(false);
                }
            }
        }

        var runs = options.Cases.ToDictionary(c => c, _ => transports.ToDictionary(t => t, _ => new List<RunResult>()));
        var ratios = options.Cases.ToDictionary(c => c, _ => new List<double>());
        for (var repetition = 0; repetition < options.Repetitions; repetition++)
        {
            foreach (var benchCase in options.Cases)
            {
                var order = repetition % 2 == 0 ? transports : transports.Reverse().ToArray();
                foreach (var transport in order)
                {
                    var result = await RunOnceAsync(transport, benchCase).ConfigureAwait(false);
                    runs[benchCase][transport].Add(result);
                    Console.Error.WriteLine($"  rep {repetition + 1}/{options.Repetitions} {benchCase.Name,-5} {transport.Name,-12} {result.MessagesPerSecond,12:N0} msg/s {result.MegabytesPerSecond,9:N1} MB/s {result.ServerBytesAllocatedPerMessage,8:N1} B/msg");
                }

                if (transports.Length == 2)
                {
                    ratios[benchCase].Add(100 * runs[benchCase][grpc][^1].MessagesPerSecond / runs[benchCase][plain][^1].MessagesPerSecond);
                }
            }
        }

        var summaries = new List<CaseSummary>();
        foreach (var benchCase in options.Cases)
        {
            foreach (var transport in transports)
            {
                var isGrpc = transport == grpc && transports.Length == 2;
                var percent = isGrpc ? CaseSummary.Median(ratios[benchCase]) : (double?)null;
                var cpuPercent = isGrpc ? 100 * TotalCpuPerMessage(runs[benchCase][plain]) / TotalCpuPerMessage(runs[benchCase][grpc]) : (double?)null;
                summaries.Add(CaseSummary.From(benchCase, transport.Name, runs[benchCase][transport], percent, cpuPercent));
            }
        }

        var finished = environment with { LoadAverageAtEnd = BenchEnvironment.ReadLoadAverage() };
        ResultTable.Write(Console.Out, summaries, options, finished);
        if (options.JsonPath is { } path)
        {
            await ResultJson.WriteAsync(path, summaries, options, finished).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Median CPU (server + client) per message: what bounds msg/s when both processes
    /// compete for the same two cores, as they do here.</summary>
    private static double TotalCpuPerMessage(IEnumerable<RunResult> runs)
        => CaseSummary.Median(runs.Select(r => r.ServerCpuMicrosecondsPerMessage + r.ClientCpuMicrosecondsPerMessage));

    private static async Task<RunResult> RunOnceAsync(ITransportClient transport, BenchCase benchCase)
    {
        // Start each run with a clean client heap so one run's garbage is not collected in the next.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var timeout = new CancellationTokenSource(RunTimeout);
        return await transport.RunAsync(benchCase.MessageSize, benchCase.Count, timeout.Token).ConfigureAwait(false);
    }
}
