using StreamService.Files;

namespace StreamService.Tests.Files;

public sealed class FilesOptionsValidatorTests
{
    private static readonly string s_existing = Path.GetTempPath();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new FilesOptionsValidator().Validate(null, new FilesOptions { Roots = { ["demo"] = s_existing } });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_MissingRootDirectory_Fails()
    {
        var result = new FilesOptionsValidator().Validate(null, new FilesOptions { Roots = { ["demo"] = "/nonexistent/streamgrpc" } });

        Assert.True(result.Failed);
        Assert.Contains("demo", result.FailureMessage);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("../x")]
    [InlineData("")]
    public void Validate_BadRootName_Fails(string name)
    {
        var result = new FilesOptionsValidator().Validate(null, new FilesOptions { Roots = { [name] = s_existing } });

        Assert.True(result.Failed);
    }

    [Fact]
    public void Validate_BadKnobs_ReportsEach()
    {
        var options = new FilesOptions
        {
            MaxLineBytes = 0,
            MaxBatchLines = 0,
            MaxBatchBytes = 1,
            ReadBufferBytes = 1,
            RegexMatchTimeout = TimeSpan.Zero,
            MaxPatternLength = 0,
            MaxFilterStages = 0,
            FollowPollInterval = TimeSpan.Zero,
        };

        var result = new FilesOptionsValidator().Validate(null, options);

        Assert.Equal(8, result.Failures!.Count());
    }
}
