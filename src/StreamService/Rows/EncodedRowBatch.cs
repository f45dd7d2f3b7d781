using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>A complete <see cref="StreamRowsResponse"/> carrying a <see cref="RowBatch"/>, already
/// in wire format. Owns a pooled buffer: dispose it once written.</summary>
internal sealed class EncodedRowBatch : IDisposable
{
    private readonly ProtoWriter _buffer;
    private readonly int _start;

    public EncodedRowBatch(ProtoWriter buffer, int start, int rowCount, string resumeToken)
    {
        _buffer = buffer;
        _start = start;
        RowCount = rowCount;
        ResumeToken = resumeToken;
    }

    public int RowCount { get; }

    public string ResumeToken { get; }

    /// <summary>The serialised StreamRowsResponse.</summary>
    public ReadOnlySpan<byte> Message => _buffer.WrittenSpan[_start..];

    public void Dispose() => _buffer.Dispose();
}
