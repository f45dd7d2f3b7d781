using System.Text.Json;
using System.Text.Json.Serialization;
using StreamGrpc.V1;
using StreamService.Http;
using StreamService.Rows;

namespace StreamService.Files;

/// <summary>
/// Writes an <see cref="EncodedLineBatch"/> for HTTP/JSON transcoding as the LineBatch it holds:
/// the bytes are parsed back into the generated message, whose protobuf JSON is written as
/// transcoding writes it (<see cref="HttpJsonFormatting"/>; why not through the transcoder's own
/// converters: <see cref="RowsStreamMessageJsonConverter"/>). gRPC callers never come here.
/// </summary>
internal sealed class EncodedLineBatchJsonConverter : JsonConverter<EncodedLineBatch>
{
    public override EncodedLineBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new NotSupportedException("Line batches are only written by the server.");

    public override void Write(Utf8JsonWriter writer, EncodedLineBatch value, JsonSerializerOptions options)
        => HttpJsonFormatting.Write(writer, LineBatch.Parser.ParseFrom(value.Message));
}
