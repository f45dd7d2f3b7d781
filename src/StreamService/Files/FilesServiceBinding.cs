using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Rows;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace StreamService.Files;

/// <summary>
/// The base of <see cref="FilesService"/>, in the shape Grpc.Tools generates (grpc-dotnet binds a
/// handler only when it overrides a virtual method of the type carrying
/// <see cref="BindServiceMethodAttribute"/>), bound by <see cref="FilesServiceBinding"/> with
/// <see cref="EncodedLineBatch"/> as the response type, so batches are written pre-encoded (by the
/// service's own <see cref="LineBatch"/> encoder).
/// </summary>
[BindServiceMethod(typeof(FilesServiceBinding), nameof(FilesServiceBinding.BindService))]
internal abstract class FilesServiceBase
{
    public abstract Task StreamLines(StreamLinesRequest request, IServerStreamWriter<EncodedLineBatch> responseStream, ServerCallContext context);
}

/// <summary>Binds <see cref="FilesServiceBase"/> to <c>/streamgrpc.v1.FileLines/StreamLines</c> with a
/// response marshaller that writes pre-encoded batches as they are; the bytes on the wire are a
/// LineBatch, and the request type and the descriptor reflection serves are the generated ones, so
/// callers see files.proto as is.</summary>
internal static class FilesServiceBinding
{
    /// <summary>Read by grpc-dotnet's reflection service and by JSON transcoding, both from the
    /// <c>Descriptor</c> of the bind method's type: transcoding takes each bound method's
    /// <c>google.api.http</c> route from it and serialises what the handler writes by its runtime
    /// type (the wrapper's <c>[JsonConverter]</c> turns it into the generated message's JSON).</summary>
    public static ProtoServiceDescriptor Descriptor => FileLines.Descriptor;

    public static readonly Method<StreamLinesRequest, EncodedLineBatch> StreamLinesMethod = new(
        MethodType.ServerStreaming,
        Descriptor.FullName,
        "StreamLines",
        Marshallers.Create(
            static (StreamLinesRequest request, SerializationContext context) =>
            {
                context.SetPayloadLength(request.CalculateSize());
                request.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            static context => StreamLinesRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create(
            static (EncodedLineBatch batch, SerializationContext context) =>
            {
                context.SetPayloadLength(batch.Message.Length);
                ProtoWriter.CopyTo(batch.Message, context.GetBufferWriter());
                context.Complete();
            },
            // Only a client would read with this method; the server never parses its own responses.
            static context => EncodedLineBatch.Encode(LineBatch.Parser.ParseFrom(context.PayloadAsReadOnlySequence()))));

    /// <summary>Called by MapGrpcService through <see cref="BindServiceMethodAttribute"/>.</summary>
    public static void BindService(ServiceBinderBase binder, FilesServiceBase? service) =>
        binder.AddMethod(StreamLinesMethod, service is null ? null : service.StreamLines);
}

/// <summary>Writes a <see cref="LineBatch"/> byte for byte as Google.Protobuf would (same field
/// order, proto3 defaults omitted; protobuf.dev/programming-guides/encoding), measuring each line's
/// UTF-8 text once: the generated code measures every string twice (size, then write) besides
/// encoding it, and its per-message bookkeeping made serialising a batch of short lines cost as
/// much CPU as reading them from the file.</summary>
internal static class LineBatchEncoder
{
    private const byte LinesField = (1 << 3) | 2;
    private const byte NextField = (2 << 3) | 2;
    private const byte ResetField = (3 << 3) | 0;
    private const byte LineNumberField = (1 << 3) | 0;
    private const byte OffsetField = (2 << 3) | 0;
    private const byte TextField = (3 << 3) | 2;
    private const byte TruncatedField = (4 << 3) | 0;

    /// <summary>A FileLine's <c>line_number</c> and <c>offset</c> fields at <paramref name="p"/>
    /// (left out at 0, as protobuf writes defaults); returns the position after them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WritePosition(Span<byte> span, int p, long lineNumber, long offset)
    {
        if (lineNumber != 0)
        {
            span[p++] = LineNumberField;
            p += ProtoWriter.WriteVarint(span[p..], (ulong)lineNumber);
        }

        if (offset != 0)
        {
            span[p++] = OffsetField;
            p += ProtoWriter.WriteVarint(span[p..], (ulong)offset);
        }

        return p;
    }

    /// <summary>One <c>lines</c> field. The text is encoded straight into place: UTF-8 takes at least
    /// one byte per UTF-16 unit, so the length prefixes are reserved for text.Length bytes and only
    /// moved in the rare case the encoded size needs a longer varint.</summary>
    private static void EncodeLine(FileLine line, ProtoWriter writer) =>
        EncodeLine(line.LineNumber, line.Offset, line.Text, line.Truncated, writer);

    /// <summary>One <c>lines</c> field with the text given as a string; returns the text's UTF-8 length.</summary>
    public static int EncodeLine(long lineNumber, long offset, string text, bool truncated, ProtoWriter writer)
    {
        var maxText = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = writer.GetSpan(1 + 5 + 11 + 11 + 1 + 5 + maxText + 2);
        span[0] = LinesField;
        var innerAtLeast = (lineNumber != 0 ? 1 + ProtoWriter.VarintSize((ulong)lineNumber) : 0)
            + (offset != 0 ? 1 + ProtoWriter.VarintSize((ulong)offset) : 0)
            + (text.Length != 0 ? 1 + ProtoWriter.VarintSize((ulong)text.Length) + text.Length : 0)
            + (truncated ? 2 : 0);
        var outerReserved = ProtoWriter.VarintSize((ulong)innerAtLeast);
        var start = 1 + outerReserved;
        var p = start;
        p = WritePosition(span, p, lineNumber, offset);

        var written = 0;
        if (text.Length != 0)
        {
            span[p++] = TextField;
            var reserved = ProtoWriter.VarintSize((ulong)text.Length);
            written = Encoding.UTF8.GetBytes(text, span[(p + reserved)..]);
            var needed = ProtoWriter.VarintSize((ulong)written);
            if (needed != reserved)
            {
                span.Slice(p + reserved, written).CopyTo(span[(p + needed)..]);
            }

            p += ProtoWriter.WriteVarint(span[p..], (ulong)written);
            p += written;
        }

        if (truncated)
        {
            span[p++] = TruncatedField;
            span[p++] = 1;
        }

        var inner = p - start;
        var outerNeeded = ProtoWriter.VarintSize((ulong)inner);
        if (outerNeeded != outerReserved)
        {
            span[start..p].CopyTo(span[(1 + outerNeeded)..]);
            p += outerNeeded - outerReserved;
        }

        ProtoWriter.WriteVarint(span[1..], (ulong)inner);
        writer.Advance(p);
        return written;
    }

    /// <summary>One <c>lines</c> field with the text given as its UTF-8 bytes (which must be valid
    /// UTF-8: a string field holds nothing else), copied as they are: no decoding, no re-encoding,
    /// and every size is known before writing.</summary>
    public static void EncodeLine(long lineNumber, long offset, ReadOnlySpan<byte> utf8, bool truncated, ProtoWriter writer)
    {
        var inner = (lineNumber != 0 ? 1 + ProtoWriter.VarintSize((ulong)lineNumber) : 0)
            + (offset != 0 ? 1 + ProtoWriter.VarintSize((ulong)offset) : 0)
            + (utf8.Length != 0 ? 1 + ProtoWriter.VarintSize((ulong)utf8.Length) + utf8.Length : 0)
            + (truncated ? 2 : 0);
        var total = 1 + ProtoWriter.VarintSize((ulong)inner) + inner;
        var span = writer.GetSpan(total);
        span[0] = LinesField;
        var p = 1 + ProtoWriter.WriteVarint(span[1..], (ulong)inner);
        p = WritePosition(span, p, lineNumber, offset);

        if (utf8.Length != 0)
        {
            span[p++] = TextField;
            p += ProtoWriter.WriteVarint(span[p..], (ulong)utf8.Length);
            utf8.CopyTo(span[p..]);
            p += utf8.Length;
        }

        if (truncated)
        {
            span[p++] = TruncatedField;
            span[p++] = 1;
        }

        writer.Advance(p);
    }

    /// <summary>The batch's <c>next</c> field.</summary>
    public static void EncodeNext(FilePosition next, ProtoWriter writer)
    {
        // Once per batch: the generated code is fine here.
        var size = next.CalculateSize();
        writer.WriteByte(NextField);
        writer.WriteVarint((ulong)size);
        Span<byte> scratch = stackalloc byte[32];
        next.WriteTo(scratch[..size]);
        writer.WriteBytes(scratch[..size]);
    }

    /// <summary>The batch's <c>reset</c> field (nothing for <see cref="FileReset.Unspecified"/>).</summary>
    public static void EncodeReset(FileReset reset, ProtoWriter writer)
    {
        if (reset != FileReset.Unspecified)
        {
            writer.WriteByte(ResetField);
            writer.WriteVarint((ulong)(long)reset);
        }
    }

    /// <summary>The batch in wire format, appended to <paramref name="writer"/>.</summary>
    public static void Encode(LineBatch batch, ProtoWriter writer)
    {
        foreach (var line in batch.Lines)
        {
            EncodeLine(line, writer);
        }

        if (batch.Next is { } next)
        {
            EncodeNext(next, writer);
        }

        EncodeReset(batch.Reset, writer);
    }
}
