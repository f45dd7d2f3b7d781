using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Reads one column of the current row and appends it to <see cref="RowEncoding.Row"/> as
/// an encoded <see cref="Value"/>. The reader runs with <c>SequentialAccess</c>, so columns are
/// read once each, in order, with the async methods (a large value may still be on the network).</summary>
internal delegate ValueTask ColumnEncoder(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, CancellationToken cancellationToken);

/// <summary>Scratch buffers of one stream: the row being encoded and an array's elements.</summary>
internal sealed class RowEncoding : IDisposable
{
    public ProtoWriter Row { get; } = new(1024);

    public ProtoWriter ArrayElements { get; } = new(256);

    public void Dispose()
    {
        Row.Dispose();
        ArrayElements.Dispose();
    }
}

/// <summary>Chooses the <see cref="ColumnEncoder"/> of each column type.</summary>
internal static class ColumnEncoders
{
    public static ColumnEncoder For(DatasetColumn column) => column.IsArray ? ForArray(column.Type) : ForScalar(column.Type);

    private static ColumnEncoder ForScalar(ColumnType type) => type switch
    {
        ColumnType.Bool => static (r, i, e, ct) => EncodeValue<bool>(r, i, e, ValueEncoder.WriteBool, ct),
        ColumnType.Int16 => static (r, i, e, ct) => EncodeValue<short>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v), ct),
        ColumnType.Int32 => static (r, i, e, ct) => EncodeValue<int>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v), ct),
        ColumnType.Int64 => static (r, i, e, ct) => EncodeValue<long>(r, i, e, ValueEncoder.WriteInt, ct),
        ColumnType.Float32 => static (r, i, e, ct) => EncodeValue<float>(r, i, e, static (w, v) => ValueEncoder.WriteDouble(w, v), ct),
        ColumnType.Float64 => static (r, i, e, ct) => EncodeValue<double>(r, i, e, ValueEncoder.WriteDouble, ct),
        // numeric is selected as text (see ColumnTypeMapping.ReadCast): every digit survives.
        // Text-like columns are read as their UTF-8 bytes (the connection's client_encoding) and
        // copied as they are: no decoding to a .NET string and encoding back.
        ColumnType.Numeric => static (r, i, e, ct) => EncodeUtf8(r, i, e, ValueEncoder.NumericTag, ct),
        ColumnType.Text or ColumnType.Other => static (r, i, e, ct) => EncodeUtf8(r, i, e, ValueEncoder.TextTag, ct),
        ColumnType.Json => static (r, i, e, ct) => EncodeUtf8(r, i, e, ValueEncoder.JsonTag, ct),
        ColumnType.Bytes => static (r, i, e, ct) => EncodeBytes(r, i, e, ct),
        ColumnType.Uuid => static (r, i, e, ct) => EncodeValue<Guid>(r, i, e, ValueEncoder.WriteUuid, ct),
        // Npgsql reads timestamptz as UTC and timestamp as a wall-clock time (sent as if UTC);
        // 'infinity' arrives as DateTime.MaxValue/MinValue.
        ColumnType.Timestamp or ColumnType.LocalTimestamp => static (r, i, e, ct) => EncodeValue<DateTime>(r, i, e, ValueEncoder.WriteTimestamp, ct),
        ColumnType.Date => static (r, i, e, ct) => EncodeValue<DateOnly>(r, i, e, ValueEncoder.WriteDate, ct),
        ColumnType.Time => static (r, i, e, ct) => EncodeValue<TimeOnly>(r, i, e, ValueEncoder.WriteTime, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no encoder for this column type"),
    };

    private static ColumnEncoder ForArray(ColumnType type) => type switch
    {
        ColumnType.Bool => static (r, i, e, ct) => EncodeArray<bool?>(r, i, e, static (w, v) => ValueEncoder.WriteBool(w, v!.Value), ct),
        ColumnType.Int16 => static (r, i, e, ct) => EncodeArray<short?>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v!.Value), ct),
        ColumnType.Int32 => static (r, i, e, ct) => EncodeArray<int?>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v!.Value), ct),
        ColumnType.Int64 => static (r, i, e, ct) => EncodeArray<long?>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v!.Value), ct),
        ColumnType.Float32 => static (r, i, e, ct) => EncodeArray<float?>(r, i, e, static (w, v) => ValueEncoder.WriteDouble(w, v!.Value), ct),
        ColumnType.Float64 => static (r, i, e, ct) => EncodeArray<double?>(r, i, e, static (w, v) => ValueEncoder.WriteDouble(w, v!.Value), ct),
        ColumnType.Numeric => static (r, i, e, ct) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.NumericTag, v!), ct),
        ColumnType.Text => static (r, i, e, ct) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.TextTag, v!), ct),
        ColumnType.Json => static (r, i, e, ct) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.JsonTag, v!), ct),
        ColumnType.Bytes => static (r, i, e, ct) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteBytes(w, v!), ct),
        ColumnType.Uuid => static (r, i, e, ct) => EncodeArray<Guid?>(r, i, e, static (w, v) => ValueEncoder.WriteUuid(w, v!.Value), ct),
        ColumnType.Timestamp or ColumnType.LocalTimestamp => static (r, i, e, ct) => EncodeArray<DateTime?>(r, i, e, static (w, v) => ValueEncoder.WriteTimestamp(w, v!.Value), ct),
        ColumnType.Date => static (r, i, e, ct) => EncodeArray<DateOnly?>(r, i, e, static (w, v) => ValueEncoder.WriteDate(w, v!.Value), ct),
        ColumnType.Time => static (r, i, e, ct) => EncodeArray<TimeOnly?>(r, i, e, static (w, v) => ValueEncoder.WriteTime(w, v!.Value), ct),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no encoder for arrays of this column type"),
    };

    // Value types are read as Nullable<T>: Npgsql returns null for NULL, saving the separate
    // IsDBNull round of every cell (a measurable share of the CPU of a stream).
    private static async ValueTask EncodeValue<T>(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, Action<ProtoWriter, T> write, CancellationToken cancellationToken)
        where T : struct
    {
        if (await reader.GetFieldValueAsync<T?>(ordinal, cancellationToken).ConfigureAwait(false) is { } value)
        {
            write(encoding.Row, value);
        }
        else
        {
            ValueEncoder.WriteNull(encoding.Row);
        }
    }

    private static async ValueTask EncodeUtf8(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, byte tag, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken).ConfigureAwait(false))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        ValueEncoder.WriteUtf8(encoding.Row, tag, await reader.GetFieldValueAsync<byte[]>(ordinal, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask EncodeBytes(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken).ConfigureAwait(false))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        ValueEncoder.WriteBytes(encoding.Row, await reader.GetFieldValueAsync<byte[]>(ordinal, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Elements are non-null when <paramref name="write"/> is called; NULL elements are
    /// written as null values here.</summary>
    private static async ValueTask EncodeArray<T>(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, Action<ProtoWriter, T> write, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken).ConfigureAwait(false))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        var elements = await reader.GetFieldValueAsync<T[]>(ordinal, cancellationToken).ConfigureAwait(false);
        var scratch = encoding.ArrayElements;
        scratch.Reset();
        foreach (var element in elements)
        {
            if (element is null)
            {
                ValueEncoder.WriteNull(scratch);
            }
            else
            {
                write(scratch, element);
            }
        }

        ValueEncoder.WriteArray(encoding.Row, scratch.WrittenSpan);
    }
}
