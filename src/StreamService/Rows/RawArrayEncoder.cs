using System.Buffers.Binary;
using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Encodes a one-dimensional array column from the bytes PostgreSQL sent (its binary array
/// format: <c>array_send</c> in src/backend/utils/adt/arrayfuncs.c), without Npgsql building a .NET
/// array of boxed-nullable elements first. Npgsql's array converter was the largest single block of
/// the service's CPU per row after the cell reads were made synchronous (issue 16); here each
/// element goes from the row buffer to its wire encoding in one step. Hand-written because no
/// library exposes PostgreSQL's array format as spans; Npgsql hands out the raw bytes of any column
/// through <see cref="NpgsqlDataReader.GetBytes"/>.</summary>
/// <remarks>Only element types whose binary form maps to the wire directly take this path (bool,
/// integers, floats, text-like, bytea, uuid); an array with more than one dimension goes to
/// the fallback encoder, which reads it through Npgsql exactly as before (Npgsql refuses to read
/// a multi-dimensional array as a one-dimensional one).</remarks>
internal static class RawArrayEncoder
{
    // Header: ndim, has-null flag, element type OID; then (size, lower bound) per dimension.
    private const int HeaderBytes = 12;

    public static ColumnEncoder? For(ColumnType type, ColumnEncoder fallback) => type switch
    {
        ColumnType.Bool => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteBool(w, v[0] != 0), 1),
        ColumnType.Int16 => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteInt(w, BinaryPrimitives.ReadInt16BigEndian(v)), 2),
        ColumnType.Int32 => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteInt(w, BinaryPrimitives.ReadInt32BigEndian(v)), 4),
        ColumnType.Int64 => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteInt(w, BinaryPrimitives.ReadInt64BigEndian(v)), 8),
        ColumnType.Float32 => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteDouble(w, BinaryPrimitives.ReadSingleBigEndian(v)), 4),
        ColumnType.Float64 => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteDouble(w, BinaryPrimitives.ReadDoubleBigEndian(v)), 8),
        // numeric[] is selected as text[] (ColumnTypeMapping.ReadCast); text elements are the
        // connection's client encoding (UTF-8), checked by WriteUtf8 as scalar text is.
        ColumnType.Numeric => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.NumericTag, v), -1),
        ColumnType.Text => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteUtf8(w, ValueEncoder.TextTag, v), -1),
        ColumnType.Bytes => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteBytes(w, v), -1),
        ColumnType.Uuid => (r, i, e) => Encode(r, i, e, fallback, static (w, v) => ValueEncoder.WriteUuid(w, new Guid(v, bigEndian: true)), 16),
        _ => null,
    };

    /// <summary>An element's bytes as PostgreSQL sent them; never called for a NULL element.</summary>
    private delegate void ElementWriter(ProtoWriter writer, ReadOnlySpan<byte> element);

    /// <param name="fixedLength">The element's binary size, or -1 for variable-length types.</param>
    private static void Encode(NpgsqlDataReader reader, int ordinal, RowEncoding encoding, ColumnEncoder fallback, ElementWriter write, int fixedLength)
    {
        if (reader.IsDBNull(ordinal))
        {
            ValueEncoder.WriteNull(encoding.Row);
            return;
        }

        var value = ColumnEncoders.RawValue(reader, ordinal, encoding);

        var dimensions = BinaryPrimitives.ReadInt32BigEndian(value);
        if (dimensions > 1)
        {
            fallback(reader, ordinal, encoding);
            return;
        }

        var scratch = encoding.ArrayElements;
        scratch.Reset();
        if (dimensions == 1)
        {
            var count = BinaryPrimitives.ReadInt32BigEndian(value[HeaderBytes..]);
            var elements = value[(HeaderBytes + 8)..];
            for (var e = 0; e < count; e++)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(elements);
                elements = elements[4..];
                if (size < 0)
                {
                    ValueEncoder.WriteNull(scratch);
                    continue;
                }

                if (fixedLength >= 0 && size != fixedLength)
                {
                    throw new InvalidDataException($"An array element of {size} bytes where its type has {fixedLength}.");
                }

                write(scratch, elements[..size]);
                elements = elements[size..];
            }
        }

        ValueEncoder.WriteArray(encoding.Row, scratch.WrittenSpan);
    }
}
