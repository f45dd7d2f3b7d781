using Google.Protobuf;
using Grpc.Core;
using StreamGrpc.V1;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace StreamService.Rows;

/// <summary>
/// The base of <see cref="RowsService"/>, in the shape Grpc.Tools generates for a service base
/// (grpc-dotnet binds a handler only when it overrides a virtual method of the type that carries
/// <see cref="BindServiceMethodAttribute"/>), but with <see cref="RowsStreamMessage"/> as the
/// response type, so batches can be written pre-encoded.
/// </summary>
[BindServiceMethod(typeof(RowsServiceBinding), nameof(RowsServiceBinding.BindService))]
internal abstract class RowsServiceBase
{
    public abstract Task StreamRows(StreamRowsRequest request, IServerStreamWriter<RowsStreamMessage> responseStream, ServerCallContext context);
}

/// <summary>Binds <see cref="RowsServiceBase"/> to <c>/streamgrpc.v1.RowsService/StreamRows</c> with a
/// response marshaller that writes pre-encoded batches as they are (the generated binding would
/// demand a StreamRowsResponse object per message). The public descriptor is exposed for the
/// reflection service, so callers see exactly rows.proto.</summary>
internal static class RowsServiceBinding
{
    /// <summary>Read by grpc-dotnet's reflection service and by JSON transcoding, both from the
    /// <c>Descriptor</c> of the bind method's type: transcoding takes each bound method's
    /// <c>google.api.http</c> route from it and serialises what the handler writes by its runtime
    /// type (the wrapper's <c>[JsonConverter]</c> turns it into the generated message's JSON).</summary>
    public static ProtoServiceDescriptor Descriptor => StreamGrpc.V1.RowsService.Descriptor;

    public static readonly Method<StreamRowsRequest, RowsStreamMessage> StreamRowsMethod = new(
        MethodType.ServerStreaming,
        Descriptor.FullName,
        "StreamRows",
        Marshallers.Create(SerializeRequest, context => StreamRowsRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create(SerializeResponse, context => new RowsStreamMessage(StreamRowsResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence()))));

    /// <summary>Called by MapGrpcService through <see cref="BindServiceMethodAttribute"/>.</summary>
    public static void BindService(ServiceBinderBase binder, RowsServiceBase? service) =>
        binder.AddMethod(StreamRowsMethod, service is null ? null : service.StreamRows);

    private static void SerializeRequest(StreamRowsRequest request, SerializationContext context)
    {
        context.SetPayloadLength(request.CalculateSize());
        request.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static void SerializeResponse(RowsStreamMessage message, SerializationContext context)
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
