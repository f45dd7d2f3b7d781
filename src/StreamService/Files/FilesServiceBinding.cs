using System.Text;
using Google.Protobuf;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Rows;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace StreamService.Files;

/// <summary>Binds <see cref="FilesService"/> to <c>/streamgrpc.v1.FileLines/StreamLines</c> with a
/// response marshaller of its own (<see cref="LineBatchEncoder"/>); the request, the messages' types
/// and the descriptor reflection serves are the generated ones, so callers see files.proto as is.</summary>
internal static class FilesServiceBinding
{
    /// <summary>Read by MapGrpcService for reflection.</summary>
    public static ProtoServiceDescriptor Descriptor => FileLines.Descriptor;

    public static readonly Method<StreamLinesRequest, LineBatch> StreamLinesMethod = new(
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
        Marshallers.Create(LineBatchEncoder.Serialize, static context => LineBatch.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    /// <summary>Called by MapGrpcService through <see cref="BindServiceMethodAttribute"/>.</summary>
    public static void BindService(ServiceBinderBase binder, FilesService? service) =>
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

    public static void Serialize(LineBatch batch, SerializationContext context)
    {
        using var writer = new ProtoWriter(64 * 1024);
        Encode(batch, writer);
        context.SetPayloadLength(writer.Length);
        var output = context.GetBufferWriter();
        var message = writer.WrittenSpan;
        while (!message.IsEmpty)
        {
            var span = output.GetSpan();
            var chunk = Math.Min(span.Length, message.Length);
            message[..chunk].CopyTo(span);
            output.Advance(chunk);
            message = message[chunk..];
        }

        context.Complete();
    }

    /// <summary>The batch in wire format, appended to <paramref name="writer"/>.</summary>
    public static void Encode(LineBatch batch, ProtoWriter writer)
    {
        foreach (var line in batch.Lines)
        {
            var textBytes = Encoding.UTF8.GetByteCount(line.Text);
            var size = (line.LineNumber != 0 ? 1 + ProtoWriter.VarintSize((ulong)line.LineNumber) : 0)
                + (line.Offset != 0 ? 1 + ProtoWriter.VarintSize((ulong)line.Offset) : 0)
                + (textBytes != 0 ? 1 + ProtoWriter.VarintSize((ulong)textBytes) + textBytes : 0)
                + (line.Truncated ? 2 : 0);
            writer.WriteByte(LinesField);
            writer.WriteVarint((ulong)size);
            if (line.LineNumber != 0)
            {
                writer.WriteByte(LineNumberField);
                writer.WriteVarint((ulong)line.LineNumber);
            }

            if (line.Offset != 0)
            {
                writer.WriteByte(OffsetField);
                writer.WriteVarint((ulong)line.Offset);
            }

            if (textBytes != 0)
            {
                writer.WriteByte(TextField);
                writer.WriteVarint((ulong)textBytes);
                writer.WriteUtf8(line.Text, textBytes);
            }

            if (line.Truncated)
            {
                writer.WriteByte(TruncatedField);
                writer.WriteByte(1);
            }
        }

        if (batch.Next is { } next)
        {
            // Once per batch: the generated code is fine here.
            var size = next.CalculateSize();
            writer.WriteByte(NextField);
            writer.WriteVarint((ulong)size);
            Span<byte> scratch = stackalloc byte[32];
            next.WriteTo(scratch[..size]);
            writer.WriteBytes(scratch[..size]);
        }

        if (batch.Reset != FileReset.Unspecified)
        {
            writer.WriteByte(ResetField);
            writer.WriteVarint((ulong)(long)batch.Reset);
        }
    }
}
