namespace StreamService.Files;

/// <summary>What a path names, as far as serving it goes.</summary>
internal enum FileKind
{
    Regular,
    Directory,

    /// <summary>Device, FIFO, socket: never served.</summary>
    Other,
}
