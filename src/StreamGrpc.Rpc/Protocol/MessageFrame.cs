using System.Buffers;
using System.Buffers.Binary;
using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>
/// The length-prefixed message framing of gRPC over HTTP/2 ("Length-Prefixed-Message"):
/// <code>
/// +----------------+-----------------------------------+-------------------------+
/// | Compressed (8) | Message-Length (32, big endian)    | Message (Length bytes)  |
/// +----------------+-----------------------------------+-------------------------+
/// </code>
/// Compressed is 0 (identity) or 1 (encoded with the call's grpc-encoding).
/// </summary>
internal static class MessageFrame
{
    /// <summary>Writes a frame header into <paramref name="destination"/> (at least 5 bytes).</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1), (uint)length);
    }

    /// <summary>
    /// Tries to take one whole message off the front of <paramref name="buffer"/>. On success the
    /// payload is a slice of the buffer (no copy) and <paramref name="buffer"/> is advanced past it.
    /// The length is checked against <paramref name="maxMessageSize"/> as soon as the header is in,
    /// before any payload is buffered, so an oversized prefix cannot make us allocate.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int? maxMessageSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocolConstants.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocolConstants.HeaderSize];
        buffer.Slice(0, GrpcProtocolConstants.HeaderSize).CopyTo(header);

        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(new Status(StatusCode.Internal, "Invalid message frame: the compressed flag must be 0 or 1.")),
        };

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(1));
        if (length > int.MaxValue || (maxMessageSize is { } max && length > (uint)max))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));
        }

        var total = GrpcProtocolConstants.HeaderSize + (long)length;
        if (buffer.Length < total)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocolConstants.HeaderSize, length);
        buffer = buffer.Slice(total);
        return true;
    }
}
