using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using StreamGrpc.V1;
using Value = StreamGrpc.V1.Value;

namespace StreamService.Rows;

/// <summary>Reads one column of the current row into a typed <see cref="Value"/> object: used for
/// key columns, whose values the resume token needs. The reader runs with <c>SequentialAccess</c>,
/// so columns are read once each, in order, with the async methods.</summary>
internal delegate ValueTask<Value> RowValueReader(NpgsqlDataReader reader, int ordinal, CancellationToken cancellationToken);

/// <summary>Chooses the <see cref="RowValueReader"/> of each column type.</summary>
internal static class RowValueReaders
{
    /// <summary>The NULL value. One shared instance: values are never mutated after they are read.</summary>
    public static Value Null { get; } = new() { NullValue = NullValue.NullValue };

    /// <summary>Key columns only (scalars of orderable types); other columns are encoded straight
    /// to the wire by <see cref="ColumnEncoders"/>, which must agree with these readers.</summary>
    public static RowValueReader For(DatasetColumn column) => column.IsArray
        ? throw new ArgumentException("key columns cannot be arrays", nameof(column))
        : ForScalar(column.Type);

    private static RowValueReader ForScalar(ColumnType type) => type switch
    {
        ColumnType.Bool => static (r, i, ct) => Read<bool>(r, i, static v => new Value { BoolValue = v }, ct),
        ColumnType.Int16 => static (r, i, ct) => Read<short>(r, i, static v => new Value { IntValue = v }, ct),
        ColumnType.Int32 => static (r, i, ct) => Read<int>(r, i, static v => new Value { IntValue = v }, ct),
        ColumnType.Int64 => static (r, i, ct) => Read<long>(r, i, static v => new Value { IntValue = v }, ct),
        ColumnType.Float32 => static (r, i, ct) => Read<float>(r, i, static v => new Value { DoubleValue = v }, ct),
        ColumnType.Float64 => static (r, i, ct) => Read<double>(r, i, static v => new Value { DoubleValue = v }, ct),
        ColumnType.Numeric => static (r, i, ct) => Read<string>(r, i, static v => new Value { NumericValue = v }, ct),
        ColumnType.Text or ColumnType.Other => static (r, i, ct) => Read<string>(r, i, static v => new Value { TextValue = v }, ct),
        ColumnType.Json => static (r, i, ct) => Read<string>(r, i, static v => new Value { JsonValue = v }, ct),
        // The array is ours: wrap it instead of copying.
        ColumnType.Bytes => static (r, i, ct) => Read<byte[]>(r, i, static v => new Value { BytesValue = UnsafeByteOperations.UnsafeWrap(v) }, ct),
        ColumnType.Uuid => static (r, i, ct) => Read<Guid>(r, i, static v => new Value { UuidValue = FormatUuid(v) }, ct),
        ColumnType.Timestamp or ColumnType.LocalTimestamp => static (r, i, ct) => Read<DateTime>(r, i, static v => new Value { TimestampValue = ToTimestamp(v) }, ct),
        ColumnType.Date => static (r, i, ct) => Read<DateOnly>(r, i, static v => new Value { DateValue = FormatDate(v) }, ct),
        ColumnType.Time => static (r, i, ct) => Read<TimeOnly>(r, i, static v => new Value { TimeValue = FormatTime(v) }, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no reader for this column type"),
    };

    private static async ValueTask<Value> Read<T>(NpgsqlDataReader reader, int ordinal, Func<T, Value> map, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken).ConfigureAwait(false))
        {
            return Null;
        }

        return map(await reader.GetFieldValueAsync<T>(ordinal, cancellationToken).ConfigureAwait(false));
    }

    private static string FormatUuid(Guid value) => value.ToString("D");

    // Npgsql reads timestamptz as UTC and timestamp as Unspecified (a wall-clock time, sent as if UTC);
    // 'infinity' arrives as DateTime.MaxValue/MinValue.
    private static Timestamp ToTimestamp(DateTime value) => Timestamp.FromDateTime(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    // Npgsql maps 'infinity' dates to DateOnly.MaxValue/MinValue.
    private static string FormatDate(DateOnly value) =>
        value == DateOnly.MaxValue ? "infinity"
        : value == DateOnly.MinValue ? "-infinity"
        : value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string FormatTime(TimeOnly value) => value.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
}
