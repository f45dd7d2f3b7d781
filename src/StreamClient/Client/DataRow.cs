using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StreamGrpc.V1;
using Value = StreamGrpc.V1.Value;

namespace StreamClient;

/// <summary>
/// One row with its schema, its values already decoded from the wire. Read them with the typed
/// getters (<see cref="GetInt64"/>, <see cref="GetString"/>, ...: no boxing, like a DbDataReader) or
/// as objects (<see cref="GetValue"/>, <see cref="Values"/>, <c>row["column"]</c>), which are:
/// null for SQL NULL, bool, long (every integer width), double, string (text, numeric at full
/// precision, JSON, other types' text form), byte[], Guid, DateTimeOffset (timestamptz, UTC),
/// DateTime (timestamp without time zone, kind Unspecified), DateOnly, TimeOnly, and for arrays a
/// typed array of nullable elements: bool?[], long?[], double?[], string?[], byte[]?[], Guid?[],
/// DateTimeOffset?[], DateTime?[], DateOnly?[] or TimeOnly?[].
/// </summary>
public sealed class DataRow
{
    private readonly Cell[] _cells;
    private object?[]? _values;

    internal DataRow(Schema schema, Cell[] cells)
    {
        Schema = schema;
        _cells = cells;
    }

    /// <summary>The stream's schema.</summary>
    public Schema Schema { get; }

    /// <summary>Token that resumes after the batch this row arrived in.</summary>
    public string ResumeToken { get; internal set; } = string.Empty;

    /// <summary>Number of values (the schema's columns).</summary>
    public int FieldCount => _cells.Length;

    /// <summary>The values as objects, in schema column order (boxed on first use).</summary>
    public IReadOnlyList<object?> Values => _values ??= [.. _cells.Select(c => c.ToObject())];

    /// <summary>The value of a column by position, as an object.</summary>
    public object? this[int ordinal] => GetValue(ordinal);

    /// <summary>The value of a column by name, as an object.</summary>
    public object? this[string column] => GetValue(GetOrdinal(column));

    /// <summary>The position of a column by name.</summary>
    public int GetOrdinal(string column)
    {
        for (var i = 0; i < Schema.Columns.Count; i++)
        {
            if (Schema.Columns[i].Name == column)
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"No column '{column}' in this stream.");
    }

    /// <summary>The value as an object (see the class summary for the types).</summary>
    public object? GetValue(int ordinal) => _values is { } values ? values[ordinal] : _cells[ordinal].ToObject();

    /// <summary>Whether the value is SQL NULL.</summary>
    public bool IsNull(int ordinal) => _cells[ordinal].Kind == CellKind.Null;

    public bool GetBoolean(int ordinal) => Get(ordinal, CellKind.Bool).A != 0;

    public long GetInt64(int ordinal) => Get(ordinal, CellKind.Int64).A;

    public double GetDouble(int ordinal) => BitConverter.Int64BitsToDouble(Get(ordinal, CellKind.Double).A);

    /// <summary>Text, numeric (full precision), JSON, or another type's text form.</summary>
    public string GetString(int ordinal)
    {
        var cell = Get(ordinal, null);
        return cell.Ref as string ?? throw WrongType(ordinal, "string");
    }

    public byte[] GetBytes(int ordinal) => (byte[])Get(ordinal, CellKind.Bytes).Ref!;

    public Guid GetGuid(int ordinal) => Get(ordinal, CellKind.Guid).Guid;

    /// <summary>A timestamp with time zone, in UTC.</summary>
    public DateTimeOffset GetDateTimeOffset(int ordinal) => new(Get(ordinal, CellKind.Instant).A, TimeSpan.Zero);

    /// <summary>A timestamp without time zone (kind Unspecified), or one with time zone as UTC.</summary>
    public DateTime GetDateTime(int ordinal)
    {
        var cell = Get(ordinal, null);
        return cell.Kind switch
        {
            CellKind.LocalTimestamp => new DateTime(cell.A, DateTimeKind.Unspecified),
            CellKind.Instant => new DateTime(cell.A, DateTimeKind.Utc),
            _ => throw WrongType(ordinal, "DateTime"),
        };
    }

    /// <summary>A date; 'infinity' and '-infinity' are DateOnly.MaxValue and MinValue.</summary>
    public DateOnly GetDateOnly(int ordinal) => DateOnly.FromDayNumber((int)Get(ordinal, CellKind.Date).A);

    public TimeOnly GetTimeOnly(int ordinal) => new(Get(ordinal, CellKind.Time).A);

    /// <summary>An array column's elements, e.g. <c>GetArray&lt;long?&gt;(i)</c> or <c>GetArray&lt;string?&gt;(i)</c>.</summary>
    public T[] GetArray<T>(int ordinal) => Get(ordinal, CellKind.Array).Ref as T[] ?? throw WrongType(ordinal, typeof(T).Name + "[]");

    /// <summary>The row as the contract's <see cref="Row"/> message, the values encoded as the
    /// service sent them (for relaying a row or handing it to code that works with messages).</summary>
    public Row ToRow()
    {
        var row = new Row();
        for (var i = 0; i < _cells.Length; i++)
        {
            row.Values.Add(ToValue(_cells[i], GetValue(i), Schema.Columns[i].Type));
        }

        return row;
    }

    private Cell Get(int ordinal, CellKind? kind)
    {
        var cell = _cells[ordinal];
        if (cell.Kind == CellKind.Null)
        {
            throw new InvalidCastException($"Column '{Schema.Columns[ordinal].Name}' is NULL; check IsNull first.");
        }

        if (kind is { } expected && cell.Kind != expected)
        {
            throw WrongType(ordinal, expected.ToString());
        }

        return cell;
    }

    private InvalidCastException WrongType(int ordinal, string wanted) =>
        new($"Column '{Schema.Columns[ordinal].Name}' holds {_cells[ordinal].Kind}, not {wanted}.");

    private static Value ToValue(Cell cell, object? value, ColumnType type) => cell.Kind switch
    {
        CellKind.Null => new Value { NullValue = NullValue.NullValue },
        CellKind.Bool => new Value { BoolValue = cell.A != 0 },
        CellKind.Int64 => new Value { IntValue = cell.A },
        CellKind.Double => new Value { DoubleValue = BitConverter.Int64BitsToDouble(cell.A) },
        CellKind.Numeric => new Value { NumericValue = (string)cell.Ref! },
        CellKind.Text => new Value { TextValue = (string)cell.Ref! },
        CellKind.Json => new Value { JsonValue = (string)cell.Ref! },
        CellKind.Bytes => new Value { BytesValue = ByteString.CopyFrom((byte[])cell.Ref!) },
        CellKind.Array => new Value { ArrayValue = ToList((System.Array)cell.Ref!, type) },
        _ => ToValue(value),
    };

    private static ValueList ToList(System.Array elements, ColumnType type)
    {
        var list = new ValueList();
        foreach (var element in elements)
        {
            list.Values.Add(element switch
            {
                string s when type == ColumnType.Numeric => new Value { NumericValue = s },
                string s when type == ColumnType.Json => new Value { JsonValue = s },
                _ => ToValue(element),
            });
        }

        return list;
    }

    private static Value ToValue(object? value) => value switch
    {
        null => new Value { NullValue = NullValue.NullValue },
        bool b => new Value { BoolValue = b },
        long l => new Value { IntValue = l },
        double d => new Value { DoubleValue = d },
        string s => new Value { TextValue = s },
        byte[] bytes => new Value { BytesValue = ByteString.CopyFrom(bytes) },
        Guid g => new Value { UuidValue = g.ToString("D") },
        DateTimeOffset instant => new Value { TimestampValue = Timestamp.FromDateTimeOffset(instant) },
        DateTime local => new Value { TimestampValue = Timestamp.FromDateTime(DateTime.SpecifyKind(local, DateTimeKind.Utc)) },
        DateOnly date => new Value { DateValue = date == DateOnly.MaxValue ? "infinity" : date == DateOnly.MinValue ? "-infinity" : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
        TimeOnly time => new Value { TimeValue = Cell.FormatTime(time) },
        _ => throw new InvalidOperationException($"No wire form for {value.GetType()}."),
    };
}
