using System.Buffers;
using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>Presents a byte array as a <see cref="DeserializationContext"/>.</summary>
internal sealed class ArrayDeserializationContext(byte[] payload) : DeserializationContext
{
    public override int PayloadLength => payload.Length;

    public override byte[] PayloadAsNewBuffer() => (byte[])payload.Clone();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
}
