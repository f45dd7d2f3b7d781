using System.Text;
using Google.Protobuf;
using Grpc.Core;
using StreamGrpc.V1;

namespace StreamClient;

/// <summary>Decodes the LineBatch messages of a line stream straight from the protobuf wire format
/// into the <see cref="FileLine"/>s the typed client yields, without the generated parser's
/// intermediate LineBatch, its RepeatedField growth and a CodedInputStream/ParseContext per message:
/// after the service stopped decoding and re-encoding every line (issue 16), the generated parser
/// made the client the slower end of a line stream. Each line's text is still decoded to a string
/// (FileLine.Text is a plain string); text that is not valid UTF-8 is refused, as the generated
/// parser refuses it (the service sends only valid UTF-8). Fields the message does not define are
/// skipped. A decoder serves one call, one message at a
/// time.</summary>
internal sealed class LinesWireDecoder
{
    // Reused across the messages of the call: the lines of the batch being decoded.
    private readonly List<FileLine> _lines = [];

    private readonly SpanDecoder<DecodedLineBatch> _decodeMessage;

    public LinesWireDecoder() => _decodeMessage = Decode;

    /// <summary>The StreamLines method with this decoder as its response deserializer.</summary>
    public Method<StreamLinesRequest, DecodedLineBatch> Method => new(
        MethodType.ServerStreaming,
        FileLines.Descriptor.FullName,
        "StreamLines",
        Marshallers.Create(static (StreamLinesRequest r) => r.ToByteArray(), static bytes => StreamLinesRequest.Parser.ParseFrom(bytes)),
        Marshallers.Create<DecodedLineBatch>(static (_, _) => throw new NotSupportedException("responses are only read"), Decode));

    private DecodedLineBatch Decode(DeserializationContext context) => WirePayload.Decode(context, _decodeMessage);

    /// <summary>Decodes one LineBatch message. Repeated scalar fields take the last value and a
    /// repeated <c>next</c> merges into the first, as protobuf parsing does.</summary>
    internal DecodedLineBatch Decode(ReadOnlySpan<byte> message)
    {
        var lines = _lines;
        lines.Clear();
        FilePosition? next = null;
        var reset = FileReset.Unspecified;
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoWireReader.Len):
                    lines.Add(DecodeLine(reader.ReadLengthDelimited()));
                    break;
                case (2, ProtoWireReader.Len):
                    next = DecodePosition(reader.ReadLengthDelimited(), next ?? new FilePosition());
                    break;
                case (3, ProtoWireReader.Varint):
                    // An enum is an int32 on the wire: the low 32 bits of the varint.
                    reset = (FileReset)(int)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        var decoded = new DecodedLineBatch { Lines = [.. lines], Next = next, Reset = reset };
        lines.Clear();
        return decoded;
    }

    private static FileLine DecodeLine(ReadOnlySpan<byte> line)
    {
        long number = 0;
        long offset = 0;
        var text = string.Empty;
        var truncated = false;
        var reader = new ProtoWireReader(line);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoWireReader.Varint): number = (long)reader.ReadVarint(); break;
                case (2, ProtoWireReader.Varint): offset = (long)reader.ReadVarint(); break;
                case (3, ProtoWireReader.Len): text = Utf8(reader.ReadLengthDelimited()); break;
                case (4, ProtoWireReader.Varint): truncated = reader.ReadVarint() != 0; break;
                default: reader.Skip(wireType); break;
            }
        }

        return new FileLine { LineNumber = number, Offset = offset, Text = text, Truncated = truncated };
    }

    private static FilePosition DecodePosition(ReadOnlySpan<byte> position, FilePosition into)
    {
        var reader = new ProtoWireReader(position);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoWireReader.Varint): into.Offset = (long)reader.ReadVarint(); break;
                case (2, ProtoWireReader.Varint): into.LineNumber = (long)reader.ReadVarint(); break;
                default: reader.Skip(wireType); break;
            }
        }

        return into;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException("A line's text is not valid UTF-8.", ex);
        }
    }
}
