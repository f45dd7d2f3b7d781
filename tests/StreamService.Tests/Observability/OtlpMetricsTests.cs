using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Observability;

/// <summary>Issue 15, item 4: the service's metrics reach the OTLP/gRPC receiver: its own stream
/// instruments and the ASP.NET Core instrumentation's.</summary>
[Collection(MetricsAloneCollection.Name)]
public sealed class OtlpMetricsTests
{
    [Fact]
    public async Task Otlp_Grpc_StreamMetricsReachTheReceiver()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await OtlpExportTests.StartHostAsync(receiver, OtlpExportTests.Settings().FastBuiltinModels());
        using var channel = host.CreateChannel();

        await LlmCalls.CompleteAsync(channel, "builtin-echo", OtlpExportTests.Key).Bounded();

        await receiver.WaitForMetricAsync("streamgrpc.server.calls");
        await receiver.WaitForMetricAsync("streamgrpc.server.items_sent");
        await receiver.WaitForMetricAsync("streamgrpc.server.time_to_first_message");
        await receiver.WaitForMetricAsync("http.server.request.duration");
    }
}
