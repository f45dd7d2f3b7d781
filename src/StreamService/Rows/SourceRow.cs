using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>A row read from the database, valid only until the source moves to the next row: its
/// requested values already encoded as the content of a <see cref="Row"/> message, and where each
/// key value's encoding lies in <see cref="Encoded"/> (key columns that were not requested are
/// encoded after the row's values).</summary>
internal readonly struct SourceRow
{
    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly (int Start, int Length)[] _keys;

    public SourceRow(ReadOnlyMemory<byte> encoded, int rowLength, (int Start, int Length)[] keys)
    {
        _encoded = encoded;
        RowLength = rowLength;
        _keys = keys;
    }

    /// <summary>Length of the row's encoded values at the start of the buffer.</summary>
    public int RowLength { get; }

    /// <summary>The content of the <see cref="Row"/> message.</summary>
    public ReadOnlySpan<byte> EncodedValues => _encoded.Span[..RowLength];

    /// <summary>Writes the key values, in key order, as the content of a <see cref="Row"/> message
    /// (each a <c>values</c> field): <see cref="DecodeKey"/> turns it back into values.</summary>
    public void WriteKey(ProtoWriter destination)
    {
        var encoded = _encoded.Span;
        foreach (var (start, length) in _keys)
        {
            destination.WriteBytes(encoded.Slice(start, length));
        }
    }

    /// <summary>The key values written by <see cref="WriteKey"/>.</summary>
    public static Value[] DecodeKey(ReadOnlySpan<byte> encodedKey) => [.. Row.Parser.ParseFrom(encodedKey).Values];
}
