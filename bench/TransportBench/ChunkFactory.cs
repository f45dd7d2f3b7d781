using System.Buffers.Binary;
using Google.Protobuf;
using StreamGrpc.Bench.V1;

namespace StreamGrpc.Bench.Transport;

/// <summary>Builds the benchmark message and its exact gRPC wire form, so both transports send
/// byte-identical chunks.</summary>
internal static class ChunkFactory
{
    /// <summary>Size of the gRPC length prefix (compressed flag + 32-bit length).</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>A <see cref="Chunk"/> whose serialized size is exactly <paramref name="messageSize"/> bytes.</summary>
    public static Chunk Create(int messageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageSize, 2);

        // Serialized size = 1 (tag) + varint(length) + length; find the payload length that fits.
        for (var payloadLength = messageSize - 2; payloadLength >= 0; payloadLength--)
        {
            if (1 + CodedOutputStream.ComputeLengthSize(payloadLength) + payloadLength == messageSize)
            {
                var payload = new byte[payloadLength];
                new Random(42).NextBytes(payload);
                return new Chunk { Payload = ByteString.CopyFrom(payload) };
            }
        }

        throw new ArgumentOutOfRangeException(nameof(messageSize), $"No chunk serializes to exactly {messageSize} bytes.");
    }

    /// <summary>The length-prefixed gRPC frame of <paramref name="chunk"/> (uncompressed), as the
    /// gRPC server writes it into the response body.</summary>
    public static byte[] Frame(Chunk chunk)
    {
        var size = chunk.CalculateSize();
        var frame = new byte[FrameHeaderSize + size];
        frame[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        chunk.WriteTo(frame.AsSpan(FrameHeaderSize));
        return frame;
    }
}
