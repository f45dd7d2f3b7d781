using System.Globalization;
using System.Text;
using System.Text.Json;
using NpgsqlTypes;
using StreamGrpc.V1;

namespace StreamService.Jobs;

/// <summary>The text forms each column type accepts, and the writer for each type. Forms follow
/// PostgreSQL's own input syntax where it is unambiguous: booleans as t/f/true/false/yes/no/on/off/1/0,
/// bytea as \x hex, timestamps in ISO 8601 (timestamptz without an offset is UTC).</summary>
internal static class ImportColumnWriters
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>Why a column cannot be imported into, or null when it can.</summary>
    public static string? Unsupported(ImportTargetColumn column) =>
        column.IsArray || column.Type is ColumnType.Other or ColumnType.Unspecified
            ? $"column '{column.Name}' has type {column.DatabaseType}, which imports do not support"
            : null;

    /// <summary>A writer for <paramref name="column"/> with <paramref name="capacity"/> slots (rows of a batch).</summary>
    public static ImportColumnWriter Create(ImportTargetColumn column, int capacity) => column.Type switch
    {
        ColumnType.Bool => new ImportColumnWriter<bool>(column, NpgsqlDbType.Boolean, ParseBool, capacity),
        ColumnType.Int16 => new ImportColumnWriter<short>(column, NpgsqlDbType.Smallint, ParseInt16, capacity),
        ColumnType.Int32 => new ImportColumnWriter<int>(column, NpgsqlDbType.Integer, ParseInt32, capacity),
        ColumnType.Int64 => new ImportColumnWriter<long>(column, NpgsqlDbType.Bigint, ParseInt64, capacity),
        ColumnType.Float32 => new ImportColumnWriter<float>(column, NpgsqlDbType.Real, ParseFloat32, capacity),
        ColumnType.Float64 => new ImportColumnWriter<double>(column, NpgsqlDbType.Double, ParseFloat64, capacity),
        ColumnType.Numeric => new ImportColumnWriter<decimal>(column, NpgsqlDbType.Numeric, ParseNumeric, capacity),
        ColumnType.Text => new ImportTextColumnWriter(column, capacity),
        ColumnType.Bytes => new ImportColumnWriter<byte[]>(column, NpgsqlDbType.Bytea, ParseBytes, capacity),
        ColumnType.Uuid => new ImportColumnWriter<Guid>(column, NpgsqlDbType.Uuid, ParseUuid, capacity),
        ColumnType.Json => new ImportColumnWriter<string>(column, column.TypeOid == 3802 ? NpgsqlDbType.Jsonb : NpgsqlDbType.Json, ParseJson, capacity),
        ColumnType.Timestamp => new ImportColumnWriter<DateTime>(column, NpgsqlDbType.TimestampTz, ParseTimestampTz, capacity),
        ColumnType.LocalTimestamp => new ImportColumnWriter<DateTime>(column, NpgsqlDbType.Timestamp, ParseLocalTimestamp, capacity),
        ColumnType.Date => new ImportColumnWriter<DateOnly>(column, NpgsqlDbType.Date, ParseDate, capacity),
        ColumnType.Time => new ImportColumnWriter<TimeOnly>(column, NpgsqlDbType.Time, ParseTime, capacity),
        _ => throw new InvalidOperationException(Unsupported(column)),
    };

    private static string? ParseBool(ReadOnlySpan<char> text, out bool value)
    {
        var t = text.Trim();
        if (t.Equals("t", StringComparison.OrdinalIgnoreCase) || t.Equals("true", StringComparison.OrdinalIgnoreCase)
            || t.Equals("y", StringComparison.OrdinalIgnoreCase) || t.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || t.Equals("on", StringComparison.OrdinalIgnoreCase) || t.SequenceEqual("1"))
        {
            value = true;
            return null;
        }

        value = false;
        return t.Equals("f", StringComparison.OrdinalIgnoreCase) || t.Equals("false", StringComparison.OrdinalIgnoreCase)
            || t.Equals("n", StringComparison.OrdinalIgnoreCase) || t.Equals("no", StringComparison.OrdinalIgnoreCase)
            || t.Equals("off", StringComparison.OrdinalIgnoreCase) || t.SequenceEqual("0")
            ? null
            : Not(text, "a boolean");
    }

    private static string? ParseInt16(ReadOnlySpan<char> text, out short value) =>
        short.TryParse(text, NumberStyles.Integer, s_invariant, out value) ? null : Not(text, "a smallint (-32768..32767)");

    private static string? ParseInt32(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, NumberStyles.Integer, s_invariant, out value) ? null : Not(text, "an integer");

    private static string? ParseInt64(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.Integer, s_invariant, out value) ? null : Not(text, "a bigint");

    private static string? ParseFloat32(ReadOnlySpan<char> text, out float value) =>
        float.TryParse(text, NumberStyles.Float, s_invariant, out value) ? null : Not(text, "a real number");

    private static string? ParseFloat64(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, s_invariant, out value) ? null : Not(text, "a double precision number");

    private static string? ParseNumeric(ReadOnlySpan<char> text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, s_invariant, out value) ? null : Not(text, "a number (at most 28 significant digits)");

    /// <summary>Why a text value is refused (NUL, or longer than <paramref name="maxLength"/>
    /// characters when that is not 0), or null.</summary>
    public static string? CheckText(ReadOnlySpan<char> text, int maxLength)
    {
        if (text.Contains('\0'))
        {
            return "text cannot contain NUL characters";
        }

        return maxLength > 0 && text.Length > maxLength && CountRunes(text) > maxLength ? $"longer than {maxLength} characters" : null;
    }

    private static int CountRunes(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string? ParseBytes(ReadOnlySpan<char> text, out byte[] value)
    {
        value = [];
        if (!text.StartsWith("\\x", StringComparison.OrdinalIgnoreCase) || (text.Length & 1) != 0)
        {
            return Not(text, "bytea in hex form (\\x...)");
        }

        try
        {
            value = Convert.FromHexString(text[2..]);
            return null;
        }
        catch (FormatException)
        {
            return Not(text, "bytea in hex form (\\x...)");
        }
    }

    private static string? ParseUuid(ReadOnlySpan<char> text, out Guid value) =>
        Guid.TryParse(text.Trim(), out value) ? null : Not(text, "a uuid");

    private static string? ParseJson(ReadOnlySpan<char> text, out string value)
    {
        value = text.ToString();
        try
        {
            // Checked here so one bad document rejects its record instead of failing the whole COPY.
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(value), new JsonReaderOptions { MaxDepth = 256 });
            while (reader.Read())
            {
            }

            return value.Contains('\0') ? "JSON cannot contain NUL characters" : null;
        }
        catch (JsonException)
        {
            return Not(text, "valid JSON");
        }
    }

    private static string? ParseTimestampTz(ReadOnlySpan<char> text, out DateTime value)
    {
        if (DateTimeOffset.TryParse(text.Trim(), s_invariant, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var instant))
        {
            value = instant.UtcDateTime;
            return null;
        }

        value = default;
        return Not(text, "a timestamp (ISO 8601)");
    }

    private static string? ParseLocalTimestamp(ReadOnlySpan<char> text, out DateTime value)
    {
        if (DateTime.TryParse(text.Trim(), s_invariant, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out var parsed))
        {
            value = DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified);
            return null;
        }

        value = default;
        return Not(text, "a timestamp (ISO 8601)");
    }

    private static string? ParseDate(ReadOnlySpan<char> text, out DateOnly value) =>
        TryParseIsoDate(text, out value)
        || DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", s_invariant, DateTimeStyles.None, out value)
        || DateOnly.TryParse(text.Trim(), s_invariant, DateTimeStyles.None, out value)
            ? null
            : Not(text, "a date (yyyy-mm-dd)");

    /// <summary>The form nearly every file uses, exactly <c>yyyy-mm-dd</c>, without the framework's
    /// format parser: that parser was about 6% of the import's CPU in the profile (bench/RESULTS.md,
    /// Imports), for one fixed layout of three digit groups. Anything else (spaces, other forms, a
    /// day the month does not have) returns false and goes to the framework's parsers as before.</summary>
    internal static bool TryParseIsoDate(ReadOnlySpan<char> text, out DateOnly value)
    {
        value = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !int.TryParse(text[..4], NumberStyles.None, s_invariant, out var year)
            || !int.TryParse(text.Slice(5, 2), NumberStyles.None, s_invariant, out var month)
            || !int.TryParse(text.Slice(8, 2), NumberStyles.None, s_invariant, out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        value = new DateOnly(year, month, day);
        return true;
    }

    private static string? ParseTime(ReadOnlySpan<char> text, out TimeOnly value) =>
        TimeOnly.TryParse(text.Trim(), s_invariant, DateTimeStyles.None, out value) ? null : Not(text, "a time of day");

    private static string Not(ReadOnlySpan<char> text, string what) => $"{ImportColumnWriter.Excerpt(text)} is not {what}";
}
