using System.Buffers;
using System.Text;

namespace StreamService.Files;

/// <summary>Splits a byte stream into lines with their 1-based numbers and the byte offsets of their
/// starts. One pooled buffer of <c>readSize + maxLineBytes</c> bytes, whatever the file size.
/// A line longer than <c>maxLineBytes</c> keeps its first <c>maxLineBytes</c> bytes (cut at a
/// character boundary) and the rest is skipped unread into memory.</summary>
/// <remarks>Built on a plain <see cref="Stream"/> rather than a PipeReader: a PipeReader over a
/// stream completes for good at the first end of stream, while follow mode must read on from the
/// same handle after the file grows. Parsing is split from reading (<see cref="TryReadLine"/> never
/// performs I/O, <see cref="FillAsync"/> only reads) so the caller decides what end of data means.</remarks>
internal sealed class LineReader : IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly int _maxLineBytes;
    private readonly int _readSize;
    private byte[] _buffer;
    private Stream _stream;
    private int _start;
    private int _end;

    /// <summary>Offset in the text of <c>_buffer[_start]</c>.</summary>
    private long _bufferOffset;

    /// <summary>Number of the line that starts at (or, while skipping a cut line, started before) <c>_bufferOffset</c>.</summary>
    private long _lineNumber = 1;

    /// <summary>Lines numbered below this are skipped without decoding.</summary>
    private long _skipBelowLine;

    /// <summary>Decoded head of an over-long line whose remainder is being skipped.</summary>
    private string? _cutText;
    private long _cutOffset;

    /// <summary>Return lines whose text is valid UTF-8 as lent views of the buffer
    /// (<see cref="LineItem.Lent"/>), valid until the next <see cref="TryReadLine"/> or
    /// <see cref="FillAsync"/>; other lines, and every line when false, as decoded strings.</summary>
    public bool LendUtf8 { get; set; }

    public LineReader(Stream stream, int maxLineBytes, int readSize)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _readSize = readSize;
        // Room for one maximal line plus its CRLF and a full read after it.
        _buffer = ArrayPool<byte>.Shared.Rent(readSize + maxLineBytes + 2);
    }

    /// <summary>Offset just past the bytes read from the stream so far.</summary>
    public long StreamPosition => _bufferOffset + (_end - _start);

    /// <summary>Makes lines before <paramref name="lineNumber"/> be skipped, counted but not decoded.</summary>
    public void SkipToLine(long lineNumber) => _skipBelowLine = lineNumber;

    /// <summary>Positions the reader at <paramref name="offset"/>, which must be the start of a line
    /// (0, or just after a '\n'). The line number there is taken from <paramref name="lineNumber"/>
    /// when known (> 0), else counted from the start of the text.</summary>
    public async ValueTask StartAtAsync(long offset, long lineNumber, CancellationToken cancellationToken)
    {
        if (offset == 0)
        {
            _lineNumber = 1;
            return;
        }

        if (_stream.CanSeek && offset > _stream.Length)
        {
            throw PastEnd();
        }

        if (_stream.CanSeek && lineNumber > 0)
        {
            _stream.Seek(offset - 1, SeekOrigin.Begin);
            var previous = new byte[1];
            if (await _stream.ReadAsync(previous, cancellationToken) != 1)
            {
                throw PastEnd();
            }

            if (previous[0] != (byte)'\n')
            {
                throw NotAtLineStart();
            }

            _bufferOffset = offset;
            _lineNumber = lineNumber;
            return;
        }

        // Not seekable (gzip) or line number unknown: read through, counting line ends.
        var remaining = offset;
        long lineEnds = 0;
        byte last = 0;
        while (remaining > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw PastEnd();
            }

            var take = (int)Math.Min(remaining, _end - _start);
            var span = _buffer.AsSpan(_start, take);
            lineEnds += span.Count((byte)'\n');
            last = span[^1];
            Consume(take);
            remaining -= take;
        }

        if (last != (byte)'\n')
        {
            throw NotAtLineStart();
        }

        _lineNumber = lineNumber > 0 ? lineNumber : lineEnds + 1;

        static FileLinesException PastEnd() =>
            new(FileLinesError.OutOfRange, "The start offset is past the end of the file.");

        static FileLinesException NotAtLineStart() =>
            new(FileLinesError.InvalidArgument, "The start offset is not at the start of a line.");
    }

    /// <summary>Parses the next line from buffered bytes, without I/O.</summary>
    /// <param name="endOfText">True when no more bytes will come: an unterminated last line is then
    /// returned as a line. False in follow mode, where it may still be completed.</param>
    /// <returns>False when more bytes are needed (call <see cref="FillAsync"/>).</returns>
    public bool TryReadLine(bool endOfText, out LineItem line)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);

            if (_cutText is not null)
            {
                var end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    Consume(span.Length);
                    if (endOfText)
                    {
                        line = EmitCut(_bufferOffset);
                        return true;
                    }

                    line = default;
                    return false;
                }

                Consume(end + 1);
                line = EmitCut(_bufferOffset);
                return true;
            }

            if (_lineNumber < _skipBelowLine)
            {
                var end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    // The unterminated rest belongs to a skipped line either way.
                    Consume(span.Length);
                    line = default;
                    return false;
                }

                Consume(end + 1);
                _lineNumber++;
                continue;
            }

            var searched = span[..Math.Min(span.Length, _maxLineBytes + 2)];
            var newline = searched.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                ReadOnlySpan<byte> content = span[..newline];
                if (content.Length > 0 && content[^1] == (byte)'\r')
                {
                    content = content[..^1];
                }

                var truncated = content.Length > _maxLineBytes;
                if (truncated)
                {
                    content = CutAtCharBoundary(content, _maxLineBytes);
                }

                line = MakeLine(_bufferOffset + newline + 1, content.Length, truncated);
                Consume(newline + 1);
                _lineNumber++;
                return true;
            }

            if (searched.Length == _maxLineBytes + 2)
            {
                // Over-long: keep the head, skip to the line end (handled at the top of the loop).
                _cutText = Decode(CutAtCharBoundary(span, _maxLineBytes));
                _cutOffset = _bufferOffset;
                Consume(searched.Length); // holds no '\n'; the skip above looks for it in the rest
                continue;
            }

            if (endOfText && span.Length > 0)
            {
                var length = span[^1] == (byte)'\r' ? span.Length - 1 : span.Length;
                line = MakeLine(_bufferOffset + span.Length, length, truncated: false);
                Consume(span.Length);
                _lineNumber++;
                return true;
            }

            line = default;
            return false;
        }
    }

    /// <summary>Reads more bytes from the stream; false at the (current) end of the stream.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_buffer.Length - _end < _readSize)
        {
            // Keep the unterminated tail (shorter than a maximal line) and make room after it.
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end, Math.Min(_readSize, _buffer.Length - _end)), cancellationToken);
        _end += read;
        return read > 0;
    }

    /// <summary>Starts over on <paramref name="stream"/> at offset 0, line 1 (truncation, replacement).</summary>
    public void Restart(Stream stream)
    {
        _stream = stream;
        _start = _end = 0;
        _bufferOffset = 0;
        _lineNumber = 1;
        _skipBelowLine = 0;
        _cutText = null;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private LineItem EmitCut(long nextOffset)
    {
        var line = LineItem.Line(_lineNumber, _cutOffset, nextOffset, _cutText!, truncated: true);
        _cutText = null;
        _lineNumber++;
        return line;
    }

    private void Consume(int count)
    {
        _start += count;
        _bufferOffset += count;
    }

    /// <summary>The line whose text is the <paramref name="length"/> bytes at <c>_start</c>.</summary>
    private LineItem MakeLine(long nextOffset, int length, bool truncated)
    {
        var start = _start;
        // A UTF-8 byte order mark at the very start of the text is not part of the first line.
        if (_bufferOffset == 0 && _buffer.AsSpan(start, length).StartsWith("\uFEFF"u8))
        {
            start += 3;
            length -= 3;
        }

        var text = _buffer.AsMemory(start, length);
        // Valid UTF-8 decodes to a string whose UTF-8 is the same bytes: lend them instead
        // (Utf8.IsValid is vectorised). Invalid bytes take the replacing decode (U+FFFD per invalid
        // sequence), so both ways give the same text.
        return LendUtf8 && System.Text.Unicode.Utf8.IsValid(text.Span)
            ? LineItem.Lent(_lineNumber, _bufferOffset, nextOffset, text, truncated)
            : LineItem.Line(_lineNumber, _bufferOffset, nextOffset, s_utf8.GetString(text.Span), truncated);
    }

    private string Decode(ReadOnlySpan<byte> content)
    {
        // A UTF-8 byte order mark at the very start of the text is not part of the first line.
        if (_bufferOffset == 0 && content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        return s_utf8.GetString(content);
    }

    /// <summary>The first <paramref name="max"/> bytes, shortened so no UTF-8 sequence is split
    /// (a split sequence would decode to a spurious U+FFFD).</summary>
    internal static ReadOnlySpan<byte> CutAtCharBoundary(ReadOnlySpan<byte> bytes, int max)
    {
        var cut = bytes[..max];
        for (var back = 1; back <= 3 && back <= cut.Length; back++)
        {
            var b = cut[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: keep looking for the lead byte
            }

            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back ? cut[..^back] : cut;
        }

        return cut;
    }
}
