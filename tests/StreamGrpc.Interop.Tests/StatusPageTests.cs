using StreamGrpc.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StreamGrpc.Interop.Tests;

/// <summary>The status page in Debian's chromium, headless, driven by puppeteer-core.</summary>
[Collection(InteropCollection.Name)]
public sealed class StatusPageTests(InteropFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(InteropCases.StatusPage), MemberType = typeof(InteropCases))]
    public async Task Case_StatusPageInHeadlessChromium_Passes(string testCase)
    {
        // The browser run starts after the three client runs.
        var run = await fixture.StatusPageRun.WaitAsync(4 * (InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(30)));
        output.WriteLine(run.Describe(testCase));
        run.AssertPassed(testCase, fixture.ServiceOutput);
    }

    [Fact]
    public async Task Screenshot_AfterTheBrowserRun_IsAPngOnDisk()
    {
        await fixture.StatusPageRun.WaitAsync(4 * (InteropCases.PeerRunTimeout + TimeSpan.FromSeconds(30)));
        var bytes = await File.ReadAllBytesAsync(InteropFixture.ScreenshotPath);
        Assert.True(bytes.Length > 1000, $"{InteropFixture.ScreenshotPath} has {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }
}
