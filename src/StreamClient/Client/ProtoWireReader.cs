namespace StreamClient;

/// <summary>The protobuf wire primitives (protobuf.dev/programming-guides/encoding) the typed client's
/// decoders need to walk a message held in one span. Hand-written because Google.Protobuf's
/// CodedInputStream / ParseContext build the generated message objects the decoders exist to avoid,
/// and its span reader is not public.</summary>
internal ref struct ProtoWireReader(ReadOnlySpan<byte> buffer)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int Len = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public bool TryReadTag(out int field, out int wireType)
    {
        if (_position >= _buffer.Length)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field == 0)
        {
            throw new InvalidDataException("A message holds field number 0.");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        // Tags and most lengths and small numbers are one byte.
        if (_position < _buffer.Length && _buffer[_position] < 0x80)
        {
            return _buffer[_position++];
        }

        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                throw Truncated();
            }

            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("A varint is longer than 10 bytes.");
    }

    public ulong ReadFixed64()
    {
        if (_buffer.Length - _position < 8)
        {
            throw Truncated();
        }

        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw Truncated();
        }

        var content = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return content;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Advance(8); break;
            case Len: ReadLengthDelimited(); break;
            case Fixed32: Advance(4); break;
            default: throw new InvalidDataException($"Unsupported wire type {wireType}.");
        }
    }

    private void Advance(int count)
    {
        if (_buffer.Length - _position < count)
        {
            throw Truncated();
        }

        _position += count;
    }

    private static InvalidDataException Truncated() => new("A message is truncated.");
}
