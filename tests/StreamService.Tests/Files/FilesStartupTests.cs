using Microsoft.Extensions.Options;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Files;

public sealed class FilesStartupTests
{
    [Theory]
    [InlineData("StreamGrpc:Files:Roots:gone", "/nonexistent/streamgrpc-files")]
    [InlineData("StreamGrpc:Files:MaxLineBytes", "0")]
    [InlineData("StreamGrpc:Files:Roots:bad name", "/tmp")]
    public async Task Start_InvalidFilesConfiguration_FailsBeforeServing(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StreamServiceHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Equal(typeof(StreamService.Files.FilesOptions), error.OptionsType);
    }
}
