using System.Text.RegularExpressions;
using StreamGrpc.V1;

namespace StreamService.Files.Stages;

/// <summary>Builds and validates the stage chain from the request's filters, before the file is
/// touched: an unknown stage or a bad pattern is refused while nothing has been read.</summary>
internal static class LinePipelineBuilder
{
    public static LinePipeline Build(IReadOnlyList<LineFilter> filters, long maxLines, FilesOptions options)
    {
        if (filters.Count > options.MaxFilterStages)
        {
            throw Invalid($"At most {options.MaxFilterStages} filter stages are allowed.");
        }

        var stages = new List<LineStage>(filters.Count + 1);
        for (var i = 0; i < filters.Count; i++)
        {
            stages.Add(BuildStage(filters[i], $"Filter {i + 1}", options));
        }

        if (maxLines < 0)
        {
            throw Invalid("max_lines must not be negative.");
        }

        if (maxLines > 0)
        {
            stages.Add(new HeadStage(maxLines));
        }

        return new LinePipeline(stages);
    }

    private static LineStage BuildStage(LineFilter filter, string name, FilesOptions options)
    {
        switch (filter.StageCase)
        {
            case LineFilter.StageOneofCase.Contains:
                return new SubstringStage(RequireText(filter.Contains.Text, $"{name} (contains)", options), filter.Contains.IgnoreCase, keepMatches: true);
            case LineFilter.StageOneofCase.NotContains:
                return new SubstringStage(RequireText(filter.NotContains.Text, $"{name} (not_contains)", options), filter.NotContains.IgnoreCase, keepMatches: false);
            case LineFilter.StageOneofCase.Regex:
                var pattern = RequireText(filter.Regex.Pattern, $"{name} (regex)", options);
                var regexOptions = RegexOptions.CultureInvariant | (filter.Regex.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
                Regex regex;
                try
                {
                    regex = new Regex(pattern, regexOptions, options.RegexMatchTimeout);
                }
                catch (ArgumentException e)
                {
                    // The parser's message describes the pattern error and nothing of the server.
                    throw Invalid($"{name} (regex): invalid pattern: {e.Message}");
                }

                return new RegexStage(regex, keepMatches: !filter.Regex.Invert);
            case LineFilter.StageOneofCase.Trim:
                return new TrimStage();
            case LineFilter.StageOneofCase.Upper:
                return new CaseStage(upper: true);
            case LineFilter.StageOneofCase.Lower:
                return new CaseStage(upper: false);
            case LineFilter.StageOneofCase.SkipEmpty:
                return new SkipEmptyStage(filter.SkipEmpty.Whitespace);
            case LineFilter.StageOneofCase.Head:
                return filter.Head.Count >= 1
                    ? new HeadStage(filter.Head.Count)
                    : throw Invalid($"{name} (head): count must be at least 1.");
            default:
                throw Invalid($"{name} has no stage this server knows (set exactly one of contains, not_contains, regex, trim, upper, lower, skip_empty, head).");
        }
    }

    private static string RequireText(string text, string name, FilesOptions options)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid($"{name}: the text or pattern must not be empty.");
        }

        if (text.Length > options.MaxPatternLength)
        {
            throw Invalid($"{name}: the text or pattern is longer than {options.MaxPatternLength} characters.");
        }

        return text;
    }

    private static FileLinesException Invalid(string message) => new(FileLinesError.InvalidArgument, message);
}
