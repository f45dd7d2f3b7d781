using System.Globalization;
using StreamGrpc.V1;
using StreamService.Rows;
using Xunit;

namespace StreamService.Tests.Rows;

/// <summary>The hand-written wire encodings of dates, times and text, checked against the forms
/// rows.proto documents (as .NET formats them) and against Google.Protobuf's parser.</summary>
public sealed class ValueEncoderTests
{
    [Theory]
    [InlineData(1, 1, 2)] // 0001-01-01 is DateOnly.MinValue, which stands for -infinity
    [InlineData(9999, 12, 30)]
    [InlineData(1970, 1, 1)]
    [InlineData(2024, 2, 29)]
    [InlineData(999, 10, 5)]
    public void WriteDate_IsIsoCalendarDate(int year, int month, int day)
    {
        var date = new DateOnly(year, month, day);
        Assert.Equal(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Encode(w => ValueEncoder.WriteDate(w, date)).DateValue);
    }

    [Fact]
    public void WriteDate_Infinities_AreSpelledOut()
    {
        Assert.Equal("infinity", Encode(w => ValueEncoder.WriteDate(w, DateOnly.MaxValue)).DateValue);
        Assert.Equal("-infinity", Encode(w => ValueEncoder.WriteDate(w, DateOnly.MinValue)).DateValue);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(10L)] // one microsecond
    [InlineData(5_000_000L)] // half a second
    [InlineData(495_000_000_000L)] // 13:45:00
    [InlineData(495_001_234_560L)]
    [InlineData(863_999_999_990L)] // 23:59:59.999999
    public void WriteTime_IsTimeOfDayWithoutTrailingZeros(long ticks)
    {
        var time = new TimeOnly(ticks);
        var expected = time.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
        Assert.Equal(expected, Encode(w => ValueEncoder.WriteTime(w, time)).TimeValue);
    }

    [Fact]
    public void WriteUtf8_ValidText_TravelsAsIs()
    {
        Assert.Equal("héllo, 世界", Encode(w => ValueEncoder.WriteUtf8(w, ValueEncoder.TextTag, "héllo, 世界"u8)).TextValue);
    }

    [Fact]
    public void WriteUtf8_InvalidBytes_AreReplaced()
    {
        // A SQL_ASCII database can hand out bytes that are not UTF-8; protobuf strings must be UTF-8.
        byte[] text = [(byte)'a', 0xFF, (byte)'b', 0xC3];
        var value = Encode(w => ValueEncoder.WriteUtf8(w, ValueEncoder.TextTag, text));
        Assert.Equal("a\uFFFDb\uFFFD", value.TextValue);
    }

    private static Value Encode(Action<ProtoWriter> write)
    {
        using var writer = new ProtoWriter(64);
        write(writer);

        // The encoding is one `values` field: exactly a Row with one value.
        var row = Row.Parser.ParseFrom(writer.WrittenSpan);
        return Assert.Single(row.Values);
    }
}
