using System.CommandLine;

namespace StreamClient.Cli;

/// <summary>The <c>streamgrpc</c> command line.</summary>
internal static class CliApp
{
    public static RootCommand Create()
    {
        var global = new GlobalOptions();
        var root = new RootCommand("streamgrpc: stream rows, file lines, job progress and LLM tokens from a StreamGrpc service.");
        global.AddTo(root);
        root.Subcommands.Add(RowsCommand.Create(global));
        root.Subcommands.Add(LinesCommand.Create(global));
        root.Subcommands.Add(ChatCommand.Create(global));
        root.Subcommands.Add(ImportCommand.Create(global));
        root.Subcommands.Add(JobsCommand.Create(global));
        root.Subcommands.Add(ServicesCommand.Create(global));
        root.Subcommands.Add(HealthCommand.Create(global));
        return root;
    }

    /// <summary>After a termination signal, how long the command may take to cancel its call and
    /// finish before the process exits anyway (the connection's close cancels the call too).</summary>
    private static readonly TimeSpan s_signalGrace = TimeSpan.FromMilliseconds(400);

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync("error: " + error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'streamgrpc --help' for usage.");
            return ExitCodes.Usage;
        }

        // Ctrl+C, SIGTERM and SIGHUP cancel the token passed to the command: the call is cancelled
        // at the service and the process exits with 128 + the signal (System.CommandLine's own
        // handling is off: it waits a fixed timeout and knows SIGINT and SIGTERM only).
        using var signals = new TerminationSignals();
        var run = parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
        if (await Task.WhenAny(run, signals.Received) != run)
        {
            try
            {
                await run.WaitAsync(s_signalGrace);
            }
            catch (TimeoutException)
            {
            }

            return await signals.Received;
        }

        var exitCode = await run;
        return exitCode == ExitCodes.Interrupted && signals.Received.IsCompleted ? await signals.Received : exitCode;
    }
}
