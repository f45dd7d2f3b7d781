using Grpc.Core;
using Grpc.Reflection.V1;

namespace StreamGrpc.Rpc.AspNetCore.Reflection;

/// <summary>grpc.reflection.v1.ServerReflection: one response per request, in order.</summary>
internal sealed class ReflectionServiceV1(ReflectionRequestHandler handler) : ServerReflection.ServerReflectionBase
{
    public override async Task ServerReflectionInfo(IAsyncStreamReader<ServerReflectionRequest> requestStream, IServerStreamWriter<ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(handler.Handle(requestStream.Current), context.CancellationToken).ConfigureAwait(false);
        }
    }
}
