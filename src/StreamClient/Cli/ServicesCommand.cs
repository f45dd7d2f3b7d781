using System.CommandLine;
using Grpc.Core;
using Grpc.Reflection.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc services</c>: the gRPC services the server lists through reflection
/// (grpc.reflection.v1), one per line, like <c>grpcurl list</c>.</summary>
internal static class ServicesCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("services", "List the gRPC services the server offers (server reflection).");
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var reflection = new ServerReflection.ServerReflectionClient(client.CallInvoker);
            using var stream = reflection.ServerReflectionInfo(client.CallOptionsFor(call));
            await stream.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, call.CancellationToken);
            await stream.RequestStream.CompleteAsync();
            await foreach (var response in stream.ResponseStream.ReadAllAsync(call.CancellationToken))
            {
                if (response.MessageResponseCase == ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse)
                {
                    throw new RpcException(new Status((StatusCode)response.ErrorResponse.ErrorCode, response.ErrorResponse.ErrorMessage));
                }

                foreach (var service in response.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal))
                {
                    output.WriteLine(output.IsJson ? $"{{\"service\":{System.Text.Json.JsonSerializer.Serialize(service)}}}" : service);
                }
            }
        }));
        return command;
    }
}
