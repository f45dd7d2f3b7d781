using Grpc.AspNetCore.Server;
using Microsoft.OpenApi.Models;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers HTTP/JSON transcoding of the public services and the OpenAPI document of its
/// routes.</summary>
internal static class HttpJsonServiceCollectionExtensions
{
    /// <summary>JSON transcoding (Microsoft.AspNetCore.Grpc.JsonTranscoding) reads the
    /// <c>google.api.http</c> annotations of protos/streamgrpc/v1 and maps each route to the same
    /// handler, behind the same interceptors (the call gate), as the gRPC method. The OpenAPI document
    /// (Microsoft.AspNetCore.Grpc.Swagger over Swashbuckle) is generated from the same annotations
    /// and the message descriptors.</summary>
    public static IGrpcServerBuilder AddStreamHttpJson(this IGrpcServerBuilder grpc)
    {
        grpc.AddJsonTranscoding(options =>
        {
            // The protobuf JSON mapping as Google.Protobuf's JsonFormatter writes it
            // (protobuf.dev/programming-guides/json): int64 as strings, which JavaScript's numbers
            // cannot hold exactly, and fields at their default value left out.
            options.JsonSettings.WriteInt64sAsStrings = true;
            options.JsonSettings.IgnoreDefaultValues = true;
        });
        grpc.Services.AddGrpcSwagger();
        grpc.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(StreamService.Http.OpenApiDocument.Name, new OpenApiInfo
            {
                Title = "StreamGrpc HTTP/JSON",
                Version = "v1",
                Description = "The gRPC services of protos/streamgrpc/v1 over HTTP/JSON (google.api.http routes). Streaming routes answer newline-delimited JSON, one message per line, written as produced.",
            });
        });
        return grpc;
    }
}
