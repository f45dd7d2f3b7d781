namespace Grpc.Core;

/// <summary>Flags for one write.</summary>
[Flags]
public enum WriteFlags
{
    /// <summary>Hint that the write may be buffered rather than flushed at once.</summary>
    BufferHint = 0x1,
    /// <summary>Send this message uncompressed even when the call uses compression.</summary>
    NoCompress = 0x2,
}
