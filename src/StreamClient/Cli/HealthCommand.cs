using System.CommandLine;
using Grpc.Core;
using Grpc.Health.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc health [SERVICE] [--watch]</c>: grpc.health.v1 Check (or Watch) of the
/// whole server ("") or one service; exit 0 when SERVING, 1 when not.</summary>
internal static class HealthCommand
{
    public static Command Create(GlobalOptions global)
    {
        var service = new Argument<string>("service")
        {
            Description = "A service name such as streamgrpc.v1.RowsService (default: the whole server).",
            DefaultValueFactory = _ => "",
        };
        var watch = new Option<bool>("--watch") { Description = "Print every status change until interrupted (Watch) instead of one Check." };
        var command = new Command("health", "Whether the service (or one of its services) is SERVING; exit 0 when it is, 1 when not.") { service, watch };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var health = new Health.HealthClient(client.CallInvoker);
            var request = new HealthCheckRequest { Service = parse.GetValue(service) ?? "" };
            var options = client.CallOptionsFor(call);
            if (!parse.GetValue(watch))
            {
                var reply = await health.CheckAsync(request, options);
                Write(output, request.Service, reply.Status);
                return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? ExitCodes.Success : ExitCodes.NotServing;
            }

            var last = HealthCheckResponse.Types.ServingStatus.Unknown;
            using var stream = health.Watch(request, options);
            await foreach (var reply in stream.ResponseStream.ReadAllAsync(call.CancellationToken))
            {
                last = reply.Status;
                Write(output, request.Service, reply.Status);
            }

            return last == HealthCheckResponse.Types.ServingStatus.Serving ? ExitCodes.Success : ExitCodes.NotServing;
        }));
        return command;
    }

    private static void Write(CliOutput output, string service, HealthCheckResponse.Types.ServingStatus status)
    {
        var name = status switch
        {
            HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
            HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
            HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
            _ => "UNKNOWN",
        };
        output.WriteLine(output.IsJson
            ? $"{{\"service\":{System.Text.Json.JsonSerializer.Serialize(service)},\"status\":\"{name}\"}}"
            : (service.Length == 0 ? "(server)" : service) + "\t" + name);
        output.Flush();
    }
}
