using Grpc.Core;
using Grpc.Health.V1;

namespace StreamGrpc.Rpc.AspNetCore.Health;

/// <summary>grpc.health.v1.Health over a <see cref="HealthStatusRegistry"/>
/// (doc/health-checking.md): Check answers NOT_FOUND for unknown services; Watch sends the current
/// status (SERVICE_UNKNOWN when unknown) and then each change until the client leaves.</summary>
internal sealed class HealthService(HealthStatusRegistry registry) : Grpc.Health.V1.Health.HealthBase
{
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!registry.TryGetStatus(request.Service, out var status))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service '{request.Service}'."));
        }

        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        HealthCheckResponse? last = null;
        while (!token.IsCancellationRequested)
        {
            // Take the change signal before reading, so a change between the two is not missed.
            var next = registry.NextChange;
            var current = registry.ResponseFor(request.Service, forWatch: true);
            if (!current.Equals(last))
            {
                await responseStream.WriteAsync(current, token).ConfigureAwait(false);
                last = current;
            }

            try
            {
                await next.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client left; Watch ends only this way.
                return;
            }
        }
    }
}
