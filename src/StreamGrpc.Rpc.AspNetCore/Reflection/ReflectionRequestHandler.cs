using Google.Protobuf;
using Grpc.Core;
using Grpc.Reflection.V1;
using Microsoft.Extensions.DependencyInjection;

namespace StreamGrpc.Rpc.AspNetCore.Reflection;

/// <summary>Answers one reflection request (doc/server-reflection.md). v1 and v1alpha are the same
/// wire format, so both services funnel into this v1 handler.</summary>
internal sealed class ReflectionRequestHandler(GrpcServiceRegistry registry)
{
    private ReflectionDescriptorIndex? _index;

    private ReflectionDescriptorIndex Index
    {
        get
        {
            // Services are all mapped before the first call; build once then.
            var index = _index;
            if (index is null || index.ServiceNames.Count != registry.ServiceNames.Count)
            {
                index = _index = new ReflectionDescriptorIndex(registry.ServiceNames, registry.Descriptors);
            }

            return index;
        }
    }

    public ServerReflectionResponse Handle(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        var index = Index;
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.Add(index.ServiceNames.Select(name => new ServiceResponse { Name = name }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, index.FindFile(request.FileByFilename), $"File not found: {request.FileByFilename}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, index.FindFileContainingSymbol(request.FileContainingSymbol), $"Symbol not found: {request.FileContainingSymbol}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = index.FindExtension(request.FileContainingExtension.ContainingType, request.FileContainingExtension.ExtensionNumber);
                SetFile(response, extension?.File, $"Extension not found: {request.FileContainingExtension.ContainingType}({request.FileContainingExtension.ExtensionNumber})");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                var numbers = index.FindExtensionNumbers(request.AllExtensionNumbersOfType);
                if (numbers is null)
                {
                    SetError(response, StatusCode.NotFound, $"Type not found: {request.AllExtensionNumbersOfType}");
                }
                else
                {
                    var extensions = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                    extensions.ExtensionNumber.Add(numbers);
                    response.AllExtensionNumbersResponse = extensions;
                }

                break;
            default:
                SetError(response, StatusCode.Unimplemented, "Request type not supported.");
                break;
        }

        return response;
    }

    private static void SetFile(ServerReflectionResponse response, Google.Protobuf.Reflection.FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            SetError(response, StatusCode.NotFound, notFound);
            return;
        }

        var files = new FileDescriptorResponse();
        foreach (var descriptor in ReflectionDescriptorIndex.WithDependencies(file))
        {
            files.FileDescriptorProto.Add(descriptor.SerializedData);
        }

        response.FileDescriptorResponse = files;
    }

    private static void SetError(ServerReflectionResponse response, StatusCode code, string message)
        => response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
}
