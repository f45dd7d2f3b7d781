using Spectre.Console;
using System.CommandLine;
using Grpc.Core;

namespace StreamClient.Cli;

/// <summary>Runs a command body with the client, the output and the call options, and turns every
/// outcome into an exit code and a one-line message on stderr. The call is cancelled by a
/// termination signal (<paramref name="cancellationToken"/>) or by stdout losing its reader; the
/// latter ends the command quietly with <see cref="ExitCodes.OutputClosed"/>.</summary>
internal static class CliRunner
{
    public static Task<int> RunAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken, Func<StreamGrpcClient, CliOutput, StreamCallOptions, Task> body)
        => RunAsync(global, parse, cancellationToken, async (client, output, call) =>
        {
            await body(client, output, call);
            return ExitCodes.Success;
        });

    /// <summary>As above, for a body that decides its own exit code when its calls succeed.</summary>
    public static async Task<int> RunAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken, Func<StreamGrpcClient, CliOutput, StreamCallOptions, Task<int>> body)
    {
        using var output = new CliOutput(parse.GetValue(global.Json));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, output.Closed);
        try
        {
            using var client = global.CreateClient(parse);
            client.Resuming += (failure, attempt, delay) =>
                output.Error.MarkupLineInterpolated($"[yellow]connection lost ({failure.StatusCode}); resuming, attempt {attempt}, in {delay.TotalMilliseconds:F0} ms[/]");
            var exitCode = await body(client, output, global.CallOptions(parse, stop.Token));
            output.Flush();
            return exitCode;
        }
        catch (Exception) when (output.IsClosed)
        {
            // Nobody reads on: no message (it would only interleave with the reader's own output).
            return ExitCodes.OutputClosed;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            TryFlush(output);
            output.Error.MarkupLine("[grey]cancelled[/]");
            return ExitCodes.Interrupted;
        }
        catch (RpcException ex)
        {
            TryFlush(output);
            output.Error.MarkupLineInterpolated($"[red]error:[/] {ex.StatusCode}: {ex.Status.Detail}");
            return ExitCodes.For(ex.StatusCode);
        }
        catch (Exception ex) when (ex is CliUsageException or ArgumentException or FormatException or UriFormatException)
        {
            TryFlush(output);
            output.Error.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.Usage;
        }
    }

    private static void TryFlush(CliOutput output)
    {
        try
        {
            output.Flush();
        }
        catch (OutputClosedException)
        {
        }
    }
}
