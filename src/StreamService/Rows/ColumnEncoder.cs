using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Reads one column of the current row and appends it to <see cref="RowEncoding.Row"/> as
/// an encoded <see cref="Value"/>. The reader runs in Npgsql's default (buffered) mode, so the row
/// is in memory once <c>ReadAsync</c> returns and the synchronous getters never touch the network:
/// per cell that saves the async state machines of <c>SequentialAccess</c> (ours and Npgsql's),
/// which were the largest share of the service's CPU per row (issue 16, bench/RESULTS.md).</summary>
internal delegate void ColumnEncoder(NpgsqlDataReader reader, int ordinal, RowEncoding encoding);

/// <summary>Scratch buffers of one stream: the row being encoded, an array's elements, and a column's raw bytes.</summary>
internal sealed class RowEncoding : IDisposable
{
    public ProtoWriter Row { get; } = new(1024);

    public ProtoWriter ArrayElements { get; } = new(256);

    private byte[] _rawColumn = [];

    /// <summary>A scratch buffer of at least <paramref name="length"/> bytes for a column's raw value,
    /// reused across rows (grown, never shrunk: at most the stream's widest such value).</summary>
    public byte[] RawColumn(int length)
    {
        if (_rawColumn.Length < length)
        {
            if (_rawColumn.Length > 0)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(_rawColumn);
            }

            _rawColumn = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 256));
        }

        return _rawColumn;
    }

    public void Dispose()
    {
        Row.Dispose();
        ArrayElements.Dispose();
        if (_rawColumn.Length > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_rawColumn);
            _rawColumn = [];
        }
    }
}

/// <summary>Chooses the <see cref="ColumnEncoder"/> of each column type.</summary>
internal static class ColumnEncoders
{
    public static ColumnEncoder For(DatasetColumn column)
    {
        if (!column.IsArray)
        {
            return ForScalar(column.Type);
        }

        var throughNpgsql = ArrayThroughNpgsql(column.Type);
        return RawArrayEncoder.For(column.Type, throughNpgsql) ?? throughNpgsql;
    }

    private static ColumnEncoder ForScalar(ColumnType type) => type switch
    {
        ColumnType.Bool => static (r, i, e) => EncodeValue<bool>(r, i, e, ValueEncoder.WriteBool),
        ColumnType.Int16 => static (r, i, e) => EncodeValue<short>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v)),
        ColumnType.Int32 => static (r, i, e) => EncodeValue<int>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v)),
        ColumnType.Int64 => static (r, i, e) => EncodeValue<long>(r, i, e, ValueEncoder.WriteInt),
        ColumnType.Float32 => static (r, i, e) => EncodeValue<float>(r, i, e, static (w, v) => ValueEncoder.WriteDouble(w, v)),
        ColumnType.Float64 => static (r, i, e) => EncodeValue<double>(r, i, e, ValueEncoder.WriteDouble),
        // numeric is selected as text (see ColumnTypeMapping.ReadCast): every digit survives.
        // Text-like columns are read as their UTF-8 bytes (the connection's client_encoding) and
        // copied as they are: no decoding to a .NET string and encoding back.
        ColumnType.Numeric => static (r, i, e) => EncodeUtf8(r, i, e, ValueEncoder.NumericTag),
        ColumnType.Text or ColumnType.Other => static (r, i, e) => EncodeUtf8(r, i, e, ValueEncoder.TextTag),
        ColumnType.Json => JsonEncoder(),
        ColumnType.Bytes => static (r, i, e) => EncodeBytes(r, i, e),
        ColumnType.Uuid => static (r, i, e) => EncodeValue<Guid>(r, i, e, ValueEncoder.WriteUuid),
        // Npgsql reads timestamptz as UTC and timestamp as a wall-clock time (sent as if UTC);
        // 'infinity' arrives as DateTime.MaxValue/MinValue.
        ColumnType.Timestamp or ColumnType.LocalTimestamp => static (r, i, e) => EncodeValue<DateTime>(r, i, e, ValueEncoder.WriteTimestamp),
        ColumnType.Date => static (r, i, e) => EncodeValue<DateOnly>(r, i, e, ValueEncoder.WriteDate),
        ColumnType.Time => static (r, i, e) => EncodeValue<TimeOnly>(r, i, e, ValueEncoder.WriteTime),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no encoder for this column type"),
    };

    /// <summary>An array column read as a .NET array by Npgsql, then encoded: the path of element types
    /// <see cref="RawArrayEncoder"/> does not take, and of multi-dimensional values.</summary>
    internal static ColumnEncoder ArrayThroughNpgsql(ColumnType type) => type switch
    {
        ColumnType.Bool => static (r, i, e) => EncodeArray<bool?>(r, i, e, static (w, v) => ValueEncoder.WriteBool(w, v!.Value)),
        ColumnType.Int16 => static (r, i, e) => EncodeArray<short?>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v!.Value)),
        ColumnType.Int32 => static (r, i, e) => EncodeArray<int?>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v!.Value)),
        ColumnType.Int64 => static (r, i, e) => EncodeArray<long?>(r, i, e, static (w, v) => ValueEncoder.WriteInt(w, v!.Value)),
        ColumnType.Float32 => static (r, i, e) => EncodeArray<float?>(r, i, e, static (w, v) => ValueEncoder.WriteDouble(w, v!.Value)),
        ColumnType.Float64 => static (r, i, e) => EncodeArray<double?>(r, i, e, static (w, v) => ValueEncoder.WriteDouble(w, v!.Value)),
        ColumnType.Numeric => static (r, i, e) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.NumericTag, v!)),
        ColumnType.Text => static (r, i, e) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.TextTag, v!)),
        ColumnType.Json => static (r, i, e) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.JsonTag, v!)),
        ColumnType.Bytes => static (r, i, e) => EncodeArray<byte[]?>(r, i, e, static (w, v) => ValueEncoder.WriteBytes(w, v!)),
        ColumnType.Uuid => static (r, i, e) => EncodeArray<Guid?>(r, i, e, static (w, v) => ValueEncoder.WriteUuid(w, v!.Value)),
        ColumnType.Timestamp or ColumnType.LocalTimestamp => static (r, i, e) => EncodeArray<DateTime?>(r, i, e, static (w, v) => ValueEncoder.WriteTimestamp(w, v!.Value)),
        ColumnType.Date => static (r, i, e) => EncodeArray<DateOnly?>(r, i, e, static (w, v) => ValueEncoder.WriteDate(w, v!.Value)),
        ColumnType.Time => static (r, i, e) => EncodeArray<TimeOnly?>(r, i, e, static (w, v) => ValueEncoder.WriteTime(w, v!.Value)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no encoder for arrays of this column type"),
    };

    // Value types are read as Nullable<T>: Npgsql returns null for NULL, saving the separate
    // IsDBNull round of every cell (a measurable share of the CPU of a stream).
    private static void EncodeValue<T>(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, Action<ProtoWriter, T> write)
        where T : struct
    {
        if (reader.GetFieldValue<T?>(ordinal) is { } value)
        {
            write(encoding.Row, value);
        }
        else
        {
            ValueEncoder.WriteNull(encoding.Row);
        }
    }

    private static void EncodeUtf8(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, byte tag)
    {
        if (reader.IsDBNull(ordinal))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        ValueEncoder.WriteUtf8(encoding.Row, tag, RawValue(reader, ordinal, encoding));
    }

    /// <summary>json and jsonb from their raw bytes. jsonb's binary form is a version byte (1, the
    /// only one PostgreSQL has) before the text, which Npgsql's converter strips through an async
    /// state machine per cell; here it is checked and skipped. Which of the two a column is comes from
    /// the result's type OID (PostgreSQL describes a domain column by its base type), looked up at the
    /// stream's first value; any other OID, or another jsonb version, goes through Npgsql.</summary>
    private static ColumnEncoder JsonEncoder()
    {
        const uint JsonOid = 114;
        const uint JsonbOid = 3802;
        const byte JsonbVersion = 1;
        uint? oid = null;
        return (reader, ordinal, encoding) =>
        {
            if (reader.IsDBNull(ordinal))
            {
                ValueEncoder.WriteNull(encoding.Row);
                return;
            }

            oid ??= reader.GetDataTypeOID(ordinal);
            if (oid is JsonOid or JsonbOid)
            {
                var raw = RawValue(reader, ordinal, encoding);
                if (oid == JsonOid)
                {
                    ValueEncoder.WriteUtf8(encoding.Row, ValueEncoder.JsonTag, raw);
                    return;
                }

                if (raw.Length > 0 && raw[0] == JsonbVersion)
                {
                    ValueEncoder.WriteUtf8(encoding.Row, ValueEncoder.JsonTag, raw[1..]);
                    return;
                }
            }

            ValueEncoder.WriteUtf8(encoding.Row, ValueEncoder.JsonTag, reader.GetFieldValue<byte[]>(ordinal));
        };
    }

    /// <summary>The column's bytes as PostgreSQL sent them, copied into the stream's scratch buffer
    /// (<see cref="NpgsqlDataReader.GetBytes"/> works on any type): for text its UTF-8, for bytea the
    /// bytes. Saves the byte[] per cell of <c>GetFieldValue&lt;byte[]&gt;</c>. Not NULL.</summary>
    internal static ReadOnlySpan<byte> RawValue(NpgsqlDataReader reader, int ordinal, RowEncoding encoding)
    {
        var buffer = encoding.RawColumn(checked((int)reader.GetBytes(ordinal, 0, null, 0, 0)));
        return buffer.AsSpan(0, (int)reader.GetBytes(ordinal, 0, buffer, 0, buffer.Length));
    }

    private static void EncodeBytes(NpgsqlDataReader reader, int ordinal, RowEncoding encoding)
    {
        if (reader.IsDBNull(ordinal))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        ValueEncoder.WriteBytes(encoding.Row, RawValue(reader, ordinal, encoding));
    }

    /// <summary>Elements are non-null when <paramref name="write"/> is called; NULL elements are
    /// written as null values here.</summary>
    private static void EncodeArray<T>(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, Action<ProtoWriter, T> write)
    {
        if (reader.IsDBNull(ordinal))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        var elements = reader.GetFieldValue<T[]>(ordinal);
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
