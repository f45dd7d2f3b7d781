using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace StreamGrpc.Interop.Server;

/// <summary>grpc.testing.TestService with the server features of the gRPC interop test
/// descriptions (doc/interop-test-descriptions.md, "Server"): EmptyCall, UnaryCall,
/// StreamingOutputCall, StreamingInputCall, FullDuplexCall, HalfDuplexCall, Echo Status, Echo
/// Metadata, CompressedResponse, CompressedRequest and ResponseParameters.interval_us.
/// UnimplementedCall is deliberately left to the generated base, which answers UNIMPLEMENTED.</summary>
internal sealed class InteropTestService : TestService.TestServiceBase
{
    public override async Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        await EchoMetadata.ApplyAsync(context);
        // Responses are compressed only when a request asks (CompressedResponse); EmptyCall cannot ask.
        context.WriteOptions = NoCompress;
        return new Empty();
    }

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadata.ApplyAsync(context);
        ThrowIfEchoStatus(request.ResponseStatus);
        RequestCompression.EnsureExpected(request.ExpectCompressed, context);
        context.WriteOptions = ResponseWriteOptions(request.ResponseCompressed);
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadata.ApplyAsync(context);
        await RespondAsync(request, responseStream, context);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadata.ApplyAsync(context);
        var total = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            RequestCompression.EnsureExpected(request.ExpectCompressed, context);
            total += request.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadata.ApplyAsync(context);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await RespondAsync(request, responseStream, context);
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadata.ApplyAsync(context);
        var requests = new List<StreamingOutputCallRequest>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            requests.Add(request);
        }

        foreach (var request in requests)
        {
            await RespondAsync(request, responseStream, context);
        }
    }

    /// <summary>One response per ResponseParameters entry, each after its interval_us (which
    /// accumulates: it is a sleep before that response), compressed when asked.</summary>
    private static async Task RespondAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        ThrowIfEchoStatus(request.ResponseStatus);
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            }

            responseStream.WriteOptions = ResponseWriteOptions(parameters.Compressed);
            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) }, context.CancellationToken);
        }
    }

    /// <summary>Echo Status: end the call with the code and message the client asked for; the
    /// server processes no further messages of the call.</summary>
    private static void ThrowIfEchoStatus(EchoStatus? echoStatus)
    {
        if (echoStatus is not null && echoStatus.Code != 0)
        {
            throw new RpcException(new Status((StatusCode)echoStatus.Code, echoStatus.Message));
        }
    }

    /// <summary>CompressedResponse: the server compresses with gzip (configured in
    /// <see cref="InteropServerHost"/>) only the messages the client asked to be compressed.</summary>
    private static WriteOptions ResponseWriteOptions(BoolValue? compressed)
        => compressed?.Value == true ? WriteOptions.Default : NoCompress;

    private static readonly WriteOptions NoCompress = new(WriteFlags.NoCompress);

    private static Payload Zeros(int size)
    {
        if (size < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Response size must not be negative."));
        }

        return new Payload { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };
    }
}
