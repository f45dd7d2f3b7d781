using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace StreamService.Rows;

/// <summary>A growable buffer with the protobuf wire primitives (varint, fixed64, length-delimited;
/// protobuf.dev/programming-guides/encoding). Rows are encoded straight into it instead of building
/// one message object per cell: the C# runtime recomputes nested message sizes at every level, which
/// made serialisation cost more than reading the rows from PostgreSQL. The buffer is rented from
/// <see cref="ArrayPool{T}"/> and returned on <see cref="Dispose"/>.</summary>
internal sealed class ProtoWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>The underlying array (valid until the next write or <see cref="Dispose"/>).</summary>
    public byte[] Buffer => _buffer;

    public void Reset(int reserved = 0)
    {
        Ensure(reserved);
        _length = reserved;
    }

    /// <summary>Room for at least <paramref name="size"/> bytes at the end; <see cref="Advance"/> by what was written.</summary>
    public Span<byte> GetSpan(int size)
    {
        Ensure(size);
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Writes a varint at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>UTF-8 bytes of <paramref name="value"/> (no length prefix).</summary>
    public void WriteUtf8(string value, int byteCount)
    {
        Ensure(byteCount);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Writes a varint ending exactly at <paramref name="end"/> (in space reserved by
    /// <see cref="Reset"/>) and returns where it starts: lets a length prefix be written after the
    /// content without moving the content.</summary>
    public int WriteVarintBefore(int end, ulong value)
    {
        var size = VarintSize(value);
        var start = end - size;
        var position = start;
        while (value >= 0x80)
        {
            _buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[position] = (byte)value;
        return start;
    }

    /// <summary>Copies an encoded message into <paramref name="output"/> in chunks of the writer's own
    /// size: no giant contiguous span is asked for a 1 MiB message.</summary>
    public static void CopyTo(ReadOnlySpan<byte> message, System.Buffers.IBufferWriter<byte> output)
    {
        while (!message.IsEmpty)
        {
            var span = output.GetSpan();
            var chunk = Math.Min(span.Length, message.Length);
            message[..chunk].CopyTo(span);
            output.Advance(chunk);
            message = message[chunk..];
        }
    }

    /// <summary>Bytes of the varint of <paramref name="value"/>: 7 bits a byte (one more per 7 bits
    /// above the first; 10 for a full 64 bits). Branch-free, so it inlines: the line encoder calls it
    /// four times a line, and the switch it replaces showed up in the profile on its own.</summary>
    public static int VarintSize(ulong value) => (int)(((uint)System.Numerics.BitOperations.Log2(value | 1) * 9 + 73) >> 6);

    private void Ensure(int size)
    {
        if (_length + size <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
