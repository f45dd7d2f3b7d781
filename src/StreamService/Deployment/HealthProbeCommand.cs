using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace StreamService.Deployment;

/// <summary>
/// <c>StreamService --health-probe [ADDRESS] [SERVICE]</c>: one grpc.health.v1 Check against a running
/// instance; exit code 0 when it answers SERVING, 1 otherwise. Container health checks and the
/// scale-out test use it, since no grpc_health_probe package is available and the service image
/// carries nothing but the service.
/// </summary>
/// <remarks>The address defaults to <c>STREAMGRPC_HEALTH_ADDRESS</c>, then <c>http://127.0.0.1:5000</c>;
/// the service name defaults to "" (the whole server); <c>STREAMGRPC_HEALTH_TOKEN</c>, when set, is sent as the bearer
/// token. Output is one line, for logs.</remarks>
internal static class HealthProbeCommand
{
    public const string Flag = "--health-probe";

    public const string AddressVariable = "STREAMGRPC_HEALTH_ADDRESS";

    /// <summary>A bearer token (API key or JWT) for an instance whose health is behind authentication.</summary>
    public const string TokenVariable = "STREAMGRPC_HEALTH_TOKEN";

    public const string DefaultAddress = "http://127.0.0.1:5000";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Flag;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var address = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultAddress;
        var service = args.Length > 2 ? args[2] : "";
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await output.WriteLineAsync($"health-probe: '{address}' is not an http:// or https:// address");
            return 2;
        }

        try
        {
            using var channel = GrpcChannel.ForAddress(uri);
            var client = new Health.HealthClient(channel);
            var headers = new Metadata();
            if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token)
            {
                headers.Add("authorization", "Bearer " + token);
            }

            var response = await client.CheckAsync(new HealthCheckRequest { Service = service }, headers, deadline: DateTime.UtcNow + Deadline);
            await output.WriteLineAsync($"health-probe: {uri} '{service}' {response.Status}");
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (RpcException e)
        {
            await output.WriteLineAsync($"health-probe: {uri} '{service}' {e.StatusCode}: {e.Status.Detail}");
            return 1;
        }
    }
}
