namespace StreamService.Llm;

/// <summary>
/// A read-only pass-through over a <c>text/event-stream</c> body that ends in
/// <see cref="InvalidDataException"/> at the first byte that makes one event (the bytes since the
/// last event boundary) larger than a limit: the read that brings that byte hands on only the bytes
/// before it, so events finished earlier are still parsed, and every read after it throws. It exists
/// because <see cref="System.Net.ServerSentEvents.SseParser{T}"/> has no size limit of its own in
/// .NET 10: it doubles its line buffer while a line has no end, and grows its data buffer while data
/// lines keep coming without the blank line that dispatches them, so an upstream that never ends a
/// line or an event would make it buffer without bound.
/// </summary>
/// <remarks>
/// <para>Boundaries follow the WHATWG HTML standard ("Server-sent events", §9.2.5 Parsing an event
/// stream, §9.2.6 Interpreting an event stream): a line ends with CRLF, LF or CR, and an empty line
/// ends the event. The count covers every byte of the event's lines (field names, values, comments,
/// and one byte per line end, whichever form it has) and restarts after the empty line; a CR LF split
/// across two reads is still one line end.</para>
/// <para>Why this bounds the parser's memory: all the parser keeps between reads is the unfinished
/// line and the data of the unfinished event, and both are bytes of the current event, which never
/// gets past the limit here. The parser doubles its line buffer only when the unfinished line fills
/// all of it, so that buffer is at most twice the limit; it sizes its data buffer to the event's data
/// plus what is in the line buffer, so at most three times the limit (ArrayPool then rounds each up
/// to a power of two). The bytes past the limit were read into a buffer the parser already had; it
/// never sees them, and it gets nothing more.</para>
/// </remarks>
internal sealed class EventSizeLimitingStream : Stream
{
    private const byte LineFeed = (byte)'\n';
    private const byte CarriageReturn = (byte)'\r';

    private readonly Stream _inner;
    private readonly int _maxEventSize;
    private int _eventBytes;
    private bool _lineIsEmpty = true;
    private bool _afterCarriageReturn;
    private bool _tooLarge;

    public EventSizeLimitingStream(Stream inner, int maxEventSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEventSize);
        _inner = inner;
        _maxEventSize = maxEventSize;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfTooLarge();
        // The token goes to the response stream as is: cancelling its read aborts the upstream request.
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Accept(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        ThrowIfTooLarge();
        return Accept(buffer[.._inner.Read(buffer)]);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>How many of the bytes just read to hand on: all, or those before the first byte past
    /// the limit, so that events finished before it are still parsed; the next read then throws.</summary>
    private int Accept(ReadOnlySpan<byte> bytes)
    {
        var accepted = CountWithinLimit(bytes);
        if (accepted < bytes.Length)
        {
            _tooLarge = true;
            if (accepted == 0)
            {
                // Returning 0 would read as the end of the stream.
                ThrowIfTooLarge();
            }
        }

        return accepted;
    }

    private int CountWithinLimit(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        while (position < bytes.Length)
        {
            var rest = bytes[position..];
            if (_afterCarriageReturn && rest[0] == LineFeed)
            {
                // The LF of a CR LF: the line end was counted (and an event ended) at the CR.
                _afterCarriageReturn = false;
                position++;
                continue;
            }

            var end = rest.IndexOfAny(CarriageReturn, LineFeed);
            var content = end < 0 ? rest.Length : end;
            if (content > 0)
            {
                var room = _maxEventSize - _eventBytes;
                if (content > room)
                {
                    return position + room;
                }

                _eventBytes += content;
                _lineIsEmpty = false;
            }

            if (end < 0)
            {
                _afterCarriageReturn = false;
                return bytes.Length;
            }

            _afterCarriageReturn = rest[end] == CarriageReturn;
            if (_lineIsEmpty)
            {
                _eventBytes = 0;
            }
            else
            {
                if (_eventBytes == _maxEventSize)
                {
                    return position + end;
                }

                _eventBytes++;
                _lineIsEmpty = true;
            }

            position += end + 1;
        }

        return bytes.Length;
    }

    private void ThrowIfTooLarge()
    {
        if (_tooLarge)
        {
            throw new InvalidDataException($"An event-stream event is larger than {_maxEventSize} bytes.");
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
