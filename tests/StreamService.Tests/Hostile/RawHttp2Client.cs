using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace StreamService.Tests.Hostile;

/// <summary>
/// The smallest h2c client that sends a header block whatever the server advertised (a conforming
/// client refuses to exceed SETTINGS_MAX_HEADER_LIST_SIZE), to see what the server itself does.
/// Frames per RFC 9113 §4.1 (9-byte header: length 24, type 8, flags 8, stream id 31) and header
/// fields as HPACK "literal without indexing, new name" with plain strings (RFC 7541 §6.2.2, §5.1-5.2).
/// </summary>
internal static class RawHttp2Client
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, GoAway = 0x7, Continuation = 0x9;
    private const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    /// <summary>Sends one request's headers on stream 1; returns what came back first: "status NNN",
    /// "rst_stream", "goaway" or "closed".</summary>
    public static async Task<string> SendHeadersAsync(Uri address, string path, params (string Name, string Value)[] extra)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await WriteFrameAsync(stream, Settings, 0, 0, ReadOnlyMemory<byte>.Empty);

        var block = new MemoryStream();
        foreach (var (name, value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", address.Authority), ("content-type", "application/grpc"), ("te", "trailers") }.Concat(extra))
        {
            block.WriteByte(0);
            WriteString(block, name);
            WriteString(block, value);
        }

        // Split over HEADERS + CONTINUATION frames of the default maximum frame size (16 KiB).
        var bytes = block.ToArray();
        const int max = 16384;
        for (var offset = 0; offset < bytes.Length; offset += max)
        {
            var last = offset + max >= bytes.Length;
            var chunk = bytes.AsMemory(offset, Math.Min(max, bytes.Length - offset));
            await WriteFrameAsync(stream, offset == 0 ? Headers : Continuation, (byte)(last ? EndHeaders : 0), 1, chunk);
        }

        await WriteFrameAsync(stream, Data, EndStream, 1, new byte[5]);

        var header = new byte[9];
        while (true)
        {
            try
            {
                await stream.ReadExactlyAsync(header);
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                return "closed";
            }

            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload);
            switch (header[3])
            {
                case Settings when (header[4] & Ack) == 0:
                    await WriteFrameAsync(stream, Settings, Ack, 0, ReadOnlyMemory<byte>.Empty);
                    break;
                case GoAway:
                    return "goaway";
                case RstStream:
                    return "rst_stream";
                case Headers:
                    // Kestrel encodes :status from the HPACK static table (index 8 = 200, 13 = 404,
                    // ...) or as a literal; report any non-200 as its number.
                    return payload.Length > 0 && payload[0] == 0x88 ? "status 200" : "status " + StatusOf(payload);
            }
        }
    }

    private static string StatusOf(byte[] block)
    {
        // Literal with indexed name :status (static index 8..14 share the name): 0x0N/0x1N/0x4N prefix, then length + digits.
        var text = Encoding.ASCII.GetString(block);
        var digits = new string(text.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit).ToArray());
        return digits.Length == 3 ? digits : "?";
    }

    private static void WriteString(Stream block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        WriteInteger(block, bytes.Length, 7, 0);
        block.Write(bytes);
    }

    private static void WriteInteger(Stream block, int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.WriteByte((byte)(flags | value));
            return;
        }

        block.WriteByte((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            block.WriteByte((byte)((value % 128) + 128));
            value /= 128;
        }

        block.WriteByte((byte)value);
    }

    private static async Task WriteFrameAsync(NetworkStream stream, byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload)
    {
        var header = new byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), streamId);
        try
        {
            await stream.WriteAsync(header);
            await stream.WriteAsync(payload);
        }
        catch (IOException)
        {
            // The server may close the connection while we are still sending the oversized block.
        }
    }
}
