using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.Bench.V1;

namespace StreamGrpc.Bench.Transport;

/// <summary>gRPC server streaming through grpc-dotnet's client (Grpc.Net.Client): a default
/// <see cref="GrpcChannel"/> and the Grpc.Tools-generated client, read with <c>ReadAllAsync</c> as
/// application code reads it.</summary>
internal sealed class GrpcTransportClient : ITransportClient
{
    private readonly GrpcChannel _channel;
    private readonly V1.TransportBench.TransportBenchClient _client;

    public GrpcTransportClient(Uri address)
    {
        _channel = GrpcChannel.ForAddress(address);
        _client = new V1.TransportBench.TransportBenchClient(_channel);
    }

    public string Name => "grpc-dotnet";

    public async Task<RunResult> RunAsync(int messageSize, int count, CancellationToken cancellationToken)
    {
        var request = new StreamChunksRequest { MessageSize = messageSize, MessageCount = count };
        long messages = 0;
        long payloadBytes = 0;

        var cpu = ClientCpu.Now();
        var start = Stopwatch.GetTimestamp();
        using var call = _client.StreamChunks(request, cancellationToken: cancellationToken);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            messages++;
            payloadBytes += chunk.Payload.Length;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var clientCpu = ClientCpu.Now() - cpu;

        if (messages != count)
        {
            throw new InvalidOperationException($"grpc-dotnet: received {messages} messages, expected {count}.");
        }

        var trailers = call.GetTrailers();
        var server = ServerMeasurement.FromTrailers(trailers.GetValue);
        return new RunResult(messages, messages * (ChunkFactory.FrameHeaderSize + messageSize), elapsed, clientCpu, server);
    }

    public void Dispose() => _channel.Dispose();
}
