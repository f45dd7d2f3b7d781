using System.Text;

namespace FilesBench;

/// <summary>Writes a log-like file of about the requested size: ~100-byte lines with a timestamp,
/// a level and a varying message, LF-terminated, every 50th CRLF.</summary>
internal static class LogFileGenerator
{
    private static readonly string[] s_levels = ["INFO ", "DEBUG", "WARN ", "ERROR"];

    public static (long Bytes, long Lines) Generate(string path, long targetBytes)
    {
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(12345);
        long lines = 0;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var builder = new StringBuilder(1 << 21);
        var buffer = new byte[1 << 23];
        while (stream.Length < targetBytes)
        {
            builder.Clear();
            while (builder.Length < (1 << 20))
            {
                lines++;
                builder.Append(start.AddMilliseconds(lines * 7).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(' ').Append(s_levels[random.Next(s_levels.Length)])
                    .Append(" worker=").Append(random.Next(64))
                    .Append(" request=").Append(lines)
                    .Append(" path=/api/v1/orders/").Append(random.Next(1_000_000))
                    .Append(" status=").Append(200 + random.Next(4) * 100)
                    .Append(" elapsed_ms=").Append(random.Next(5000))
                    .Append(lines % 50 == 0 ? "\r\n" : "\n");
            }

            var count = Encoding.UTF8.GetBytes(builder.ToString(), buffer);
            stream.Write(buffer, 0, count);
        }

        return (stream.Length, lines);
    }
}
