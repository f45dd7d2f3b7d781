using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using Grpc.Core;

namespace StreamGrpc.Rpc.Protocol;

/// <summary>
/// Reads length-prefixed messages from a <see cref="PipeReader"/> and deserializes each straight
/// from the pipe's memory (decompressing first when the frame says so). Consumed bytes are released
/// with <c>AdvanceTo(consumed, examined)</c> so a partial frame waits for more data without copying.
/// </summary>
internal sealed class PipeMessageReader : IDisposable
{
    private readonly PipeReader _reader;
    private readonly int? _maxMessageSize;
    private readonly ICompressionProvider? _encoding;
    private readonly SequenceDeserializationContext _context = new();
    private PooledBufferWriter? _decompressed;

    // A read result kept across TryReadBuffered calls: the unconsumed rest of it, so a buffer
    // holding many small frames costs one TryRead/AdvanceTo pair instead of one per message.
    private ReadOnlySequence<byte> _held;
    private bool _holding;

    public PipeMessageReader(PipeReader reader, int? maxMessageSize, ICompressionProvider? encoding)
    {
        _reader = reader;
        _maxMessageSize = maxMessageSize;
        _encoding = encoding;
    }

    /// <summary>Size in bytes of the last message read, as received (compressed size if compressed).</summary>
    public int LastMessageSize { get; private set; }

    /// <summary>Reads the next message; null at a clean end of stream. A stream that ends inside a
    /// frame is an INTERNAL error.</summary>
    public async ValueTask<T?> ReadAsync<T>(Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken)
        where T : class
    {
        ReleaseHeld();
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (MessageFrame.TryRead(ref buffer, _maxMessageSize, out var compressed, out var payload))
            {
                T message;
                try
                {
                    LastMessageSize = (int)payload.Length;
                    message = Deserialize(payload, compressed, deserializer);
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start);
                }

                return message;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var incomplete = buffer.Length > 0;
                _reader.AdvanceTo(buffer.End);
                if (incomplete)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "Incomplete message: the stream ended inside a message frame."));
                }

                return null;
            }

            // Nothing consumed, everything examined: wake up only when more bytes arrive.
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Takes the next message only if it is already whole in the pipe's buffer, without
    /// waiting. False leaves the pipe as it was, minus the knowledge that the buffered bytes hold
    /// no whole message, so the next <see cref="ReadAsync{T}"/> waits for more bytes at once.</summary>
    public bool TryReadBuffered<T>(Func<DeserializationContext, T> deserializer, [NotNullWhen(true)] out T? message)
        where T : class
    {
        message = null;
        if (!_holding)
        {
            if (!_reader.TryRead(out var result))
            {
                return false;
            }

            _held = result.Buffer;
            _holding = true;
        }

        var buffer = _held;
        if (!MessageFrame.TryRead(ref buffer, _maxMessageSize, out var compressed, out var payload))
        {
            // What is left holds no whole frame: wait for more bytes on the next read.
            _holding = false;
            _reader.AdvanceTo(_held.Start, _held.End);
            return false;
        }

        try
        {
            LastMessageSize = (int)payload.Length;
            message = Deserialize(payload, compressed, deserializer);
        }
        catch
        {
            _holding = false;
            _reader.AdvanceTo(buffer.Start);
            throw;
        }

        // Consumed, but released to the pipe only when the held bytes run out of whole frames.
        _held = buffer;
        return true;
    }

    /// <summary>Hands a held read result back to the pipe, consumed up to the last message taken.</summary>
    private void ReleaseHeld()
    {
        if (_holding)
        {
            _holding = false;
            _reader.AdvanceTo(_held.Start);
        }
    }

    public void Dispose() => _decompressed?.Dispose();

    private T Deserialize<T>(ReadOnlySequence<byte> payload, bool compressed, Func<DeserializationContext, T> deserializer)
    {
        if (compressed)
        {
            if (_encoding is null)
            {
                throw new RpcException(new Status(StatusCode.Internal, "A message is marked compressed but the call has no grpc-encoding."));
            }

            payload = Decompress(payload, _encoding);
        }

        _context.Reset(payload);
        try
        {
            return deserializer(_context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize a message.", ex));
        }
        finally
        {
            _context.Reset(default);
        }
    }

    private ReadOnlySequence<byte> Decompress(ReadOnlySequence<byte> payload, ICompressionProvider encoding)
    {
        var output = _decompressed ??= new PooledBufferWriter(4096);
        output.Clear();
        var compressedBytes = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(compressedBytes);
            using var source = new MemoryStream(compressedBytes, 0, (int)payload.Length, writable: false);
            using var decompressor = encoding.CreateDecompressionStream(source);
            while (true)
            {
                var span = output.GetSpan(16 * 1024);
                var read = decompressor.Read(span);
                if (read == 0)
                {
                    break;
                }

                output.Advance(read);
                if (_maxMessageSize is { } max && output.WrittenCount > max)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size after decompression."));
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "A compressed message could not be decompressed.", ex));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressedBytes);
        }

        return new ReadOnlySequence<byte>(output.WrittenMemory);
    }
}
