using Spectre.Console;
using System.CommandLine;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc lines &lt;root&gt; &lt;path&gt; [--grep] [--regex] [--follow] [--from-line|--from-offset]</c></summary>
internal static class LinesCommand
{
    public static Command Create(GlobalOptions global)
    {
        var root = new Argument<string>("root") { Description = "A configured root (e.g. demo)." };
        var path = new Argument<string>("path") { Description = "Path of the file relative to the root." };
        var grep = new Option<string[]>("--grep", "-g") { Description = "Keep lines containing this text (repeat to require all)." };
        var grepV = new Option<string[]>("--grep-v") { Description = "Drop lines containing this text." };
        var regex = new Option<string?>("--regex", "-e") { Description = "Keep lines matching this .NET regular expression." };
        var ignoreCase = new Option<bool>("--ignore-case", "-i") { Description = "Case-insensitive --grep/--regex." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep streaming appended lines (like tail -F) until Ctrl+C or the deadline." };
        var fromLine = new Option<long>("--from-line") { Description = "Start at this 1-based line number." };
        var fromOffset = new Option<long?>("--from-offset") { Description = "Resume at this byte offset (from a previous --json output's next_offset)." };
        var fromOffsetLine = new Option<long>("--from-offset-line") { Description = "Line number of the line at --from-offset (for numbering)." };
        var max = new Option<long>("--max", "-n") { Description = "Maximum lines (0 = all)." };
        var numbers = new Option<bool>("--line-numbers") { Description = "Prefix lines with their numbers." };

        var command = new Command("lines", "Stream lines of a file under a configured root.") { root, path, grep, grepV, regex, ignoreCase, follow, fromLine, fromOffset, fromOffsetLine, max, numbers };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var caseless = parse.GetValue(ignoreCase);
            var filters = new List<LineFilter>();
            filters.AddRange((parse.GetValue(grep) ?? []).Select(g => new LineFilter { Contains = new LineFilter.Types.Substring { Text = g, IgnoreCase = caseless } }));
            filters.AddRange((parse.GetValue(grepV) ?? []).Select(g => new LineFilter { NotContains = new LineFilter.Types.Substring { Text = g, IgnoreCase = caseless } }));
            if (parse.GetValue(regex) is { } pattern)
            {
                filters.Add(new LineFilter { Regex = new LineFilter.Types.Regex { Pattern = pattern, IgnoreCase = caseless } });
            }

            var query = new LinesQuery(parse.GetValue(root)!, parse.GetValue(path)!)
            {
                Filters = filters,
                Follow = parse.GetValue(follow),
                MaxLines = parse.GetValue(max),
                StartLine = parse.GetValue(fromLine),
                From = parse.GetValue(fromOffset) is { } offset ? new FilePosition { Offset = offset, LineNumber = Math.Max(1, parse.GetValue(fromOffsetLine)) } : null,
                OnReset = reset => output.Error.MarkupLineInterpolated($"[yellow]file {(reset == FileReset.Truncated ? "truncated" : "replaced")}; reading from the start[/]"),
            };

            var withNumbers = parse.GetValue(numbers);
            await foreach (var line in client.StreamLinesAsync(query, call))
            {
                if (output.IsJson)
                {
                    output.WriteJson(json =>
                    {
                        json.WriteNumber("line", line.LineNumber);
                        json.WriteNumber("offset", line.Offset);
                        json.WriteString("text", line.Text);
                        if (line.Truncated)
                        {
                            json.WriteBoolean("truncated", true);
                        }
                    });
                }
                else
                {
                    output.WriteLine(withNumbers ? $"{line.LineNumber}\t{line.Text}" : line.Text);
                }

                output.Flush();
            }
        }));
        return command;
    }
}
