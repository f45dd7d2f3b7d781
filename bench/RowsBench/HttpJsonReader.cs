using System.Net;
using System.Text;
using System.Text.Json;

namespace RowsBench;

/// <summary>The row stream as an HTTP/JSON client reads it: <c>GET /v1/datasets/{dataset}/rows</c>
/// (JSON transcoding), one JSON message per line, every row's every value read into a CLR value
/// (strings, numbers, booleans; int64 arrive as strings), as the gRPC path's typed client does.
/// HTTP/2 with prior knowledge to the service's h2c port, the same connection kind the gRPC path
/// uses, so the difference is the JSON.</summary>
internal static class HttpJsonReader
{
    public static async Task<long> ReadAsync(HttpClient http, string dataset, long rows, int batchSize)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/datasets/{dataset}/rows?limit={rows}&batch_size={batchSize}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        long count = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var message = JsonDocument.Parse(line);
            if (message.RootElement.TryGetProperty("code", out _))
            {
                throw new InvalidOperationException($"the stream failed: {line}");
            }

            if (!message.RootElement.TryGetProperty("batch", out var batch))
            {
                continue;
            }

            foreach (var row in batch.GetProperty("rows").EnumerateArray())
            {
                foreach (var value in row.GetProperty("values").EnumerateArray())
                {
                    foreach (var kind in value.EnumerateObject())
                    {
                        Read(kind.Value);
                    }
                }

                count++;
            }
        }

        return count;
    }

    private static void Read(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String: _ = value.GetString(); break;
            case JsonValueKind.Number: _ = value.GetDouble(); break;
            case JsonValueKind.True or JsonValueKind.False: _ = value.GetBoolean(); break;
            case JsonValueKind.Object:
                // An array column: {"values": [{kind: v}, ...]}, or {} when it is empty.
                if (!value.TryGetProperty("values", out var elements))
                {
                    break;
                }

                foreach (var element in elements.EnumerateArray())
                {
                    foreach (var kind in element.EnumerateObject())
                    {
                        Read(kind.Value);
                    }
                }

                break;
        }
    }
}
