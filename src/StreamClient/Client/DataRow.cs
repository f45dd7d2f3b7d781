using System.Globalization;
using StreamGrpc.V1;

namespace StreamClient;

/// <summary>One row with its schema; values are CLR values (null for SQL NULL): bool, long, double,
/// string (text, numeric at full precision, JSON), byte[], Guid, DateTimeOffset (timestamptz),
/// DateTime (timestamp without time zone), DateOnly, TimeOnly, or object?[] for arrays.</summary>
public sealed class DataRow
{
    private readonly Schema _schema;

    internal DataRow(Schema schema, Row row, string resumeToken)
    {
        _schema = schema;
        Raw = row;
        ResumeToken = resumeToken;
        Values = row.Values.Select((v, i) => ToClr(v, i < schema.Columns.Count ? schema.Columns[i].Type : ColumnType.Unspecified)).ToArray();
    }

    /// <summary>The stream's schema.</summary>
    public Schema Schema => _schema;

    /// <summary>The row as it came over the wire.</summary>
    public Row Raw { get; }

    /// <summary>CLR values in schema column order.</summary>
    public IReadOnlyList<object?> Values { get; }

    /// <summary>Token that resumes after the batch this row arrived in.</summary>
    public string ResumeToken { get; }

    /// <summary>The value of a column by name.</summary>
    public object? this[string column]
    {
        get
        {
            for (var i = 0; i < _schema.Columns.Count; i++)
            {
                if (_schema.Columns[i].Name == column)
                {
                    return Values[i];
                }
            }

            throw new KeyNotFoundException($"No column '{column}' in this stream.");
        }
    }

    /// <summary>Converts a wire value to its CLR value.</summary>
    public static object? ToClr(Value value, ColumnType type) => value.KindCase switch
    {
        Value.KindOneofCase.None or Value.KindOneofCase.NullValue => null,
        Value.KindOneofCase.BoolValue => value.BoolValue,
        Value.KindOneofCase.IntValue => value.IntValue,
        Value.KindOneofCase.DoubleValue => value.DoubleValue,
        Value.KindOneofCase.NumericValue => value.NumericValue,
        Value.KindOneofCase.TextValue => value.TextValue,
        Value.KindOneofCase.BytesValue => value.BytesValue.ToByteArray(),
        Value.KindOneofCase.UuidValue => Guid.Parse(value.UuidValue),
        Value.KindOneofCase.JsonValue => value.JsonValue,
        Value.KindOneofCase.TimestampValue when type == ColumnType.LocalTimestamp => DateTime.SpecifyKind(value.TimestampValue.ToDateTime(), DateTimeKind.Unspecified),
        Value.KindOneofCase.TimestampValue => value.TimestampValue.ToDateTimeOffset(),
        Value.KindOneofCase.DateValue => DateOnly.ParseExact(value.DateValue, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Value.KindOneofCase.TimeValue => TimeOnly.Parse(value.TimeValue, CultureInfo.InvariantCulture),
        Value.KindOneofCase.ArrayValue => value.ArrayValue.Values.Select(v => ToClr(v, type)).ToArray(),
        _ => null,
    };
}
