using System.Net;
using Grpc.Core;
using StreamGrpc.Rpc.Tests.Echo;
using StreamGrpc.Rpc.Tests.Infrastructure;

namespace StreamGrpc.Rpc.Tests.Functional;

/// <summary>Runtime-level hostile frames not covered by <see cref="EchoCallTests"/>: length prefixes
/// far past the receive limit (refused from the 5-byte header, before any body is buffered),
/// undefined compressed flags, a second message for a unary method; the server answers a normal call
/// afterwards and its managed heap stays near where it was.</summary>
public sealed class HostileFrameTests(EchoFixture fixture) : IClassFixture<EchoFixture>
{
    public static TheoryData<string, int> Frames => new()
    {
        { "00" + "ffffffff" + "0a", (int)StatusCode.ResourceExhausted },
        { "00" + "7fffffff", (int)StatusCode.ResourceExhausted },
        { "00" + "80000000" + "0a0b", (int)StatusCode.ResourceExhausted },
        { "02" + "00000000", (int)StatusCode.Internal },
        { "ff" + "00000001" + "00", (int)StatusCode.Internal },
        { "01" + "00000001" + "00", (int)StatusCode.Internal },
        { "00" + "00000000" + "00" + "00000000", (int)StatusCode.Internal },
        { "00" + "00000002" + "0801" + "00", (int)StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public async Task Unary_HostileFrame_StatusAndServerStaysUp(string hex, int expected)
    {
        var before = ManagedMemory();
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Host.Address, "/streamgrpc.testing.Echo/Unary"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Convert.FromHexString(hex)),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");

        using var response = await http.SendAsync(request, TestTimeout.Token()).Bounded();
        await response.Content.ReadAsByteArrayAsync().Bounded();

        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First()
            : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : null;
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), status);

        using var channel = fixture.Host.CreateChannel();
        var reply = await new Echo.Echo.EchoClient(channel).UnaryAsync(new EchoRequest { Text = "still up" }, cancellationToken: TestTimeout.Token()).ResponseAsync.Bounded();
        Assert.Equal("still up", reply.Text);
        Assert.True(ManagedMemory() - before < 16 * 1024 * 1024, "managed memory did not return near its baseline");
    }

    private static long ManagedMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
