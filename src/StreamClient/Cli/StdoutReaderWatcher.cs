using System.Runtime.InteropServices;

namespace StreamClient.Cli;

/// <summary>
/// Notices when the reader of stdout goes away (<c>streamgrpc rows events | head -3</c> after head
/// exits), also while nothing is being written (<c>lines --follow</c> on a quiet file). .NET
/// ignores SIGPIPE, so a write only fails with EPIPE, and a stream that has nothing to write never
/// writes. poll(2) reports POLLERR on a pipe's write end once it has no readers (POLLHUP for a
/// socket or terminal that hung up) even when no event is asked for, so one blocked poll on a
/// background thread is the whole watch. On a file or /dev/null it never returns, which is right.
/// </summary>
internal sealed partial class StdoutReaderWatcher : IDisposable
{
    private const int StdoutFileDescriptor = 1;
    private const short PollErr = 0x008;
    private const short PollHup = 0x010;
    private const short PollNval = 0x020;
    private const int EIntr = 4;

    private readonly CancellationTokenSource _closed = new();

    private StdoutReaderWatcher()
    {
    }

    /// <summary>Cancelled once stdout has no reader.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Starts watching; on Windows (no poll) only write errors tell.</summary>
    public static StdoutReaderWatcher Start()
    {
        var watcher = new StdoutReaderWatcher();
        if (!OperatingSystem.IsWindows())
        {
            new Thread(watcher.Watch) { IsBackground = true, Name = "stdout reader watch" }.Start();
        }

        return watcher;
    }

    /// <summary>Records that stdout is gone, e.g. after a write failed with EPIPE.</summary>
    public void MarkClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _closed.Dispose();

    private void Watch()
    {
        var fd = new PollFd { Fd = StdoutFileDescriptor, Events = 0 };
        while (true)
        {
            fd.Revents = 0;
            if (Poll(ref fd, 1, -1) < 0)
            {
                if (Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue;
                }

                return; // cannot watch; write errors still tell
            }

            if ((fd.Revents & PollNval) != 0)
            {
                return; // stdout is not open at all
            }

            if ((fd.Revents & (PollErr | PollHup)) != 0)
            {
                MarkClosed();
                return;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeoutMilliseconds);
}
