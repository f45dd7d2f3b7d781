using System.Buffers.Binary;
using System.IO.Compression;
using StreamGrpc.Rpc.Protocol;

namespace StreamGrpc.Rpc.Tests.Protocol;

public class FramingSerializationContextTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(64 * 1024)]
    public void Complete_KnownLength_WholeFrameCommittedWithOneAdvance(int payloadLength)
    {
        var output = new CountingBufferWriter();
        using var context = new FramingSerializationContext();
        context.Reset(output, null, null, CompressionLevel.Fastest);

        context.SetPayloadLength(payloadLength);
        WritePattern(context.GetBufferWriter(), payloadLength, chunk: 1000);
        context.Complete();

        Assert.Equal(1, output.AdvanceCalls);
        AssertFrame(output.WrittenSpan, payloadLength);
    }

    [Fact]
    public void Complete_FrameLargerThanContiguousLimit_StillOneWholeFrame()
    {
        var payloadLength = FramingSerializationContext.MaxContiguousFrameSize + 10;
        var output = new CountingBufferWriter();
        using var context = new FramingSerializationContext();
        context.Reset(output, null, null, CompressionLevel.Fastest);

        context.SetPayloadLength(payloadLength);
        WritePattern(context.GetBufferWriter(), payloadLength, chunk: 4096);
        context.Complete();

        AssertFrame(output.WrittenSpan, payloadLength);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(101)]
    public void Complete_SerializerWroteOtherThanAnnounced_Throws(int written)
    {
        var output = new CountingBufferWriter();
        using var context = new FramingSerializationContext();
        context.Reset(output, null, null, CompressionLevel.Fastest);

        context.SetPayloadLength(100);
        WritePattern(context.GetBufferWriter(), written, chunk: written);

        var ex = Assert.Throws<InvalidOperationException>(context.Complete);
        Assert.Contains($"wrote {written} bytes after announcing 100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_SecondMessage_FramesFollowEachOther()
    {
        var output = new CountingBufferWriter();
        using var context = new FramingSerializationContext();
        foreach (var length in new[] { 3, 7 })
        {
            context.Reset(output, null, null, CompressionLevel.Fastest);
            context.SetPayloadLength(length);
            WritePattern(context.GetBufferWriter(), length, chunk: length);
            context.Complete();
        }

        AssertFrame(output.WrittenSpan[..(5 + 3)], 3);
        AssertFrame(output.WrittenSpan[(5 + 3)..], 7);
    }

    private static void WritePattern(System.Buffers.IBufferWriter<byte> writer, int length, int chunk)
    {
        var position = 0;
        while (position < length)
        {
            var size = Math.Min(chunk, length - position);
            var span = writer.GetSpan(size);
            for (var i = 0; i < size; i++)
            {
                span[i] = (byte)(position + i);
            }

            writer.Advance(size);
            position += size;
        }
    }

    private static void AssertFrame(ReadOnlySpan<byte> frame, int payloadLength)
    {
        Assert.Equal(5 + payloadLength, frame.Length);
        Assert.Equal(0, frame[0]);
        Assert.Equal((uint)payloadLength, BinaryPrimitives.ReadUInt32BigEndian(frame[1..]));
        for (var i = 0; i < payloadLength; i++)
        {
            Assert.Equal((byte)i, frame[5 + i]);
        }
    }
}
