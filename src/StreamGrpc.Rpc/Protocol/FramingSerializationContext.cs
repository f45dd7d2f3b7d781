using System.Buffers;
using System.IO.Compression;
using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>
/// Serializes messages straight into the transport's buffer writer as length-prefixed frames.
/// When the marshaller announces the payload length (generated protobuf code does), the 5-byte
/// header is written first and the marshaller writes into the transport's own memory: no
/// intermediate copy. Otherwise (unknown length, or compression) the payload goes through one pooled
/// buffer. One instance serves all messages of a call.
/// </summary>
internal sealed class FramingSerializationContext : SerializationContext, IBufferWriter<byte>, IDisposable
{
    private IBufferWriter<byte>? _output;
    private int? _maxMessageSize;
    private ICompressionProvider? _compression;
    private CompressionLevel _compressionLevel;
    private PooledBufferWriter? _buffer;
    private int _declaredLength = -1;
    private int _written;
    private bool _direct;

    /// <summary>Uncompressed size of the last completed message.</summary>
    public int LastMessageSize { get; private set; }

    /// <summary>Prepares for the next message.</summary>
    public void Reset(IBufferWriter<byte> output, int? maxMessageSize, ICompressionProvider? compression, CompressionLevel compressionLevel)
    {
        _output = output;
        _maxMessageSize = maxMessageSize;
        _compression = compression;
        _compressionLevel = compressionLevel;
        _declaredLength = -1;
        _written = 0;
        _direct = false;
        _buffer?.Clear();
    }

    public override void SetPayloadLength(int payloadLength)
    {
        CheckSize(payloadLength);
        _declaredLength = payloadLength;
        if (_compression is null)
        {
            MessageFrame.WriteHeader(Output.GetSpan(GrpcProtocolConstants.HeaderSize), compressed: false, payloadLength);
            Output.Advance(GrpcProtocolConstants.HeaderSize);
            _direct = true;
        }
    }

    public override IBufferWriter<byte> GetBufferWriter() => _direct ? this : (_buffer ??= new PooledBufferWriter());

    public override void Complete()
    {
        if (_direct)
        {
            if (_written != _declaredLength)
            {
                throw new InvalidOperationException($"The serializer wrote {_written} bytes after announcing {_declaredLength}.");
            }

            LastMessageSize = _written;
        }
        else
        {
            var payload = _buffer is null ? ReadOnlySpan<byte>.Empty : _buffer.WrittenSpan;
            CheckSize(payload.Length);
            WriteFramed(payload);
        }
    }

    public override void Complete(byte[] payload)
    {
        CheckSize(payload.Length);
        WriteFramed(payload);
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        _written += count;
        Output.Advance(count);
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint) => Output.GetMemory(sizeHint);

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => Output.GetSpan(sizeHint);

    public void Dispose() => _buffer?.Dispose();

    private IBufferWriter<byte> Output => _output ?? throw new InvalidOperationException("The context was not reset for a message.");

    private void WriteFramed(ReadOnlySpan<byte> payload)
    {
        LastMessageSize = payload.Length;

        // An empty payload goes out uncompressed: compressing nothing yields no bytes at all (not a
        // valid gzip member), which peers reject, and the flag is per message anyway.
        if (_compression is null || payload.IsEmpty)
        {
            WriteFrame(payload, compressed: false);
            return;
        }

        using var compressed = new PooledBufferWriter(Math.Max(256, payload.Length / 2));
        using (var stream = _compression.CreateCompressionStream(new BufferWriterStream(compressed), _compressionLevel))
        {
            stream.Write(payload);
        }

        WriteFrame(compressed.WrittenSpan, compressed: true);
    }

    private void WriteFrame(ReadOnlySpan<byte> payload, bool compressed)
    {
        var output = Output;
        var span = output.GetSpan(GrpcProtocolConstants.HeaderSize + payload.Length);
        MessageFrame.WriteHeader(span, compressed, payload.Length);
        payload.CopyTo(span.Slice(GrpcProtocolConstants.HeaderSize));
        output.Advance(GrpcProtocolConstants.HeaderSize + payload.Length);
    }

    private void CheckSize(int length)
    {
        if (_maxMessageSize is { } max && length > max)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({length} > {max} bytes)."));
        }
    }
}
