using Grpc.Core;
using StreamGrpc.Bench.V1;

namespace StreamGrpc.Bench.Transport;

/// <summary>The gRPC side, on Grpc.AspNetCore: writes one pre-built message <c>message_count</c>
/// times through grpc-dotnet's response stream writer, the way a service writes (awaiting each
/// write, flowing the call's token). The message is built before the
/// measured loop, so every byte allocated inside the loop belongs to the server write path.</summary>
internal sealed class ChunkStreamService : V1.TransportBench.TransportBenchBase
{
    public override async Task StreamChunks(StreamChunksRequest request, IServerStreamWriter<Chunk> responseStream, ServerCallContext context)
    {
        var chunk = ChunkFactory.Create(request.MessageSize);
        var count = request.MessageCount;
        var token = context.CancellationToken;

        var scope = ServerMeasurementScope.Start();
        for (var i = 0; i < count; i++)
        {
            await responseStream.WriteAsync(chunk, token).ConfigureAwait(false);
        }

        var measurement = scope.Stop();
        foreach (var (name, value) in measurement.ToTrailers())
        {
            context.ResponseTrailers.Add(name, value);
        }
    }
}
