using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Drain;
using StreamService.Tests.Infrastructure;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Tests.Hardening;

/// <summary>Item 4: graceful drain over real Kestrel — running streams end with UNAVAILABLE and
/// their resume point; a resuming client continues on another instance with nothing lost.</summary>
public sealed class DrainTests
{
    private const string Key = "drain-key-0123456789";

    private static Dictionary<string, string?> Settings(string? root = null)
    {
        var settings = HardeningSettings.WithKeys(("reader", Key, ["files:t", "llm"]))
            .FastBuiltinModels()
            .With("StreamGrpc:Drain:Timeout", "00:00:00.200")
            .With("StreamGrpc:Drain:CompletionGrace", "00:00:05")
            .With("StreamGrpc:Files:FollowPollInterval", "00:00:00.100");
        if (root is not null)
        {
            settings["StreamGrpc:Files:Roots:t"] = root;
        }

        return settings;
    }

    [Fact]
    public async Task Drain_RunningFollowStream_UnavailableWithResumePositionNewCallsRefusedHealthNotServing()
    {
        var settings = Settings();
        var root = settings.FileRoot("t");
        await File.WriteAllTextAsync(Path.Combine(root, "a.log"), "one\ntwo\nthree\n");
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var files = new FileLines.FileLinesClient(channel);

        using var call = files.StreamLines(new StreamLinesRequest { Root = "t", Path = "a.log", Follow = true }, LlmCalls.Bearer(Key), cancellationToken: TestTimeout.Token());
        var lines = 0;
        while (lines < 3 && await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
        {
            lines += call.ResponseStream.Current.Lines.Count;
        }

        host.Services.GetRequiredService<DrainCoordinator>().BeginDrain();

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), LlmCalls.Bearer(Key)).ResponseAsync.Bounded();
        var refused = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", Key).Bounded());
        var drained = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());

        Assert.Equal(ServingStatus.NotServing, health.Status);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal(StatusCode.Unavailable, drained.StatusCode);
        Assert.Equal(new FileInfo(Path.Combine(root, "a.log")).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), drained.Trailers.GetValue("streamgrpc-resume-offset"));
        Assert.Equal("4", drained.Trailers.GetValue("streamgrpc-resume-line"));
    }

    [Fact]
    public async Task Stop_DuringFollowStream_ClientResumesOnOtherInstanceNothingLostOrRepeated()
    {
        var root = Directory.CreateTempSubdirectory("streamgrpc-drain-").FullName;
        var path = Path.Combine(root, "a.log");
        await File.WriteAllTextAsync(path, "line 1\nline 2\nline 3\n");
        await using var a = await HardenedHost.StartAsync(Settings(root));
        await using var b = await HardenedHost.StartAsync(Settings(root));

        // A TCP-level balancer: the channel's address stays A's; new connections go to `target`.
        var target = a.Address.Port;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, Volatile.Read(ref target), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var channel = GrpcChannel.ForAddress(a.Address, new GrpcChannelOptions { HttpHandler = handler });
        var options = new StreamGrpcClientOptions { Address = a.Address, BearerToken = Key };
        options.Resume.InitialBackoff = TimeSpan.FromMilliseconds(20);
        using var client = new StreamGrpcClient(channel, options);
        var resumes = new List<StatusCode>();
        client.Resuming += (failure, _, _) => resumes.Add(failure.StatusCode);

        var received = Channel.CreateUnbounded<FileLine>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestTimeout.Token());
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var line in client.StreamLinesAsync(new LinesQuery("t", "a.log") { Follow = true }, new StreamCallOptions { CancellationToken = stop.Token }))
                {
                    await received.Writer.WriteAsync(line, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
            }
        });

        var lines = new List<FileLine>();
        while (lines.Count < 3)
        {
            lines.Add(await received.Reader.ReadAsync(TestTimeout.Token()).AsTask().Bounded());
        }

        // SIGTERM on A: the balancer sends new connections to B; A drains and ends the stream.
        Volatile.Write(ref target, b.Address.Port);
        await a.StopAsync().Bounded();
        await File.AppendAllTextAsync(path, "line 4\nline 5\nline 6\n");
        while (lines.Count < 6)
        {
            lines.Add(await received.Reader.ReadAsync(TestTimeout.Token()).AsTask().Bounded());
        }

        stop.Cancel();
        await reading.Bounded();

        Assert.Equal(["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"], lines.Select(l => l.Text));
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(l => l.LineNumber));
        Assert.Contains(StatusCode.Unavailable, resumes);
        Assert.False(received.Reader.TryRead(out _));
    }
}
