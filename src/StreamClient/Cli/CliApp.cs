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
        return root;
    }

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

        // Ctrl+C / SIGTERM cancel the token passed to the command; the stream is cancelled at the
        // service and the command exits with 130 after at most two seconds.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) });
    }
}
