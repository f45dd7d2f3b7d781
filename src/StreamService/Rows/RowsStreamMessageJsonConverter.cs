using System.Text.Json;
using System.Text.Json.Serialization;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>
/// Writes a <see cref="RowsStreamMessage"/> for HTTP/JSON transcoding as the StreamRowsResponse it
/// carries. JSON transcoding serialises each response with its own System.Text.Json options, whose
/// converters implement the protobuf JSON mapping for generated messages; a pre-encoded batch is
/// bytes to it, so this parses them back into the generated message and hands that to the same
/// options: the JSON is exactly what transcoding writes for a StreamRowsResponse. gRPC never comes
/// here (its marshaller copies the bytes), so only HTTP/JSON callers pay for the parse.
/// </summary>
internal sealed class RowsStreamMessageJsonConverter : JsonConverter<RowsStreamMessage>
{
    public override RowsStreamMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new NotSupportedException("Row stream messages are only written by the server.");

    public override void Write(Utf8JsonWriter writer, RowsStreamMessage value, JsonSerializerOptions options)
    {
        var response = value.Response ?? StreamRowsResponse.Parser.ParseFrom(value.Batch!.Message);
        JsonSerializer.Serialize(writer, response, options);
    }
}
