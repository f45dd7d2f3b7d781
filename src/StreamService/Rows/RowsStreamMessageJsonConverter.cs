using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using StreamGrpc.V1;
using StreamService.Http;

namespace StreamService.Rows;

/// <summary>
/// Writes a <see cref="RowsStreamMessage"/> for HTTP/JSON transcoding as the StreamRowsResponse it
/// carries. JSON transcoding serialises a response by its runtime type with System.Text.Json; a
/// pre-encoded batch is bytes to it, so this parses them back into the generated message and writes
/// that message's protobuf JSON (protobuf.dev/programming-guides/json) with Google.Protobuf's
/// <see cref="JsonFormatter"/>, configured as the transcoder is (int64 as strings, defaults left
/// out; <see cref="HttpJsonFormatting"/>), so the JSON is what transcoding writes for a
/// StreamRowsResponse (the tests compare every message of a stream with both). Not the transcoder's
/// own converters (<c>JsonSerializer.Serialize(writer, message, options)</c>, which works too): they
/// read every field through reflection and cost the service about 2.8 times the CPU of
/// JsonFormatter per row batch (bench/RESULTS.md, "HTTP/JSON next to gRPC"). gRPC never comes here
/// (its marshaller copies the bytes), so only HTTP/JSON callers pay for the parse.
/// </summary>
internal sealed class RowsStreamMessageJsonConverter : JsonConverter<RowsStreamMessage>
{
    public override RowsStreamMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new NotSupportedException("Row stream messages are only written by the server.");

    public override void Write(Utf8JsonWriter writer, RowsStreamMessage value, JsonSerializerOptions options)
    {
        var response = value.Response ?? StreamRowsResponse.Parser.ParseFrom(value.Batch!.Message);
        HttpJsonFormatting.Write(writer, response);
    }
}
