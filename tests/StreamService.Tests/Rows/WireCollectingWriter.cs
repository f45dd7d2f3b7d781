using Google.Protobuf;
using System.Buffers;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Rows;

namespace StreamService.Tests.Rows;

/// <summary>Collects what the row service writes, as a client would see it: each message goes
/// through the service's response marshaller and is parsed back with the public contract's parser,
/// so the hand-encoded batches are checked against Google.Protobuf on every test.</summary>
internal sealed class WireCollectingWriter(Func<StreamRowsResponse, int, Task>? onWrite) : IServerStreamWriter<RowsStreamMessage>
{
    public List<StreamRowsResponse> Messages { get; } = [];

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(RowsStreamMessage message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(RowsStreamMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new BufferSerializationContext();
        RowsServiceBinding.StreamRowsMethod.ResponseMarshaller.ContextualSerializer(message, context);
        var parsed = StreamRowsResponse.Parser.ParseFrom(context.Buffer.WrittenSpan);
        // Byte for byte what Google.Protobuf itself would write for the parsed message.
        Assert.Equal(parsed.ToByteArray(), context.Buffer.WrittenSpan.ToArray());
        Messages.Add(parsed);
        if (onWrite is not null)
        {
            await onWrite(parsed, Messages.Count).Within();
        }
    }

    private sealed class BufferSerializationContext : SerializationContext
    {
        private int? _declaredLength;

        public ArrayBufferWriter<byte> Buffer { get; } = new();

        public override void SetPayloadLength(int payloadLength) => _declaredLength = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => Buffer;

        public override void Complete()
        {
            if (_declaredLength is { } length)
            {
                Assert.Equal(length, Buffer.WrittenCount);
            }
        }

        public override void Complete(byte[] payload) => Buffer.Write(payload);
    }
}
