using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace StreamService.Files;

/// <summary>The lines of one open file as an async stream, following it after its end when asked
/// (like <c>tail -F</c>). Owns the file handle: disposing closes it.</summary>
/// <remarks>Follow mode after reaching the end: yield <see cref="LineItem.Idle"/> (the batcher sends
/// what it holds), then wait for a change notification or the slow fallback poll — no busy waiting —
/// then check whether the path now names another file (rotation: finish the old file, switch) or the
/// file shrank (truncation: start over), then read on.</remarks>
internal sealed partial class FileLineSource : IAsyncDisposable
{
    private readonly FileLineSourceFactory _factory;
    private readonly bool _follow;
    private readonly LineReader _reader;
    private ResolvedFile _file;
    private FileStream _fileStream;
    private Stream _textStream;
    private UnixFileStatus? _openedStatus;

    internal FileLineSource(FileLineSourceFactory factory, ResolvedFile file, FileStream stream, UnixFileStatus? status, bool follow)
    {
        _factory = factory;
        _file = file;
        _follow = follow;
        _fileStream = stream;
        _openedStatus = status;
        _textStream = file.IsGzip ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: false) : stream;
        _reader = new LineReader(_textStream, factory.Options.MaxLineBytes, factory.Options.ReadBufferBytes);
    }

    internal async ValueTask PositionAsync(FileStart start, CancellationToken cancellationToken)
    {
        if (start.Offset > 0)
        {
            await _reader.StartAtAsync(start.Offset, start.OffsetLineNumber, cancellationToken);
        }
        else if (start.Line > 1)
        {
            _reader.SkipToLine(start.Line);
        }
    }

    /// <summary>The lines, each with its text as a string.</summary>
    public IAsyncEnumerable<LineItem> ReadAsync(CancellationToken cancellationToken = default) => ReadAsync(lendUtf8: false, cancellationToken);

    /// <summary>The lines; with <paramref name="lendUtf8"/>, lines of valid UTF-8 come as lent views of
    /// the read buffer (<see cref="LineItem.IsLent"/>), valid until the next item is pulled.</summary>
    public async IAsyncEnumerable<LineItem> ReadAsync(bool lendUtf8, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _reader.LendUtf8 = lendUtf8;
        // Subscribe before the first read: a change landing between reaching the end and starting
        // to wait is then not lost but makes the wait return at once.
        var subscription = _follow ? _factory.Subscribe(_file) : null;
        try
        {
            while (true)
            {
                while (true)
                {
                    while (_reader.TryReadLine(endOfText: false, out var line))
                    {
                        yield return line;
                    }

                    if (!await _reader.FillAsync(cancellationToken))
                    {
                        break;
                    }
                }

                if (!_follow)
                {
                    while (_reader.TryReadLine(endOfText: true, out var last))
                    {
                        yield return last;
                    }

                    yield break;
                }

                yield return LineItem.Idle;
                await subscription!.WaitAsync(_factory.Options.FollowPollInterval, cancellationToken);

                if (FindReplacement() is { } replacement)
                {
                    // The old file is complete: send its rest, an unterminated last line included.
                    while (true)
                    {
                        while (_reader.TryReadLine(endOfText: false, out var line))
                        {
                            yield return line;
                        }

                        if (!await _reader.FillAsync(cancellationToken))
                        {
                            break;
                        }
                    }

                    while (_reader.TryReadLine(endOfText: true, out var last))
                    {
                        yield return last;
                    }

                    if (TrySwitchTo(replacement))
                    {
                        // Watch where the new file lives (a symlinked name may now lead elsewhere).
                        subscription.Dispose();
                        subscription = _factory.Subscribe(_file);
                        Log.FileReplaced(_factory.Logger, _file.RootName, _file.RelativePath);
                        yield return LineItem.Reset(LineItemKind.Replaced);
                    }
                }
                else if (RandomAccess.GetLength(_fileStream.SafeFileHandle) < _reader.StreamPosition)
                {
                    _fileStream.Seek(0, SeekOrigin.Begin);
                    _reader.Restart(_textStream);
                    Log.FileTruncated(_factory.Logger, _file.RootName, _file.RelativePath);
                    yield return LineItem.Reset(LineItemKind.Truncated);
                }
            }
        }
        finally
        {
            subscription?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _textStream.DisposeAsync();
    }

    /// <summary>The file the path names now, when that is no longer the open file. A missing path
    /// (renamed away, new file not created yet) is not a replacement: the old file is read on until
    /// a new one appears, as <c>tail -F</c> does. Other refusals (the path now leaves the root) end the
    /// stream. Needs file identities (statx); without them only truncation is noticed.</summary>
    private ResolvedFile? FindReplacement()
    {
        ResolvedFile current;
        try
        {
            current = _factory.Resolve(_file);
        }
        catch (FileLinesException e) when (e.Error == FileLinesError.NotFound)
        {
            return null;
        }

        return current.Status is { } now && _openedStatus is { } open && !now.IsSameFile(open) ? current : null;
    }

    private bool TrySwitchTo(ResolvedFile replacement)
    {
        FileStream stream;
        UnixFileStatus? status;
        try
        {
            (stream, status) = FileLineSourceFactory.Open(replacement);
        }
        catch (FileLinesException e) when (e.Error == FileLinesError.NotFound)
        {
            return false; // replaced again in between: the next wake-up retries
        }

        _textStream.Dispose();
        _file = replacement;
        _fileStream = stream;
        _textStream = stream;
        _openedStatus = status;
        _reader.Restart(stream);
        return true;
    }
}
