using System.CommandLine;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc import &lt;root&gt; &lt;path&gt; --table T [--format csv|ndjson] [--map column=field|column=#n]... [--grep ...] [--max-rejects N] [--detach]</c></summary>
internal static class ImportCommand
{
    public static Command Create(GlobalOptions global)
    {
        var root = new Argument<string>("root") { Description = "A configured file root (e.g. demo)." };
        var path = new Argument<string>("path") { Description = "Path of the file relative to the root." };
        var table = new Option<string>("--table", "-t") { Description = "A configured import target (e.g. people).", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or ndjson; default from the file extension (.ndjson/.jsonl = ndjson, else csv)." };
        format.AcceptOnlyFromAmong("csv", "ndjson");
        var noHeader = new Option<bool>("--no-header") { Description = "CSV: the first line is data, not field names." };
        var delimiter = new Option<string?>("--delimiter", "-d") { Description = "CSV field delimiter (one character; \\t for tab)." };
        var map = new Option<string[]>("--map", "-m") { Description = "column=field (header field or NDJSON property) or column=#n (1-based CSV position); repeat. Default: by name." };
        var grep = new Option<string[]>("--grep", "-g") { Description = "Import only records containing this text." };
        var grepV = new Option<string[]>("--grep-v") { Description = "Skip records containing this text." };
        var maxRejects = new Option<long?>("--max-rejects") { Description = "Rejected records tolerated before the job fails (default: the service's)." };
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return; the job runs on (follow it with 'jobs watch')." };

        var command = new Command("import", "Import a CSV or NDJSON file into a table, with live progress. Ctrl+C stops watching, not the job.")
        {
            root, path, table, format, noHeader, delimiter, map, grep, grepV, maxRejects, detach,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var file = parse.GetValue(path)!;
            var kind = parse.GetValue(format) ?? (file.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? "ndjson" : "csv");
            var request = new StartImportRequest
            {
                Root = parse.GetValue(root)!,
                Path = file,
                Table = parse.GetValue(table)!,
                Format = kind == "ndjson" ? ImportFormat.Ndjson : ImportFormat.Csv,
            };
            if (request.Format == ImportFormat.Csv)
            {
                request.Csv = new ImportCsvOptions
                {
                    Header = !parse.GetValue(noHeader),
                    Delimiter = parse.GetValue(delimiter) is "\\t" ? "\t" : parse.GetValue(delimiter) ?? "",
                };
            }

            foreach (var mapping in parse.GetValue(map) ?? [])
            {
                request.Columns.Add(ParseMapping(mapping));
            }

            request.Filters.Add((parse.GetValue(grep) ?? []).Select(g => new LineFilter { Contains = new LineFilter.Types.Substring { Text = g } }));
            request.Filters.Add((parse.GetValue(grepV) ?? []).Select(g => new LineFilter { NotContains = new LineFilter.Types.Substring { Text = g } }));
            if (parse.GetValue(maxRejects) is { } max)
            {
                request.MaxRejects = max;
            }

            var events = client.StartImportAsync(request, call);
            if (parse.GetValue(detach))
            {
                await foreach (var first in events)
                {
                    output.WriteLine(output.IsJson ? $"{{\"jobId\":\"{first.JobId}\"}}" : first.JobId);
                    return; // leaving the stream leaves the job running
                }
            }

            await JobEventsView.ShowAsync(events, output, $"{request.Root}/{request.Path} -> {request.Table}");
        }));
        return command;
    }

    internal static ImportColumnMapping ParseMapping(string text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new CliUsageException($"--map '{text}': expected column=field or column=#n.");
        }

        var mapping = new ImportColumnMapping { Column = text[..equals] };
        var source = text[(equals + 1)..];
        if (source.StartsWith('#') && int.TryParse(source[1..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            mapping.Index = index;
        }
        else
        {
            mapping.Field = source;
        }

        return mapping;
    }
}
