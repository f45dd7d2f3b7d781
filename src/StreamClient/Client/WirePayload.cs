using System.Buffers;
using Grpc.Core;

namespace StreamClient;

/// <summary>Decodes a message from the bytes one span at a time.</summary>
internal delegate T SpanDecoder<out T>(ReadOnlySpan<byte> message);

/// <summary>A received message's payload as the one span the typed client's wire decoders walk.</summary>
internal static class WirePayload
{
    /// <summary>Runs <paramref name="decode"/> over the payload: in place when it is one segment
    /// (what Grpc.Net.Client hands over), else over a pooled copy.</summary>
    public static T Decode<T>(DeserializationContext context, SpanDecoder<T> decode)
    {
        var payload = context.PayloadAsReadOnlySequence();
        if (payload.IsSingleSegment)
        {
            return decode(payload.FirstSpan);
        }

        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(buffer);
            return decode(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
