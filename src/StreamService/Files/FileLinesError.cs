namespace StreamService.Files;

/// <summary>Why a file line stream was refused or failed, independent of the transport.
/// <see cref="FilesStatusMapper"/> turns each into a gRPC status code.</summary>
internal enum FileLinesError
{
    /// <summary>The request itself is malformed: path syntax, filter stage, pattern, position.</summary>
    InvalidArgument,

    /// <summary>The path resolves outside its root, or the file is not readable.</summary>
    PermissionDenied,

    /// <summary>Unknown root, or no such file.</summary>
    NotFound,

    /// <summary>The start position lies past the end of the file.</summary>
    OutOfRange,
}
