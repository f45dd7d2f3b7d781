using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace StreamService.Files;

/// <summary>File type and identity (device, inode) from Linux <c>statx(2)</c>. .NET exposes neither,
/// and both are needed: the type to refuse device files before opening them (opening a FIFO blocks),
/// the identity to notice that a followed path now names another file (rotation) and that the file
/// opened is the file checked. statx is used rather than stat because its struct layout is the same
/// on every architecture. On systems without statx the methods return null and callers fall back to
/// weaker managed checks.</summary>
internal readonly record struct UnixFileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Status of the file at <paramref name="path"/>, following symlinks; null when the
    /// path does not exist or statx is unavailable.</summary>
    public static UnixFileStatus? Of(string path) => Query(AtFdCwd, path, 0);

    /// <summary>Status of an open file.</summary>
    public static UnixFileStatus? Of(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Query((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>True when statx works on this system.</summary>
    public static bool IsSupported => Of("/") is not null;

    public bool IsSameFile(UnixFileStatus other) => Device == other.Device && Inode == other.Inode;

    private static UnixFileStatus? Query(int dirFd, string path, int flags)
    {
        if (s_unavailable)
        {
            return null;
        }

        var buffer = new byte[StatxBufferSize];
        try
        {
            if (Statx(dirFd, path, flags, StatxBasicStats, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return null;
        }

        // struct statx (include/uapi/linux/stat.h), native byte order: stx_mode u16 @28,
        // stx_ino u64 @32, stx_size u64 @40, stx_dev_major u32 @136, stx_dev_minor u32 @140.
        var mode = MemoryMarshal.Read<ushort>(buffer.AsSpan(28));
        var inode = MemoryMarshal.Read<ulong>(buffer.AsSpan(32));
        var size = (long)MemoryMarshal.Read<ulong>(buffer.AsSpan(40));
        var device = ((ulong)MemoryMarshal.Read<uint>(buffer.AsSpan(136)) << 32) | MemoryMarshal.Read<uint>(buffer.AsSpan(140));
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            _ => FileKind.Other,
        };
        return new UnixFileStatus(kind, device, inode, size);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
