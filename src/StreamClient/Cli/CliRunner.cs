using Spectre.Console;
using System.CommandLine;
using Grpc.Core;

namespace StreamClient.Cli;

/// <summary>Runs a command body with the client, the output and the call options, and turns every
/// outcome into an exit code and a one-line message on stderr.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken, Func<StreamGrpcClient, CliOutput, StreamCallOptions, Task> body)
    {
        using var output = new CliOutput(parse.GetValue(global.Json));
        try
        {
            using var client = global.CreateClient(parse);
            client.Resuming += (failure, attempt, delay) =>
                output.Error.MarkupLineInterpolated($"[yellow]connection lost ({failure.StatusCode}); resuming, attempt {attempt}, in {delay.TotalMilliseconds:F0} ms[/]");
            await body(client, output, global.CallOptions(parse, cancellationToken));
            output.Flush();
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Flush();
            output.Error.MarkupLine("[grey]cancelled[/]");
            return ExitCodes.Interrupted;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            output.Flush();
            output.Error.MarkupLine("[grey]cancelled[/]");
            return ExitCodes.Interrupted;
        }
        catch (RpcException ex)
        {
            output.Flush();
            output.Error.MarkupLineInterpolated($"[red]error:[/] {ex.StatusCode}: {ex.Status.Detail}");
            return ExitCodes.For(ex.StatusCode);
        }
        catch (Exception ex) when (ex is CliUsageException or ArgumentException or FormatException or UriFormatException)
        {
            output.Flush();
            output.Error.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.Usage;
        }
    }
}
