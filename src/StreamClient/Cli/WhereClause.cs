using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using NullValue = Google.Protobuf.WellKnownTypes.NullValue;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary>
/// A <c>--where</c> argument, "column op value": op is one of = != &lt; &lt;= &gt; &gt;= in like,
/// or the value-less "is null" / "is not null"; "in" takes comma-separated values. Values are typed
/// by the column's type from the stream's schema, so the text "42" becomes an integer for an int
/// column and a string for a text column.
/// </summary>
/// <remarks>The syntax is the CLI's to judge (a usage error, exit 2); the column and the literal are
/// judged against the dataset, as the service judges <c>--columns</c>: an unknown column is left to
/// the service, a literal that does not fit its column's type is INVALID_ARGUMENT (exit 67) with a
/// message naming the column, its type and what was expected.</remarks>
internal sealed record WhereClause(string Text, string Column, FilterOperator Operator, IReadOnlyList<string> Values)
{
    private static readonly (string Text, FilterOperator Op)[] Operators =
    [
        ("is not null", FilterOperator.IsNotNull), ("is null", FilterOperator.IsNull),
        ("<=", FilterOperator.LessOrEqual), (">=", FilterOperator.GreaterOrEqual), ("!=", FilterOperator.NotEqual),
        ("<>", FilterOperator.NotEqual), ("=", FilterOperator.Equal), ("<", FilterOperator.Less), (">", FilterOperator.Greater),
        ("in", FilterOperator.In), ("like", FilterOperator.Like),
    ];

    public static bool TryParse(string text, out WhereClause? clause, out string? error)
    {
        clause = null;
        error = null;
        var trimmed = text.Trim();
        var space = trimmed.IndexOfAny([' ', '=', '!', '<', '>']);
        if (space <= 0)
        {
            error = $"--where '{text}': expected \"column op value\".";
            return false;
        }

        var column = trimmed[..space];
        var rest = trimmed[space..].TrimStart();
        foreach (var (opText, op) in Operators)
        {
            var isWord = char.IsLetter(opText[0]);
            if (!rest.StartsWith(opText, StringComparison.OrdinalIgnoreCase) || (isWord && rest.Length > opText.Length && !char.IsWhiteSpace(rest[opText.Length])))
            {
                continue;
            }

            var value = rest[opText.Length..].Trim();
            if (op is FilterOperator.IsNull or FilterOperator.IsNotNull)
            {
                if (value.Length > 0)
                {
                    error = $"--where '{text}': '{opText}' takes no value.";
                    return false;
                }

                clause = new WhereClause(text, column, op, []);
                return true;
            }

            if (value.Length == 0)
            {
                error = $"--where '{text}': missing value after '{opText}'.";
                return false;
            }

            var values = op == FilterOperator.In ? value.Split(',', StringSplitOptions.TrimEntries) : [Unquote(value)];
            clause = new WhereClause(text, column, op, values);
            return true;
        }

        error = $"--where '{text}': unknown operator; use = != < <= > >= in like, is null, is not null.";
        return false;
    }

    /// <summary>The filter, its values typed by the column's type in <paramref name="schema"/>.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: a literal does not fit the column's type.</exception>
    public Filter ToFilter(Schema schema)
    {
        var filter = new Filter { Column = Column, Operator = Operator };
        if (schema.Columns.FirstOrDefault(c => c.Name == Column) is not { } column)
        {
            // The service names an unknown column (INVALID_ARGUMENT), exactly as for --columns.
            filter.Values.Add(Values.Select(v => new Value { TextValue = v }));
            return filter;
        }

        filter.Values.Add(Values.Select(v => ToValue(v, column)));
        return filter;
    }

    private Value ToValue(string text, Column column)
    {
        if (string.Equals(text, "null", StringComparison.OrdinalIgnoreCase))
        {
            return new Value { NullValue = NullValue.NullValue };
        }

        var invariant = CultureInfo.InvariantCulture;
        var value = column.Type switch
        {
            ColumnType.Bool => bool.TryParse(text, out var b) ? new Value { BoolValue = b } : null,
            ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 =>
                long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var l) ? new Value { IntValue = l } : null,
            ColumnType.Float32 or ColumnType.Float64 =>
                double.TryParse(text, NumberStyles.Float, invariant, out var d) ? new Value { DoubleValue = d } : null,
            ColumnType.Numeric => new Value { NumericValue = text }, // the service checks the digits and says so
            ColumnType.Bytes => TryBase64(text) is { } bytes ? new Value { BytesValue = bytes } : null,
            ColumnType.Uuid => Guid.TryParse(text, out var uuid) ? new Value { UuidValue = uuid.ToString() } : null,
            ColumnType.Json => new Value { JsonValue = text },
            ColumnType.Timestamp => DateTimeOffset.TryParse(text, invariant, DateTimeStyles.AssumeUniversal, out var instant)
                ? new Value { TimestampValue = Timestamp.FromDateTimeOffset(instant) } : null,
            ColumnType.LocalTimestamp => DateTime.TryParse(text, invariant, DateTimeStyles.None, out var local)
                ? new Value { TimestampValue = Timestamp.FromDateTime(DateTime.SpecifyKind(local, DateTimeKind.Utc)) } : null,
            ColumnType.Date => DateOnly.TryParse(text, invariant, DateTimeStyles.None, out var date)
                ? new Value { DateValue = date.ToString("yyyy-MM-dd", invariant) } : null,
            ColumnType.Time => TimeOnly.TryParse(text, invariant, DateTimeStyles.None, out var time)
                ? new Value { TimeValue = time.ToString("HH:mm:ss.FFFFFFF", invariant) } : null,
            _ => new Value { TextValue = text },
        };

        return value ?? throw new RpcException(new Status(StatusCode.InvalidArgument,
            $"--where '{Text}': column '{column.Name}' is {TypeName(column)}; expected {Expected(column.Type)}, not '{text}'."));
    }

    private static ByteString? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? ByteString.CopyFrom(buffer, 0, written) : null;
    }

    private static string TypeName(Column column) =>
        string.IsNullOrEmpty(column.DatabaseType) ? column.Type.ToString().ToLowerInvariant() : column.DatabaseType;

    private static string Expected(ColumnType type) => type switch
    {
        ColumnType.Bool => "true or false",
        ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 => "an integer such as 42",
        ColumnType.Float32 or ColumnType.Float64 => "a number such as 1.5",
        ColumnType.Bytes => "base64 bytes such as AAEC",
        ColumnType.Uuid => "a UUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        ColumnType.Timestamp => "a timestamp such as 2024-05-01T12:00:00Z",
        ColumnType.LocalTimestamp => "a timestamp such as 2024-05-01T12:00:00",
        ColumnType.Date => "a date such as 2024-05-01",
        ColumnType.Time => "a time of day such as 12:30:00",
        _ => "a value of that type",
    };

    private static string Unquote(string value)
        => value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;
}
