using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Grpc.AspNetCore.Server;
using StreamService.Calls;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Hardening;

/// <summary>Item 3: concurrent-stream limits, call rate, Kestrel HTTP/2 settings, message limits.</summary>
public sealed class LimitsTests
{
    private const string KeyA = "limits-key-a-0123456789";
    private const string KeyB = "limits-key-b-0123456789";

    [Fact]
    public async Task Streams_BeyondPerCallerAndTotalLimits_ResourceExhaustedUntilOneEnds()
    {
        var logs = new CapturedLogs();
        var settings = HardeningSettings.WithKeys(("a", KeyA, ["files"]), ("b", KeyB, ["files"]))
            .With("StreamGrpc:Limits:MaxConcurrentStreamsPerCaller", "2")
            .With("StreamGrpc:Limits:MaxConcurrentStreams", "3");
        var root = settings.FileRoot("t");
        await File.WriteAllTextAsync(Path.Combine(root, "a.log"), "first line\n");
        await using var host = await HardenedHost.StartAsync(settings, logs);
        using var channel = host.CreateChannel();

        var a1 = await FollowAsync(channel, KeyA);
        var a2 = await FollowAsync(channel, KeyA);
        var a3 = await Assert.ThrowsAsync<RpcException>(() => FollowAsync(channel, KeyA));
        var b1 = await FollowAsync(channel, KeyB);
        var b2 = await Assert.ThrowsAsync<RpcException>(() => FollowAsync(channel, KeyB));

        Assert.Equal(StatusCode.ResourceExhausted, a3.StatusCode);
        Assert.Contains("caller 'a'", a3.Status.Detail);
        Assert.Equal(StatusCode.ResourceExhausted, b2.StatusCode);
        Assert.Contains("server is at its limit", b2.Status.Detail);

        // Ending a stream frees its slot.
        var ended = logs.WaitForAsync(e => e.Message.Contains("ended Cancelled", StringComparison.Ordinal));
        a1.Dispose();
        await ended.Bounded();
        using var a4 = await FollowAsync(channel, KeyA);

        a2.Dispose();
        b1.Dispose();
    }

    [Fact]
    public async Task Calls_OverPerCallerRate_ResourceExhaustedOthersUnaffected()
    {
        var settings = HardeningSettings.WithKeys(("a", KeyA, ["*"]), ("b", KeyB, ["*"]))
            .FastBuiltinModels()
            .With("StreamGrpc:Limits:CallsPerSecondPerCaller", "0.001")
            .With("StreamGrpc:Limits:CallBurstPerCaller", "2");
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();

        await LlmCalls.CompleteAsync(channel, "builtin-echo", KeyA).Bounded();
        await LlmCalls.CompleteAsync(channel, "builtin-echo", KeyA).Bounded();
        var third = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", KeyA).Bounded());
        await LlmCalls.CompleteAsync(channel, "builtin-echo", KeyB).Bounded();

        Assert.Equal(StatusCode.ResourceExhausted, third.StatusCode);
        Assert.Contains("rate", third.Status.Detail);
    }

    [Fact]
    public async Task Start_LimitSettings_AppliedToKestrelAndRuntime()
    {
        var settings = HardeningSettings.WithKeys(("a", KeyA, ["*"]))
            .With("StreamGrpc:Limits:Http2MaxStreamsPerConnection", "4000")
            .With("StreamGrpc:Limits:Http2InitialStreamWindowSize", "131072")
            .With("StreamGrpc:Limits:KeepAlivePingDelay", "00:00:45")
            .With("StreamGrpc:Limits:KeepAlivePingTimeout", "00:00:10")
            .With("StreamGrpc:Grpc:StalledConsumerTimeout", "00:01:30")
            .With("StreamGrpc:Grpc:MaxSendMessageSize", "2097152");
        await using var host = await HardenedHost.StartAsync(settings);

        var kestrel = host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.Http2;
        var grpc = host.Services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        var gate = host.Services.GetRequiredService<IOptions<StreamCallOptions>>().Value;

        Assert.Equal(4000, kestrel.MaxStreamsPerConnection);
        Assert.Equal(131072, kestrel.InitialStreamWindowSize);
        Assert.Equal(TimeSpan.FromSeconds(45), kestrel.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), kestrel.KeepAlivePingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), gate.StalledConsumerTimeout);
        Assert.Equal(2097152, grpc.MaxSendMessageSize);
    }

    [Fact]
    public async Task Start_InvalidLimit_FailsNamingTheSetting()
    {
        var settings = HardeningSettings.WithKeys(("a", KeyA, ["*"])).With("StreamGrpc:Limits:Http2InitialStreamWindowSize", "10");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => HardenedHost.StartAsync(settings));

        Assert.Contains("StreamGrpc:Limits:Http2InitialStreamWindowSize", ex.Message);
    }

    [Theory]
    [InlineData("StalledConsumerTimeot")]
    [InlineData("MaxRecieveMessageSize")]
    public async Task Start_UnknownGrpcSetting_FailsNamingIt(string key)
    {
        var settings = HardeningSettings.WithKeys(("a", KeyA, ["*"])).With("StreamGrpc:Grpc:" + key, "1");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => HardenedHost.StartAsync(settings));

        Assert.Contains("StreamGrpc:Grpc:" + key, ex.Message);
    }

    [Fact]
    public async Task Stream_ConsumerStopsReading_EndedWithResourceExhausted()
    {
        var settings = HardeningSettings.WithKeys(("a", KeyA, ["*"]))
            .With("StreamGrpc:Grpc:StalledConsumerTimeout", "00:00:00.300")
            .With("StreamGrpc:Files:MaxBatchLines", "100");
        var root = settings.FileRoot("t");
        var line = new string('x', 1000);
        await File.WriteAllLinesAsync(Path.Combine(root, "big.log"), Enumerable.Repeat(line, 50_000));
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var client = new FileLines.FileLinesClient(channel);

        using var call = client.StreamLines(new StreamLinesRequest { Root = "t", Path = "big.log" }, LlmCalls.Bearer(KeyA), cancellationToken: TestTimeout.Token());
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());

        // Stop reading until the server has given up on this consumer (its status then follows the buffered data).
        await WaitForStatusAsync(host, "streamgrpc.server.calls", StatusCode.ResourceExhausted);

        // The call is counted once its handler has returned: the file it streamed is closed already.
        Assert.False(StreamService.Tests.Files.OpenFileHandles.IsOpen(Path.Combine(root, "big.log")), "the stalled call's file is still open");
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
            {
            }
        });

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("stopped reading", ex.Status.Detail);
    }

    /// <summary>Waits (bounded) until the host's metrics record a call ending with <paramref name="status"/>.</summary>
    private static Task WaitForStatusAsync(HardenedHost host, string instrument, StatusCode status)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var meter = host.Services.GetRequiredService<StreamService.Observability.StreamMetrics>().Meter;
        var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter == meter && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "rpc.grpc.status_code" && (int)tag.Value! == (int)status)
                {
                    seen.TrySetResult();
                }
            }
        });
        listener.Start();
        return seen.Task.Bounded().ContinueWith(t => { listener.Dispose(); return t; }, TaskScheduler.Default).Unwrap();
    }

    private static async Task<AsyncServerStreamingCall<LineBatch>> FollowAsync(GrpcChannel channel, string key)
    {
        var call = new FileLines.FileLinesClient(channel).StreamLines(
            new StreamLinesRequest { Root = "t", Path = "a.log", Follow = true }, LlmCalls.Bearer(key), cancellationToken: TestTimeout.Token());
        try
        {
            Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }
}
