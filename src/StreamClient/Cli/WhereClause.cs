using System.Globalization;
using Google.Protobuf;
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
internal sealed record WhereClause(string Column, FilterOperator Operator, IReadOnlyList<string> Values)
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

                clause = new WhereClause(column, op, []);
                return true;
            }

            if (value.Length == 0)
            {
                error = $"--where '{text}': missing value after '{opText}'.";
                return false;
            }

            var values = op == FilterOperator.In ? value.Split(',', StringSplitOptions.TrimEntries) : [Unquote(value)];
            clause = new WhereClause(column, op, values);
            return true;
        }

        error = $"--where '{text}': unknown operator; use = != < <= > >= in like, is null, is not null.";
        return false;
    }

    public Filter ToFilter(Schema schema)
    {
        var column = schema.Columns.FirstOrDefault(c => c.Name == Column)
            ?? throw new ArgumentException($"--where: the dataset has no column '{Column}'.");
        var filter = new Filter { Column = Column, Operator = Operator };
        filter.Values.Add(Values.Select(v => ToValue(v, column)));
        return filter;
    }

    private static Value ToValue(string text, Column column)
    {
        if (string.Equals(text, "null", StringComparison.OrdinalIgnoreCase))
        {
            return new Value { NullValue = NullValue.NullValue };
        }

        var invariant = CultureInfo.InvariantCulture;
        return column.Type switch
        {
            ColumnType.Bool => new Value { BoolValue = bool.Parse(text) },
            ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 => new Value { IntValue = long.Parse(text, NumberStyles.Integer, invariant) },
            ColumnType.Float32 or ColumnType.Float64 => new Value { DoubleValue = double.Parse(text, NumberStyles.Float, invariant) },
            ColumnType.Numeric => new Value { NumericValue = text },
            ColumnType.Bytes => new Value { BytesValue = ByteString.FromBase64(text) },
            ColumnType.Uuid => new Value { UuidValue = Guid.Parse(text).ToString() },
            ColumnType.Json => new Value { JsonValue = text },
            ColumnType.Timestamp => new Value { TimestampValue = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(text, invariant, DateTimeStyles.AssumeUniversal)) },
            ColumnType.LocalTimestamp => new Value { TimestampValue = Timestamp.FromDateTime(DateTime.SpecifyKind(DateTime.Parse(text, invariant), DateTimeKind.Utc)) },
            ColumnType.Date => new Value { DateValue = DateOnly.Parse(text, invariant).ToString("yyyy-MM-dd", invariant) },
            ColumnType.Time => new Value { TimeValue = TimeOnly.Parse(text, invariant).ToString("HH:mm:ss.FFFFFFF", invariant) },
            _ => new Value { TextValue = text },
        };
    }

    private static string Unquote(string value)
        => value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;
}
