using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc rows &lt;dataset&gt; [--columns a,b] [--where "col op value"]... [--limit N] [--batch N]</c></summary>
internal static class RowsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var dataset = new Argument<string>("dataset") { Description = "A dataset the service exposes (e.g. events)." };
        var columns = new Option<string[]>("--columns", "-c") { Description = "Columns to return (comma-separated or repeated); default all.", AllowMultipleArgumentsPerToken = true };
        var where = new Option<string[]>("--where", "-w") { Description = "Filter \"column op value\" (= != < <= > >= in like, is null, is not null); repeat to AND." };
        var limit = new Option<long>("--limit", "-n") { Description = "Maximum rows (0 = all)." };
        var batch = new Option<int>("--batch") { Description = "Rows per message (0 = service default)." };
        var resume = new Option<string?>("--resume-token") { Description = "Continue after the batch that carried this token." };

        var command = new Command("rows", "Stream rows of a dataset from PostgreSQL.") { dataset, columns, where, limit, batch, resume };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var clauses = new List<WhereClause>();
            foreach (var text in parse.GetValue(where) ?? [])
            {
                if (!WhereClause.TryParse(text, out var clause, out var error))
                {
                    throw new CliUsageException(error!);
                }

                clauses.Add(clause!);
            }

            var query = new RowsQuery(parse.GetValue(dataset)!)
            {
                Columns = (parse.GetValue(columns) ?? []).SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
                Limit = parse.GetValue(limit),
                BatchSize = parse.GetValue(batch),
                ResumeToken = parse.GetValue(resume),
            };

            if (clauses.Count > 0)
            {
                // Filter values are typed by column; learn the types from the stream's schema first.
                var schema = await ProbeSchemaAsync(client, query.Dataset, call);
                query = query with { Filters = clauses.Select(c => c.ToFilter(schema)).ToArray() };
            }

            var first = true;
            await foreach (var row in client.StreamRowsAsync(query, call))
            {
                if (output.IsJson)
                {
                    output.WriteJson(json => WriteRow(json, row));
                }
                else
                {
                    if (first)
                    {
                        output.WriteLine(string.Join('\t', row.Schema.Columns.Select(c => c.Name)));
                    }

                    output.WriteLine(string.Join('\t', row.Values.Select(FormatValue)));
                }

                first = false;
                output.Flush();
            }
        }));
        return command;
    }

    private static async Task<Schema> ProbeSchemaAsync(StreamGrpcClient client, string dataset, StreamCallOptions call)
    {
        var rows = new RowsService.RowsServiceClient(client.CallInvoker);
        using var probe = rows.StreamRows(new StreamRowsRequest { Dataset = dataset, Limit = 1, BatchSize = 1 }, client.CallOptionsFor(call));
        if (await probe.ResponseStream.MoveNext(call.CancellationToken) && probe.ResponseStream.Current.KindCase == StreamRowsResponse.KindOneofCase.Schema)
        {
            return probe.ResponseStream.Current.Schema;
        }

        throw new RpcException(new Status(StatusCode.Internal, "The service did not start the stream with a schema."));
    }

    private static void WriteRow(Utf8JsonWriter json, DataRow row)
    {
        for (var i = 0; i < row.Values.Count; i++)
        {
            json.WritePropertyName(row.Schema.Columns[i].Name);
            WriteJsonValue(json, row.Values[i], row.Schema.Columns[i].Type);
        }
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value, ColumnType type)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case long l: json.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case string s when type == ColumnType.Json: json.WriteRawValue(s, skipInputValidation: true); break;
            case byte[]: json.WriteStringValue(FormatValue(value)); break;
            case Array array:
                json.WriteStartArray();
                foreach (var item in array)
                {
                    WriteJsonValue(json, item, type);
                }

                json.WriteEndArray();
                break;
            default: json.WriteStringValue(FormatValue(value)); break;
        }
    }

    internal static string FormatValue(object? value) => value switch
    {
        null => "NULL",
        byte[] bytes => "\\x" + Convert.ToHexStringLower(bytes),
        DateTimeOffset instant => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTime local => local.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Array array => "{" + string.Join(',', array.Cast<object?>().Select(FormatValue)) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
