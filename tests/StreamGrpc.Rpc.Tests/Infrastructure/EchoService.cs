using Grpc.Core;
using Google.Protobuf;
using StreamGrpc.Rpc.Tests.Echo;

namespace StreamGrpc.Rpc.Tests.Infrastructure;

/// <summary>The test service behind <c>echo.proto</c>. Records what it observed so tests can assert
/// on the server side (cancellation seen, messages written).</summary>
internal sealed class EchoService(EchoObservations observations) : Echo.Echo.EchoBase
{
    public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
    {
        await DelayAsync(request, context);
        ThrowIfAsked(request);
        var echo = context.RequestHeaders.GetValue("x-echo");
        if (echo is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-echo", echo } });
            context.ResponseTrailers.Add("x-echo-trailer", echo);
        }

        if (context.RequestHeaders.Get("x-echo-bin") is { } binary)
        {
            context.ResponseTrailers.Add("x-echo-bin", binary.ValueBytes);
        }

        return new EchoReply { Text = request.Text, Payload = Payload(request.PayloadSize) };
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        var payload = Payload(request.PayloadSize);
        observations.Started();
        try
        {
            for (var i = 0; i < request.Count; i++)
            {
                await responseStream.WriteAsync(new EchoReply { Text = request.Text, Payload = payload, Index = i });
                observations.Written(i);
            }

            await DelayAsync(request, context);
            ThrowIfAsked(request);
        }
        catch (OperationCanceledException)
        {
            observations.Cancelled();
            throw;
        }
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var count = 0;
        var text = new System.Text.StringBuilder();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            ThrowIfAsked(request);
            count++;
            text.Append(request.Text);
        }

        return new EchoReply { Text = text.ToString(), Index = count };
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            ThrowIfAsked(request);
            await responseStream.WriteAsync(new EchoReply { Text = request.Text, Index = index++, Payload = Payload(request.PayloadSize) });
        }
    }

    private static async Task DelayAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
        }
    }

    private static void ThrowIfAsked(EchoRequest request)
    {
        if (request.FailCode == -1)
        {
            throw new InvalidOperationException("secret internal detail");
        }

        if (request.FailCode != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailCode, request.FailMessage));
        }
    }

    private static ByteString Payload(int size) => size <= 0 ? ByteString.Empty : ByteString.CopyFrom(new byte[size]);
}

/// <summary>What the server-side handler saw, for assertions.</summary>
internal sealed class EchoObservations
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lastWritten = -1;

    public Task StartedTask => _started.Task;

    public Task CancelledTask => _cancelled.Task;

    public int LastWritten => Volatile.Read(ref _lastWritten);

    public void Started() => _started.TrySetResult();

    public void Cancelled() => _cancelled.TrySetResult();

    public void Written(int index) => Volatile.Write(ref _lastWritten, index);
}
