using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace StreamService.Files;

/// <summary>Checks <see cref="FilesOptions"/> at start-up, so a bad root or knob stops the service
/// before it serves anything instead of failing calls later.</summary>
internal sealed partial class FilesOptionsValidator : IValidateOptions<FilesOptions>
{
    public ValidateOptionsResult Validate(string? name, FilesOptions options)
    {
        var failures = new List<string>();

        foreach (var (rootName, directory) in options.Roots)
        {
            if (!RootNamePattern().IsMatch(rootName))
            {
                failures.Add($"Root name '{rootName}' must match {RootNamePattern()}.");
            }

            if (string.IsNullOrWhiteSpace(directory))
            {
                failures.Add($"Root '{rootName}' has no directory.");
            }
            else if (!Directory.Exists(FileRoots.ToAbsolute(directory)))
            {
                failures.Add($"Root '{rootName}': directory '{FileRoots.ToAbsolute(directory)}' does not exist.");
            }
        }

        Require(options.MaxLineBytes is >= 16 and <= 16 * 1024 * 1024, "MaxLineBytes must be between 16 and 16777216.");
        Require(options.MaxBatchLines is >= 1 and <= 100_000, "MaxBatchLines must be between 1 and 100000.");
        Require(options.MaxBatchBytes is >= 1024 and <= 64 * 1024 * 1024, "MaxBatchBytes must be between 1024 and 67108864.");
        Require(options.ReadBufferBytes is >= 4096 and <= 16 * 1024 * 1024, "ReadBufferBytes must be between 4096 and 16777216.");
        Require(options.RegexMatchTimeout > TimeSpan.Zero && options.RegexMatchTimeout <= TimeSpan.FromMinutes(1), "RegexMatchTimeout must be positive and at most one minute.");
        Require(options.MaxPatternLength is >= 1 and <= 1024 * 1024, "MaxPatternLength must be between 1 and 1048576.");
        Require(options.MaxFilterStages is >= 1 and <= 1000, "MaxFilterStages must be between 1 and 1000.");
        Require(options.FollowPollInterval >= TimeSpan.FromMilliseconds(10) && options.FollowPollInterval <= TimeSpan.FromHours(1), "FollowPollInterval must be between 10 ms and one hour.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(bool condition, string message)
        {
            if (!condition)
            {
                failures.Add(message);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex RootNamePattern();
}
