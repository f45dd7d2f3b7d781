using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc jobs watch &lt;id&gt; [--after N] | cancel &lt;id&gt; | list [--limit N]</c></summary>
internal static class JobsCommand
{
    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static Command Create(GlobalOptions global)
    {
        var command = new Command("jobs", "Follow, cancel and list import jobs.");
        command.Subcommands.Add(Watch(global));
        command.Subcommands.Add(Cancel(global));
        command.Subcommands.Add(List(global));
        return command;
    }

    private static Command Watch(GlobalOptions global)
    {
        var id = new Argument<string>("job-id") { Description = "The job id (from import or jobs list)." };
        var after = new Option<long>("--after") { Description = "Only events after this sequence number (default: the whole history)." };
        var command = new Command("watch", "Replay a job's events, then follow it live until it ends.") { id, after };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, (client, output, call) =>
            JobEventsView.ShowAsync(client.WatchJobAsync(parse.GetValue(id)!, parse.GetValue(after), call), output, "job " + parse.GetValue(id))));
        return command;
    }

    private static Command Cancel(GlobalOptions global)
    {
        var id = new Argument<string>("job-id") { Description = "The job id." };
        var command = new Command("cancel", "Cancel a job; nothing of it is imported.") { id };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var info = await client.CancelJobAsync(parse.GetValue(id)!, call);
            WriteInfo(output, info);
        }));
        return command;
    }

    private static Command List(GlobalOptions global)
    {
        var limit = new Option<int>("--limit", "-n") { Description = "Most jobs to list (default 50)." };
        var command = new Command("list", "List recent jobs, newest first.") { limit };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var jobs = await client.ListJobsAsync(parse.GetValue(limit), call);
            if (!output.IsJson)
            {
                output.WriteLine("job\tstate\ttable\tfile\trows\trejected\tcreated\tmessage");
            }

            foreach (var info in jobs)
            {
                WriteInfo(output, info);
            }
        }));
        return command;
    }

    private static void WriteInfo(CliOutput output, JobInfo info)
    {
        if (output.IsJson)
        {
            output.WriteLine(s_json.Format(info));
        }
        else
        {
            var state = info.State.ToString().ToLowerInvariant() + (info.CancelRequested && info.State is JobState.Queued or JobState.Running ? " (cancelling)" : "");
            output.WriteLine(string.Join('\t', info.JobId, state, info.Table, info.Root + "/" + info.Path,
                info.RowsImported.ToString(CultureInfo.InvariantCulture), info.RowsRejected.ToString(CultureInfo.InvariantCulture),
                info.CreatedAt?.ToDateTime().ToString("u", CultureInfo.InvariantCulture) ?? "", info.Message));
        }

        output.Flush();
    }
}
