using Google.Protobuf;
using Grpc.Core;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace StreamGrpc.Rpc.AspNetCore.Reflection;

/// <summary>grpc.reflection.v1alpha.ServerReflection. Its messages are byte-for-byte the v1 ones
/// under another package, so requests and responses cross over by re-parsing.</summary>
internal sealed class ReflectionServiceV1Alpha(ReflectionRequestHandler handler) : V1Alpha.ServerReflection.ServerReflectionBase
{
    public override async Task ServerReflectionInfo(IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requestStream, IServerStreamWriter<V1Alpha.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = V1.ServerReflectionRequest.Parser.ParseFrom(requestStream.Current.ToByteString());
            var response = V1Alpha.ServerReflectionResponse.Parser.ParseFrom(handler.Handle(request).ToByteString());
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
