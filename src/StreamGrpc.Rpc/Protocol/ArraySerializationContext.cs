using System.Buffers;
using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>Serializes one message into a byte array; backs <see cref="Marshaller{T}.Serializer"/>
/// when only a contextual serializer was given.</summary>
internal sealed class ArraySerializationContext : SerializationContext
{
    private ArrayBufferWriter<byte>? _writer;
    private byte[]? _payload;

    public override void Complete(byte[] payload) => _payload = payload;

    public override IBufferWriter<byte> GetBufferWriter() => _writer ??= new ArrayBufferWriter<byte>();

    public override void Complete() => _payload = _writer?.WrittenSpan.ToArray() ?? [];

    public byte[] GetPayload() => _payload ?? throw new InvalidOperationException("The serializer did not complete the message.");
}
