using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace StreamGrpc.Bench.Transport;

/// <summary>The ceiling: <see cref="HttpClient"/> over HTTP/2 with prior knowledge (h2c) reading
/// the plain endpoint's body into one buffer, no parsing at all.</summary>
internal sealed class PlainHttpTransportClient : ITransportClient
{
    private const int ReadBufferSize = 64 * 1024;

    private readonly Uri _address;
    private readonly HttpClient _http;

    public PlainHttpTransportClient(Uri address)
    {
        _address = address;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string Name => "plain HTTP/2";

    public async Task<RunResult> RunAsync(int messageSize, int count, CancellationToken cancellationToken)
    {
        var uri = new Uri(_address, string.Create(CultureInfo.InvariantCulture, $"{PlainChunkEndpoint.Path}?size={messageSize}&count={count}"));
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            long bodyBytes = 0;
            var cpu = ClientCpu.Now();
            var start = Stopwatch.GetTimestamp();
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    bodyBytes += read;
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var clientCpu = ClientCpu.Now() - cpu;

            var expected = (long)count * (ChunkFactory.FrameHeaderSize + messageSize);
            if (bodyBytes != expected)
            {
                throw new InvalidOperationException($"plain: received {bodyBytes} bytes, expected {expected}.");
            }

            var server = ServerMeasurement.FromTrailers(name => response.TrailingHeaders.TryGetValues(name, out var values) ? values.FirstOrDefault() : null);
            return new RunResult(count, bodyBytes, elapsed, clientCpu, server);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _http.Dispose();
}
