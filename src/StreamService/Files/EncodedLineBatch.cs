using StreamGrpc.V1;
using StreamService.Rows;

namespace StreamService.Files;

/// <summary>
/// A <see cref="LineBatch"/> already in wire format, with what the call gate reads from a batch (its
/// line count, its resume position). Encoded on the stream's read-ahead task, so the write path only
/// copies bytes, and its size is known without walking the lines again (the gate needs it per
/// message: measuring a LineBatch of 4,000 lines with <c>CalculateSize()</c> walked every string on
/// the write path). Owns a pooled buffer: dispose it once written.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(EncodedLineBatchJsonConverter))]
internal sealed class EncodedLineBatch : IDisposable
{
    private readonly ProtoWriter _buffer;

    private EncodedLineBatch(ProtoWriter buffer, int lineCount, FilePosition? next)
    {
        _buffer = buffer;
        LineCount = lineCount;
        Next = next;
    }

    public int LineCount { get; }

    /// <summary>Where the stream resumes after this batch (the batch's <c>next</c>).</summary>
    public FilePosition? Next { get; }

    /// <summary>The serialised LineBatch.</summary>
    public ReadOnlySpan<byte> Message => _buffer.WrittenSpan;

    public static EncodedLineBatch Encode(LineBatch batch)
    {
        // Sized for ASCII text up front (one rent, no growth steps through the pool for big batches).
        var estimate = 64;
        foreach (var line in batch.Lines)
        {
            estimate += line.Text.Length + 32;
        }

        var writer = new ProtoWriter(estimate);
        try
        {
            LineBatchEncoder.Encode(batch, writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        return new EncodedLineBatch(writer, batch.Lines.Count, batch.Next);
    }

    /// <summary>A batch already written into <paramref name="buffer"/> (by <see cref="LineBatcher"/>),
    /// which the batch now owns.</summary>
    internal static EncodedLineBatch Wrap(ProtoWriter buffer, int lineCount, FilePosition? next) => new(buffer, lineCount, next);

    public void Dispose() => _buffer.Dispose();
}
