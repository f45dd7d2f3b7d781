using LlmBench;

if (args is ["--serve", .. var serviceArgs])
{
    // Child mode: the real StreamService wiring, configured by the parent's command line.
    var app = StreamService.StreamServiceApp.Build(serviceArgs);
    await app.RunAsync();
    return 0;
}

const string Usage = """
    usage: LlmBench [--iterations N] [--warmup N] [--tokens N] [--interval-ms MS] [--streams N]
                    [--latency-host child|inprocess] [--json PATH]
      --iterations N     measured completions for the latency figures (default 500)
      --warmup N         unmeasured completions first (default 50)
      --tokens N         tokens per completion from the fake upstream (default 10)
      --interval-ms MS   upstream delay between tokens (default 2)
      --streams N        concurrent completions for the memory figure (default 2000)
      --latency-host H   run the service as a child process (default) or in this process
      --json PATH        also write the results as JSON
    """;

if (!StreamGrpc.Bench.BenchCommandLine.TryParse(args, Usage, BenchOptions.Parse, out var options, out var exitCode))
{
    return exitCode;
}

return await Bench.RunAsync(options);
