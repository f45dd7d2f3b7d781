using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Grpc.Core;
using StreamGrpc.Rpc.Protocol;
using StreamGrpc.Rpc.Tests.Infrastructure;

namespace StreamGrpc.Rpc.Tests.Protocol;

public class PipeMessageReaderTests
{
    private static readonly Func<DeserializationContext, byte[]> AsBytes = context => context.PayloadAsNewBuffer();

    [Fact]
    public async Task TryReadBuffered_SeveralFramesThenPartial_TakesWholeFramesThenWaitsForRest()
    {
        var pipe = new Pipe();
        var fourth = Frame(4, 50);
        Write(pipe, Frame(1, 10), Frame(2, 20), Frame(3, 30), fourth[..20]);
        await pipe.Writer.FlushAsync().AsTask().Bounded();
        using var reader = new PipeMessageReader(pipe.Reader, null, null);

        for (byte id = 1; id <= 3; id++)
        {
            Assert.True(reader.TryReadBuffered(AsBytes, out var message));
            AssertMessage(message, id, id * 10);
        }

        Assert.False(reader.TryReadBuffered(AsBytes, out _));

        var read = reader.ReadAsync(AsBytes, CancellationToken.None).AsTask();
        Write(pipe, fourth[20..]);
        await pipe.Writer.CompleteAsync().AsTask().Bounded();
        AssertMessage(await read.Bounded(), 4, 50);
        Assert.Null(await reader.ReadAsync(AsBytes, CancellationToken.None).AsTask().Bounded());
    }

    [Fact]
    public async Task ReadAsync_AfterTryReadBuffered_ContinuesAfterTheLastMessageTaken()
    {
        var pipe = new Pipe();
        Write(pipe, Frame(1, 5), Frame(2, 6), Frame(3, 7));
        await pipe.Writer.CompleteAsync().AsTask().Bounded();
        using var reader = new PipeMessageReader(pipe.Reader, null, null);

        Assert.True(reader.TryReadBuffered(AsBytes, out var first));
        AssertMessage(first, 1, 5);
        AssertMessage(await reader.ReadAsync(AsBytes, CancellationToken.None).AsTask().Bounded(), 2, 6);
        Assert.True(reader.TryReadBuffered(AsBytes, out var third));
        AssertMessage(third, 3, 7);
        Assert.False(reader.TryReadBuffered(AsBytes, out _));
        Assert.Null(await reader.ReadAsync(AsBytes, CancellationToken.None).AsTask().Bounded());
    }

    [Fact]
    public async Task TryReadBuffered_DeserializerThrows_InternalAndLaterMessagesStillReadable()
    {
        var pipe = new Pipe();
        Write(pipe, Frame(1, 5), Frame(2, 6));
        await pipe.Writer.CompleteAsync().AsTask().Bounded();
        using var reader = new PipeMessageReader(pipe.Reader, null, null);

        var ex = Assert.Throws<RpcException>(() => reader.TryReadBuffered<byte[]>(_ => throw new FormatException("bad"), out _));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        AssertMessage(await reader.ReadAsync(AsBytes, CancellationToken.None).AsTask().Bounded(), 2, 6);
    }

    private static byte[] Frame(byte id, int length)
    {
        var frame = new byte[5 + length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)length);
        frame.AsSpan(5).Fill(id);
        return frame;
    }

    private static void Write(Pipe pipe, params byte[][] chunks)
    {
        foreach (var chunk in chunks)
        {
            pipe.Writer.Write(chunk);
        }
    }

    private static void AssertMessage(byte[]? message, byte id, int length)
    {
        Assert.NotNull(message);
        Assert.Equal(length, message.Length);
        Assert.All(message, b => Assert.Equal(id, b));
    }
}
