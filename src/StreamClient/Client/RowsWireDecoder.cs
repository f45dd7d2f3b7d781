using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Google.Protobuf;
using StreamGrpc.V1;

namespace StreamClient;

/// <summary>One StreamRowsResponse as the typed client sees it: the schema, or the rows of a batch
/// already decoded into their CLR values.</summary>
internal sealed class DecodedRowsResponse
{
    public Schema? Schema { get; init; }

    public DataRow[] Rows { get; init; } = [];

    public string ResumeToken { get; init; } = string.Empty;
}

/// <summary>Decodes the row stream of one call straight from the protobuf wire format
/// (protobuf.dev/programming-guides/encoding) into <see cref="DataRow"/>s: every value lands in its
/// CLR type without the intermediate <see cref="Value"/> objects that the generated parser builds
/// (one per cell, plus a Timestamp or ValueList for some), which made parsing cost the client as
/// much CPU as the service spent producing the rows. The schema, the first message of every call,
/// says how to read the values after it, so a decoder serves one call.</summary>
internal sealed class RowsWireDecoder
{
    private Schema? _schema;
    private ColumnType[] _types = [];

    // Reused across messages of the call (a decoder serves one call, one message at a time): the
    // rows of the batch being decoded, and the elements of the array value being decoded.
    private readonly List<DataRow> _rows = [];
    private readonly List<Cell> _elements = [];
    private bool _inList;

    private readonly SpanDecoder<DecodedRowsResponse> _decodeMessage;

    public RowsWireDecoder() => _decodeMessage = Decode;

    /// <summary>The StreamRows method with this decoder as its response deserializer.</summary>
    public Method<StreamRowsRequest, DecodedRowsResponse> Method => new(
        MethodType.ServerStreaming,
        RowsService.Descriptor.FullName,
        "StreamRows",
        Marshallers.Create(static (StreamRowsRequest r) => r.ToByteArray(), static bytes => StreamRowsRequest.Parser.ParseFrom(bytes)),
        Marshallers.Create<DecodedRowsResponse>(static (_, _) => throw new NotSupportedException("responses are only read"), Decode));

    private DecodedRowsResponse Decode(DeserializationContext context) => WirePayload.Decode(context, _decodeMessage);

    private DecodedRowsResponse Decode(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoWireReader(message);
        DecodedRowsResponse? result = null;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoWireReader.Len):
                    var schema = Schema.Parser.ParseFrom(reader.ReadLengthDelimited());
                    _schema = schema;
                    _types = [.. schema.Columns.Select(c => c.Type)];
                    result = new DecodedRowsResponse { Schema = schema };
                    break;
                case (2, ProtoWireReader.Len):
                    result = DecodeBatch(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return result ?? new DecodedRowsResponse();
    }

    private DecodedRowsResponse DecodeBatch(ReadOnlySpan<byte> batch)
    {
        var schema = _schema ?? throw new InvalidDataException("The service sent rows before the schema.");
        var rows = _rows;
        rows.Clear();
        var token = string.Empty;
        var reader = new ProtoWireReader(batch);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoWireReader.Len):
                    rows.Add(new DataRow(schema, DecodeRow(reader.ReadLengthDelimited())));
                    break;
                case (2, ProtoWireReader.Len):
                    token = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        foreach (var row in rows)
        {
            row.ResumeToken = token;
        }

        var decoded = new DecodedRowsResponse { Rows = [.. rows], ResumeToken = token };
        rows.Clear();
        return decoded;
    }

    private Cell[] DecodeRow(ReadOnlySpan<byte> row)
    {
        var cells = new Cell[_types.Length];
        var reader = new ProtoWireReader(row);
        var column = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field != 1 || wireType != ProtoWireReader.Len)
            {
                reader.Skip(wireType);
                continue;
            }

            var value = reader.ReadLengthDelimited();
            if (column >= cells.Length)
            {
                throw new InvalidDataException($"A row has more values than the schema's {cells.Length} columns.");
            }

            cells[column] = DecodeValue(value, _types[column], column);
            column++;
        }

        if (column != cells.Length)
        {
            throw new InvalidDataException($"A row has {column} values for the schema's {cells.Length} columns.");
        }

        return cells;
    }

    /// <summary>Decodes one Value message (the last field of its oneof wins, as in protobuf).</summary>
    private Cell DecodeValue(ReadOnlySpan<byte> value, ColumnType type, int column)
    {
        var cell = Cell.Null;
        var reader = new ProtoWireReader(value);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            cell = (field, wireType) switch
            {
                (1, ProtoWireReader.Varint) => SkipVarint(ref reader, Cell.Null),
                (2, ProtoWireReader.Varint) => Cell.Of(CellKind.Bool, reader.ReadVarint() != 0 ? 1 : 0),
                (3, ProtoWireReader.Varint) => Cell.Of(CellKind.Int64, (long)reader.ReadVarint()),
                (4, ProtoWireReader.Fixed64) => Cell.Of(CellKind.Double, (long)reader.ReadFixed64()),
                (5, ProtoWireReader.Len) => Cell.Of(CellKind.Numeric, Encoding.UTF8.GetString(reader.ReadLengthDelimited())),
                (6, ProtoWireReader.Len) => Cell.Of(CellKind.Text, Encoding.UTF8.GetString(reader.ReadLengthDelimited())),
                (7, ProtoWireReader.Len) => Cell.Of(CellKind.Bytes, reader.ReadLengthDelimited().ToArray()),
                (8, ProtoWireReader.Len) => Cell.OfGuid(ParseUuid(reader.ReadLengthDelimited(), column)),
                (9, ProtoWireReader.Len) => Cell.Of(CellKind.Json, Encoding.UTF8.GetString(reader.ReadLengthDelimited())),
                (10, ProtoWireReader.Len) => Cell.Of(type == ColumnType.LocalTimestamp ? CellKind.LocalTimestamp : CellKind.Instant, TimestampTicks(reader.ReadLengthDelimited(), column)),
                (11, ProtoWireReader.Len) => Cell.Of(CellKind.Date, ParseDate(reader.ReadLengthDelimited(), column).DayNumber),
                (12, ProtoWireReader.Len) => Cell.Of(CellKind.Time, ParseTime(reader.ReadLengthDelimited(), column).Ticks),
                (13, ProtoWireReader.Len) => DecodeList(reader.ReadLengthDelimited(), type, column),
                _ => SkipField(ref reader, wireType, cell),
            };
        }

        return cell;
    }

    /// <summary>Decodes the ValueList of an array value into a typed CLR array (NULL elements are null).</summary>
    private Cell DecodeList(ReadOnlySpan<byte> list, ColumnType type, int column)
    {
        // An element that is itself a list (not sent by the service, but valid protobuf) gets a list of its own.
        var nested = _inList;
        var elements = nested ? new List<Cell>() : _elements;
        elements.Clear();
        _inList = true;
        try
        {
            return DecodeElements(list, type, column, elements);
        }
        finally
        {
            _inList = nested;
            if (!nested)
            {
                elements.Clear();
            }
        }
    }

    private Cell DecodeElements(ReadOnlySpan<byte> list, ColumnType type, int column, List<Cell> elements)
    {
        var items = new ProtoWireReader(list);
        while (items.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoWireReader.Len)
            {
                elements.Add(DecodeValue(items.ReadLengthDelimited(), type, column));
            }
            else
            {
                items.Skip(wireType);
            }
        }

        return Cell.Of(CellKind.Array, ArrayOf(elements, type, column));
    }

    private object ArrayOf(List<Cell> elements, ColumnType type, int column) => type switch
    {
        ColumnType.Bool => Typed(elements, column, CellKind.Bool, static c => c.A != 0),
        ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 => Typed(elements, column, CellKind.Int64, static c => c.A),
        ColumnType.Float32 or ColumnType.Float64 => Typed(elements, column, CellKind.Double, static c => BitConverter.Int64BitsToDouble(c.A)),
        ColumnType.Numeric => TypedRef<string>(elements, column, CellKind.Numeric),
        ColumnType.Json => TypedRef<string>(elements, column, CellKind.Json),
        ColumnType.Bytes => TypedRef<byte[]>(elements, column, CellKind.Bytes),
        ColumnType.Uuid => Typed(elements, column, CellKind.Guid, static c => c.Guid),
        ColumnType.Timestamp => Typed(elements, column, CellKind.Instant, static c => new DateTimeOffset(c.A, TimeSpan.Zero)),
        ColumnType.LocalTimestamp => Typed(elements, column, CellKind.LocalTimestamp, static c => new DateTime(c.A, DateTimeKind.Unspecified)),
        ColumnType.Date => Typed(elements, column, CellKind.Date, static c => DateOnly.FromDayNumber((int)c.A)),
        ColumnType.Time => Typed(elements, column, CellKind.Time, static c => new TimeOnly(c.A)),
        _ => TypedRef<string>(elements, column, CellKind.Text),
    };

    private T?[] Typed<T>(List<Cell> elements, int column, CellKind kind, Func<Cell, T> convert)
        where T : struct
    {
        var array = new T?[elements.Count];
        for (var i = 0; i < array.Length; i++)
        {
            var element = elements[i];
            if (element.Kind != CellKind.Null)
            {
                array[i] = element.Kind == kind ? convert(element) : throw Mismatch(column);
            }
        }

        return array;
    }

    private T?[] TypedRef<T>(List<Cell> elements, int column, CellKind kind)
        where T : class
    {
        var array = new T?[elements.Count];
        for (var i = 0; i < array.Length; i++)
        {
            var element = elements[i];
            if (element.Kind != CellKind.Null)
            {
                // Any string kind fits a string array (e.g. an 'other' array sent as text).
                array[i] = element.Ref as T ?? throw Mismatch(column);
            }
        }

        return array;
    }

    private InvalidDataException Mismatch(int column) =>
        new($"An element of array column '{_schema!.Columns[column].Name}' does not match the column's type.");

    private InvalidDataException Invalid(int column, string what) =>
        new($"Column '{_schema!.Columns[column].Name}' holds {what}.");

    private static Cell SkipVarint(ref ProtoWireReader reader, Cell result)
    {
        reader.ReadVarint();
        return result;
    }

    private static Cell SkipField(ref ProtoWireReader reader, int wireType, Cell current)
    {
        reader.Skip(wireType);
        return current;
    }

    private Guid ParseUuid(ReadOnlySpan<byte> text, int column) =>
        Utf8Parser.TryParse(text, out Guid value, out var consumed, 'D') && consumed == text.Length ? value : throw Invalid(column, "a malformed uuid");

    private long TimestampTicks(ReadOnlySpan<byte> timestamp, int column)
    {
        long seconds = 0;
        long nanos = 0;
        var reader = new ProtoWireReader(timestamp);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoWireReader.Varint): seconds = (long)reader.ReadVarint(); break;
                case (2, ProtoWireReader.Varint): nanos = (int)reader.ReadVarint(); break;
                default: reader.Skip(wireType); break;
            }
        }

        const long MinSeconds = -62_135_596_800; // 0001-01-01T00:00:00Z
        const long MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z
        if (seconds is < MinSeconds or > MaxSeconds || nanos is < 0 or > 999_999_999)
        {
            throw Invalid(column, "a timestamp outside 0001-01-01 to 9999-12-31");
        }

        return DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanos / 100);
    }

    private DateOnly ParseDate(ReadOnlySpan<byte> text, int column)
    {
        // "yyyy-MM-dd", or the infinities (as Npgsql maps them).
        if (text.SequenceEqual("infinity"u8))
        {
            return DateOnly.MaxValue;
        }

        if (text.SequenceEqual("-infinity"u8))
        {
            return DateOnly.MinValue;
        }

        if (text.Length == 10 && text[4] == '-' && text[7] == '-'
            && TryDigits(text[..4], out var year) && TryDigits(text.Slice(5, 2), out var month) && TryDigits(text.Slice(8, 2), out var day)
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }

        throw Invalid(column, "a malformed date");
    }

    private TimeOnly ParseTime(ReadOnlySpan<byte> text, int column)
    {
        // "HH:mm:ss" with up to 7 fractional digits.
        if (text.Length >= 8 && text[2] == ':' && text[5] == ':'
            && TryDigits(text[..2], out var hour) && TryDigits(text.Slice(3, 2), out var minute) && TryDigits(text.Slice(6, 2), out var second)
            && hour < 24 && minute < 60 && second < 60)
        {
            long ticks = 0;
            if (text.Length > 8)
            {
                var fraction = text[9..];
                if (text[8] != '.' || fraction.Length is 0 or > 7 || !TryDigits(fraction, out var digits))
                {
                    throw Invalid(column, "a malformed time");
                }

                ticks = digits;
                for (var i = fraction.Length; i < 7; i++)
                {
                    ticks *= 10;
                }
            }

            return new TimeOnly(((((hour * 60L) + minute) * 60) + second) * TimeSpan.TicksPerSecond + ticks);
        }

        throw Invalid(column, "a malformed time");
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}

/// <summary>What a decoded cell holds.</summary>
internal enum CellKind : byte
{
    Null,
    Bool,
    Int64,
    Double,
    Numeric,
    Text,
    Json,
    Bytes,
    Guid,
    Instant,
    LocalTimestamp,
    Date,
    Time,
    Array,
}

/// <summary>One decoded value without boxing: numbers, instants (UTC ticks), dates (day numbers)
/// and times (ticks) in <see cref="A"/>, a Guid in <see cref="A"/> and <see cref="B"/>, strings,
/// bytes and arrays in <see cref="Ref"/>.</summary>
internal readonly struct Cell
{
    private Cell(CellKind kind, long a, long b, object? reference)
    {
        Kind = kind;
        A = a;
        B = b;
        Ref = reference;
    }

    public static Cell Null => default;

    public CellKind Kind { get; }

    public long A { get; }

    public long B { get; }

    public object? Ref { get; }

    public Guid Guid
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes, A);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], B);
            return new Guid(bytes);
        }
    }

    public static Cell Of(CellKind kind, long value) => new(kind, value, 0, null);

    public static Cell Of(CellKind kind, object value) => new(kind, 0, 0, value);

    public static Cell OfGuid(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes);
        return new Cell(CellKind.Guid, System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes), System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]), null);
    }

    /// <summary>The CLR value (boxed) as <see cref="DataRow.GetValue"/> documents it.</summary>
    public object? ToObject() => Kind switch
    {
        CellKind.Null => null,
        CellKind.Bool => A != 0,
        CellKind.Int64 => A,
        CellKind.Double => BitConverter.Int64BitsToDouble(A),
        CellKind.Guid => Guid,
        CellKind.Instant => new DateTimeOffset(A, TimeSpan.Zero),
        CellKind.LocalTimestamp => new DateTime(A, DateTimeKind.Unspecified),
        CellKind.Date => DateOnly.FromDayNumber((int)A),
        CellKind.Time => new TimeOnly(A),
        _ => Ref,
    };

    internal static string FormatTime(TimeOnly time) => time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
}
