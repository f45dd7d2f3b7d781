using Grpc.Core;
using StreamClient;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Client;

/// <summary>The resume loop on scripted calls: which failures it resumes from, and when it stops.</summary>
public sealed class ResumableStreamTests
{
    private static readonly ResumePolicy Fast = new() { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) };

    [Fact]
    public async Task RunAsync_TransientFailureAfterEverythingRequested_EndsWithoutResuming()
    {
        var calls = 0;
        var items = await CollectAsync(
            _ => ++calls == 1 ? Call([1, 2, 3], new RpcException(new Status(StatusCode.Unavailable, "reset"))) : Call([4], null),
            isComplete: () => true);

        Assert.Equal([1, 2, 3], items);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_TransientFailureMidStream_ResumesFromTheLastDeliveredMessage()
    {
        var resumedAfter = new List<int>();
        var last = 0;
        var calls = 0;
        var items = await CollectAsync(
            _ =>
            {
                resumedAfter.Add(last);
                return ++calls == 1 ? Call([1, 2], new RpcException(new Status(StatusCode.Unavailable, "reset"))) : Call([3, 4], null);
            },
            advance: m => last = m);

        Assert.Equal([1, 2, 3, 4], items);
        Assert.Equal([0, 2], resumedAfter);
    }

    [Fact]
    public async Task RunAsync_PermissionDenied_SurfacesWithoutRetry()
    {
        var calls = 0;
        var error = await Assert.ThrowsAsync<RpcException>(() => CollectAsync(_ =>
        {
            calls++;
            return Call([], new RpcException(new Status(StatusCode.PermissionDenied, "no")));
        }));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(1, calls);
    }

    private static async Task<List<int>> CollectAsync(Func<CallOptions, AsyncServerStreamingCall<int>> start, Action<int>? advance = null, Func<bool>? isComplete = null)
    {
        var items = new List<int>();
        await foreach (var item in ResumableStream.RunAsync<int, int>(start, m => [m], advance ?? (_ => { }), new CallOptions(), Fast, null, TestTimeout.Token(), isComplete))
        {
            items.Add(item);
        }

        return items;
    }

    private static AsyncServerStreamingCall<int> Call(int[] messages, RpcException? failure) =>
        new(new ScriptedReader(messages, failure), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    private sealed class ScriptedReader(int[] messages, RpcException? failure) : IAsyncStreamReader<int>
    {
        private int _next;

        public int Current { get; private set; }

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_next < messages.Length)
            {
                Current = messages[_next++];
                return Task.FromResult(true);
            }

            return failure is null ? Task.FromResult(false) : Task.FromException<bool>(failure);
        }
    }
}
