using System.Text.Json;
using Google.Protobuf;

namespace StreamService.Http;

/// <summary>The protobuf JSON of a pre-encoded stream message, as HTTP/JSON transcoding is set up
/// to write it (HttpJsonServiceCollectionExtensions.cs): Google.Protobuf's
/// <see cref="JsonFormatter"/> with its defaults writes int64 as strings and leaves fields at their
/// default value out, like the transcoder with <c>WriteInt64sAsStrings</c> and
/// <c>IgnoreDefaultValues</c>; names are lowerCamelCase and enums by name in both.</summary>
internal static class HttpJsonFormatting
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static void Write(Utf8JsonWriter writer, IMessage message)
        // The formatter's output is JSON by construction; validating it again would read it twice.
        => writer.WriteRawValue(Formatter.Format(message), skipInputValidation: true);
}
