using System.Globalization;
using System.Text.RegularExpressions;
using NpgsqlTypes;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Turns a caller's typed <see cref="Value"/> into a query parameter for a column, or
/// rejects it with a message naming the problem. Filter operands and resume-token keys both pass
/// through here, so nothing reaches the database without a type check.</summary>
internal static partial class SqlValueConverter
{
    private static readonly string[] TimeFormats = ["HH:mm:ss", "HH:mm:ss.FFFFFFF", "HH:mm"];

    /// <param name="column">The column compared with.</param>
    /// <param name="value">The caller's value (never NULL here: NULL compares with IS NULL).</param>
    /// <param name="maxLength">Longest text or bytes accepted.</param>
    /// <param name="context">Where the value came from, for the message (e.g. "filter 2 on column 'id'").</param>
    public static SqlValue Convert(DatasetColumn column, Value value, int maxLength, string context)
    {
        var wrong = () => RowsException.InvalidArgument(
            $"{context}: a {Describe(value)} value does not match the column type {ColumnTypeMapping.Describe(column)}");

        switch (column.Type)
        {
            case ColumnType.Bool when value.KindCase == Value.KindOneofCase.BoolValue:
                return new SqlValue(value.BoolValue, NpgsqlDbType.Boolean);

            case ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 when value.KindCase == Value.KindOneofCase.IntValue:
                // An int8 parameter compares with int2/int4 columns through PostgreSQL's cross-type
                // operators (still index-backed), so no range check is needed.
                return new SqlValue(value.IntValue, NpgsqlDbType.Bigint);

            case ColumnType.Float32 or ColumnType.Float64:
                return value.KindCase switch
                {
                    Value.KindOneofCase.DoubleValue => new SqlValue(value.DoubleValue, NpgsqlDbType.Double),
                    Value.KindOneofCase.IntValue => new SqlValue((double)value.IntValue, NpgsqlDbType.Double),
                    _ => throw wrong(),
                };

            case ColumnType.Numeric:
                var numeric = value.KindCase switch
                {
                    Value.KindOneofCase.NumericValue => value.NumericValue.Trim(),
                    Value.KindOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
                    _ => throw wrong(),
                };
                if (numeric.Length > maxLength || !NumericPattern().IsMatch(numeric))
                {
                    throw RowsException.InvalidArgument($"{context}: '{RowsMessages.Quote(numeric)}' is not a decimal number");
                }

                // Sent as text and cast on the server: a .NET decimal would lose digits.
                return new SqlValue(numeric, NpgsqlDbType.Text, "numeric");

            case ColumnType.Text when value.KindCase == Value.KindOneofCase.TextValue:
                return new SqlValue(CheckText(value.TextValue, maxLength, context), NpgsqlDbType.Text);

            case ColumnType.Bytes when value.KindCase == Value.KindOneofCase.BytesValue:
                if (value.BytesValue.Length > maxLength)
                {
                    throw RowsException.InvalidArgument($"{context}: the value is longer than {maxLength} bytes");
                }

                return new SqlValue(value.BytesValue.ToByteArray(), NpgsqlDbType.Bytea);

            case ColumnType.Uuid when value.KindCase == Value.KindOneofCase.UuidValue:
                if (!Guid.TryParseExact(value.UuidValue, "D", out var uuid))
                {
                    throw RowsException.InvalidArgument($"{context}: '{RowsMessages.Quote(value.UuidValue)}' is not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
                }

                return new SqlValue(uuid, NpgsqlDbType.Uuid);

            case ColumnType.Timestamp or ColumnType.LocalTimestamp when value.KindCase == Value.KindOneofCase.TimestampValue:
                var timestamp = value.TimestampValue;
                if (timestamp.Nanos is < 0 or > 999_999_999 || timestamp.Seconds < MinTimestampSeconds || timestamp.Seconds > MaxTimestampSeconds)
                {
                    throw RowsException.InvalidArgument($"{context}: the timestamp is out of range (years 1 to 9999)");
                }

                var utc = timestamp.ToDateTime();
                return column.Type == ColumnType.Timestamp
                    ? new SqlValue(utc, NpgsqlDbType.TimestampTz)
                    : new SqlValue(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp);

            case ColumnType.Date when value.KindCase == Value.KindOneofCase.DateValue:
                var date = value.DateValue.Trim();
                if (date is not ("infinity" or "-infinity")
                    && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    throw RowsException.InvalidArgument($"{context}: '{RowsMessages.Quote(date)}' is not a date (expected yyyy-MM-dd)");
                }

                return new SqlValue(date, NpgsqlDbType.Text, "date");

            case ColumnType.Time when value.KindCase == Value.KindOneofCase.TimeValue:
                if (!TimeOnly.TryParseExact(value.TimeValue.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                {
                    throw RowsException.InvalidArgument($"{context}: '{RowsMessages.Quote(value.TimeValue)}' is not a time of day (expected HH:mm:ss[.ffffff])");
                }

                return new SqlValue(time, NpgsqlDbType.Time);

            default:
                throw wrong();
        }
    }

    /// <summary>Text PostgreSQL can store: no NUL characters, bounded length.</summary>
    public static string CheckText(string text, int maxLength, string context)
    {
        if (text.Length > maxLength)
        {
            throw RowsException.InvalidArgument($"{context}: the value is longer than {maxLength} characters");
        }

        if (text.Contains('\0'))
        {
            throw RowsException.InvalidArgument($"{context}: text values cannot contain NUL characters");
        }

        return text;
    }

    /// <summary>The name of the field a value uses, for messages.</summary>
    public static string Describe(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.None => "empty",
        Value.KindOneofCase.NullValue => "null",
        Value.KindOneofCase.BoolValue => "bool",
        Value.KindOneofCase.IntValue => "int",
        Value.KindOneofCase.DoubleValue => "double",
        Value.KindOneofCase.NumericValue => "numeric",
        Value.KindOneofCase.TextValue => "text",
        Value.KindOneofCase.BytesValue => "bytes",
        Value.KindOneofCase.UuidValue => "uuid",
        Value.KindOneofCase.JsonValue => "json",
        Value.KindOneofCase.TimestampValue => "timestamp",
        Value.KindOneofCase.DateValue => "date",
        Value.KindOneofCase.TimeValue => "time",
        Value.KindOneofCase.ArrayValue => "array",
        _ => value.KindCase.ToString(),
    };

    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z as Unix seconds.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    // PostgreSQL's numeric input syntax (section 4.1.2.4 "Numeric Constants"), plus NaN and infinities.
    [GeneratedRegex(@"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|NaN|[+-]?Infinity)\z", RegexOptions.CultureInvariant)]
    private static partial Regex NumericPattern();
}
