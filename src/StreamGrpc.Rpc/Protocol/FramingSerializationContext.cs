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
/// <remarks>
/// With a known length the whole frame (header and payload) is asked of the transport as one
/// piece of memory and committed with one <c>Advance</c>: every <c>GetSpan</c>/<c>Advance</c> on
/// Kestrel's HTTP/2 response writer takes a lock shared with its frame writer, so two calls per
/// message instead of four or more keeps the per-message cost near that of writing raw bytes.
/// </remarks>
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
    private Memory<byte> _frame;
    private int _frameUsed;

    /// <summary>Largest frame asked of the transport in one piece; beyond it the payload is written
    /// in the pieces the transport hands out, so a huge message never needs a huge contiguous buffer.</summary>
    internal const int MaxContiguousFrameSize = 1024 * 1024;

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
        _frame = default;
        _frameUsed = 0;
        _buffer?.Clear();
    }

    public override void SetPayloadLength(int payloadLength)
    {
        CheckSize(payloadLength);
        _declaredLength = payloadLength;
        if (_compression is null)
        {
            var frameSize = GrpcProtocolConstants.HeaderSize + payloadLength;
            if (frameSize <= MaxContiguousFrameSize)
            {
                // The header stays uncommitted in _frame until the payload is in; see remarks.
                _frame = Output.GetMemory(frameSize);
                MessageFrame.WriteHeader(_frame.Span, compressed: false, payloadLength);
                _frameUsed = GrpcProtocolConstants.HeaderSize;
            }
            else
            {
                MessageFrame.WriteHeader(Output.GetSpan(GrpcProtocolConstants.HeaderSize), compressed: false, payloadLength);
                Output.Advance(GrpcProtocolConstants.HeaderSize);
            }

            _direct = true;
        }
    }

    public override IBufferWriter<byte> GetBufferWriter() => _direct ? this : (_buffer ??= new PooledBufferWriter());

    public override void Complete()
    {
        if (_direct)
        {
            CommitFrame();
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
        if (_frameUsed > 0)
        {
            if (count < 0 || count > _frame.Length - _frameUsed)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            _frameUsed += count;
            return;
        }

        Output.Advance(count);
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint) => FrameHasRoom(sizeHint) ? _frame.Slice(_frameUsed) : Output.GetMemory(sizeHint);

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => FrameHasRoom(sizeHint) ? _frame.Span.Slice(_frameUsed) : Output.GetSpan(sizeHint);

    public void Dispose() => _buffer?.Dispose();

    /// <summary>Whether the rest of the frame's memory can take the serializer's next write; if not,
    /// what is in it is committed and the serializer writes to the transport directly.</summary>
    private bool FrameHasRoom(int sizeHint)
    {
        if (_frameUsed == 0)
        {
            return false;
        }

        if (_frame.Length - _frameUsed >= Math.Max(sizeHint, 1))
        {
            return true;
        }

        CommitFrame();
        return false;
    }

    private void CommitFrame()
    {
        if (_frameUsed > 0)
        {
            Output.Advance(_frameUsed);
            _frame = default;
            _frameUsed = 0;
        }
    }

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
