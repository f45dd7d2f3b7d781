using StreamGrpc.V1;

namespace StreamClient;

/// <summary>One LineBatch as the typed client sees it: its lines already built as the
/// <see cref="FileLine"/>s the client yields, the resume position and the reset marker.</summary>
internal sealed class DecodedLineBatch
{
    public FileLine[] Lines { get; init; } = [];

    /// <summary>Where reading continues after this batch; null when the message has no <c>next</c>.</summary>
    public FilePosition? Next { get; init; }

    public FileReset Reset { get; init; }
}
