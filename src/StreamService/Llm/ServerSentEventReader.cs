using System.Buffers;
using System.IO.Pipelines;

namespace StreamService.Llm;

/// <summary>
/// Reads the <c>data</c> of events from a <c>text/event-stream</c> body, as the WHATWG HTML standard
/// defines it ("Server-sent events", §9.2.6 Interpreting an event stream):
/// <code>
///   stream = [ BOM ] *event
///   event  = *( comment / field ) end-of-line
///   field  = name [ ":" [ " " ] value ] end-of-line      end-of-line = CRLF / LF / CR
/// </code>
/// Consecutive <c>data</c> lines join with LF; a blank line dispatches the event; comments (lines
/// starting with ':') and fields other than <c>data</c> and <c>event</c> are ignored; an unfinished
/// event at the end of the stream is discarded. Data is copied into one pooled buffer that
/// <see cref="Data"/> exposes until the next read, so a long stream allocates nothing per event.
/// </summary>
internal sealed class ServerSentEventReader : IAsyncDisposable
{
    private const byte LineFeed = (byte)'\n';
    private const byte CarriageReturn = (byte)'\r';

    private readonly PipeReader _reader;
    private readonly int _maxEventSize;
    private byte[] _data;
    private int _dataLength;
    private bool _hasData;
    private bool _atStart = true;

    public ServerSentEventReader(Stream stream, int maxEventSize)
    {
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024));
        _maxEventSize = maxEventSize;
        _data = ArrayPool<byte>.Shared.Rent(1024);
    }

    /// <summary>The data of the last event read, valid until the next call to <see cref="ReadAsync"/>.</summary>
    public ReadOnlyMemory<byte> Data => _data.AsMemory(0, _dataLength);

    /// <summary>The <c>event</c> field of the last event read; null when it had none (the usual case).</summary>
    public string? EventType { get; private set; }

    /// <summary>Reads the next event; false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        _dataLength = 0;
        _hasData = false;
        EventType = null;

        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var dispatched = TryReadEvent(ref buffer, result.IsCompleted);
            if (dispatched)
            {
                _reader.AdvanceTo(buffer.Start);
                return true;
            }

            // Everything before buffer.Start was consumed; the rest is an unfinished line.
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return false;
            }

            if (buffer.Length > _maxEventSize)
            {
                throw new InvalidDataException($"An event-stream line is longer than {_maxEventSize} bytes.");
            }
        }
    }

    private bool TryReadEvent(ref ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        if (_atStart)
        {
            if (buffer.Length < 3 && !isCompleted)
            {
                return false;
            }

            _atStart = false;
            if (buffer.Length >= 3 && buffer.FirstSpan.Length >= 3 && buffer.FirstSpan[..3].SequenceEqual("\uFEFF"u8))
            {
                buffer = buffer.Slice(3);
            }
        }

        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadToAny(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: false))
        {
            reader.TryRead(out var delimiter);
            if (delimiter == CarriageReturn)
            {
                // CR LF is one line end; a CR at the very end of the buffer may be half of one.
                if (reader.End && !isCompleted)
                {
                    return false;
                }

                if (reader.TryPeek(out var next) && next == LineFeed)
                {
                    reader.Advance(1);
                }
            }

            buffer = buffer.Slice(reader.Position);
            if (line.IsEmpty)
            {
                if (_hasData)
                {
                    // The data buffer's last LF is not part of the data (§9.2.6, dispatch step 3).
                    _dataLength--;
                    return true;
                }

                EventType = null;
                continue;
            }

            ProcessField(line);
        }

        return false;
    }

    private void ProcessField(ReadOnlySequence<byte> line)
    {
        if (line.FirstSpan[0] == (byte)':')
        {
            return;
        }

        ReadOnlySequence<byte> name;
        ReadOnlySequence<byte> value;
        if (line.PositionOf((byte)':') is { } colon)
        {
            name = line.Slice(0, colon);
            value = line.Slice(line.GetPosition(1, colon));
            if (!value.IsEmpty && value.FirstSpan[0] == (byte)' ')
            {
                value = value.Slice(1);
            }
        }
        else
        {
            name = line;
            value = default;
        }

        if (IsName(name, "data"u8))
        {
            var needed = _dataLength + (int)value.Length + 1;
            if (needed > _maxEventSize)
            {
                throw new InvalidDataException($"An event-stream event is larger than {_maxEventSize} bytes.");
            }

            EnsureCapacity(needed);
            value.CopyTo(_data.AsSpan(_dataLength));
            _dataLength += (int)value.Length;
            _data[_dataLength++] = LineFeed;
            _hasData = true;
        }
        else if (IsName(name, "event"u8))
        {
            EventType = System.Text.EncodingExtensions.GetString(System.Text.Encoding.UTF8, value);
        }
    }

    private static bool IsName(ReadOnlySequence<byte> name, ReadOnlySpan<byte> expected)
        => name.IsSingleSegment ? name.FirstSpan.SequenceEqual(expected) : name.ToArray().AsSpan().SequenceEqual(expected);

    private void EnsureCapacity(int needed)
    {
        if (needed <= _data.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _data.Length * 2));
        _data.AsSpan(0, _dataLength).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_data);
        _data = larger;
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        var data = _data;
        _data = [];
        if (data.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }
}
