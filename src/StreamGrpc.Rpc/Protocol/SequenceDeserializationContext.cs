using System.Buffers;
using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>Presents a received payload (a slice of the transport's buffer) to a deserializer
/// without copying it; reused for every message of a call.</summary>
internal sealed class SequenceDeserializationContext : DeserializationContext
{
    private ReadOnlySequence<byte> _payload;

    public void Reset(ReadOnlySequence<byte> payload) => _payload = payload;

    public override int PayloadLength => checked((int)_payload.Length);

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => _payload;
}
