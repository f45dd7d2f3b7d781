using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.Rpc.Tests.Echo;
using StreamGrpc.Rpc.Tests.Infrastructure;

namespace StreamGrpc.Rpc.Tests.Hardening;

/// <summary>GrpcServiceOptions.StalledConsumerTimeout over real Kestrel: a client that stops reading
/// is ended with RESOURCE_EXHAUSTED; one that keeps reading is not.</summary>
public sealed class StalledConsumerTests
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMilliseconds(400);

    // A reader that keeps reading never leaves one flush pending this long, even on a loaded
    // machine with JIT and GC pauses at start-up (0.4 s was seen to be hit there).
    private static readonly TimeSpan GenerousStallTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ServerStream_ClientStopsReading_HandlerEndsWithResourceExhaustedAndClientSeesIt()
    {
        var outcome = new WriteOutcome();
        await using var host = await StartAsync(outcome);
        using var channel = host.CreateChannel();
        var client = new Echo.Echo.EchoClient(channel);

        // Far more than the client's and Kestrel's buffers hold: the server must block on flow control.
        using var call = client.ServerStream(new EchoRequest { Count = 100_000, PayloadSize = 64 * 1024 }, cancellationToken: TestTimeout.Token());
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());

        // The client now reads nothing; the handler's pending write must be ended by the timer.
        var failure = await outcome.Failed.Bounded();
        var rpc = Assert.IsType<RpcException>(failure);
        Assert.Equal(StatusCode.ResourceExhausted, rpc.StatusCode);
        Assert.True(outcome.Written < 100_000);

        // Reading again drains what was buffered, then the status arrives in the trailers.
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
            {
            }
        });
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("stopped reading", ex.Status.Detail);
    }

    [Fact]
    public async Task ServerStream_ClientKeepsReading_CompletesOk()
    {
        var outcome = new WriteOutcome();
        await using var host = await StartAsync(outcome, GenerousStallTimeout);
        using var channel = host.CreateChannel();
        var client = new Echo.Echo.EchoClient(channel);

        using var call = client.ServerStream(new EchoRequest { Count = 200, PayloadSize = 64 * 1024 }, cancellationToken: TestTimeout.Token());
        var count = 0;
        while (await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
        {
            count++;
        }

        Assert.Equal(200, count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.False(outcome.Failed.IsCompleted);
    }

    private static Task<GrpcTestHost> StartAsync(WriteOutcome outcome, TimeSpan? stallTimeout = null)
        => GrpcTestHost.StartAsync(
            services =>
            {
                services.AddGrpc(o => o.StalledConsumerTimeout = stallTimeout ?? StallTimeout);
                services.AddSingleton(outcome);
            },
            endpoints => endpoints.MapGrpcService<RecordingStreamService>());

    /// <summary>Streams like Echo.ServerStream and records how its writes ended.</summary>
    private sealed class RecordingStreamService(WriteOutcome outcome) : Echo.Echo.EchoBase
    {
        public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            var payload = ByteString.CopyFrom(new byte[request.PayloadSize]);
            try
            {
                for (var i = 0; i < request.Count; i++)
                {
                    await responseStream.WriteAsync(new EchoReply { Payload = payload, Index = i });
                    outcome.Written = i + 1;
                }
            }
            catch (Exception ex)
            {
                outcome.SetFailed(ex);
                throw;
            }
        }
    }

    private sealed class WriteOutcome
    {
        private readonly TaskCompletionSource<Exception> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Exception> Failed => _failed.Task;

        public int Written { get; set; }

        public void SetFailed(Exception ex) => _failed.TrySetResult(ex);
    }
}
