using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Http;

/// <summary>A streaming HTTP/JSON response read as JSON transcoding writes it: one JSON message per
/// line, each line read as soon as it arrives. Disposing it mid-stream is the client going away
/// (HTTP/1.1: the connection is closed; HTTP/2: the stream is reset).</summary>
internal sealed class JsonLines : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private JsonLines(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    public static async Task<JsonLines> GetAsync(HttpClient client, string path, IEnumerable<(string Name, string Value)>? headers = null)
        => await SendAsync(client, new HttpRequestMessage(HttpMethod.Get, path), headers);

    public static async Task<JsonLines> PostAsync(HttpClient client, string path, string json, IEnumerable<(string Name, string Value)>? headers = null)
        => await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, headers);

    private static async Task<JsonLines> SendAsync(HttpClient client, HttpRequestMessage request, IEnumerable<(string Name, string Value)>? headers)
    {
        // A request built here does not take the client's defaults (only its Get/Post helpers do).
        request.Version = client.DefaultRequestVersion;
        request.VersionPolicy = client.DefaultVersionPolicy;
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).Bounded();
        var stream = await response.Content.ReadAsStreamAsync().Bounded();
        return new JsonLines(response, new StreamReader(stream, Encoding.UTF8));
    }

    public MediaTypeHeaderValue? ContentType => _response.Content.Headers.ContentType;

    /// <summary>The next message's line, or null at the end of the response.</summary>
    public async Task<string?> NextLineAsync()
    {
        string? line;
        do
        {
            line = await _reader.ReadLineAsync(TestTimeout.Token()).AsTask().Bounded();
        }
        while (line is { Length: 0 });
        return line;
    }

    /// <summary>The next message, or null at the end.</summary>
    public async Task<JsonObject?> NextAsync() => await NextLineAsync() is { } line ? JsonNode.Parse(line)!.AsObject() : null;

    /// <summary>Every remaining message's line.</summary>
    public async Task<List<string>> RestAsync()
    {
        var lines = new List<string>();
        while (await NextLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
