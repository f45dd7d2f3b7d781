using System.Text.RegularExpressions;

namespace StreamService.Files.Stages;

/// <summary>Keeps lines matching (or, inverted, not matching) a regular expression. The regex is
/// built with a match timeout: a catastrophic-backtracking pattern fails the call with
/// <see cref="RegexMatchTimeoutException"/> instead of holding a thread.</summary>
internal sealed class RegexStage(Regex regex, bool keepMatches) : LineMappingStage
{
    protected override bool Map(ref LineItem line) => regex.IsMatch(line.Text) == keepMatches;
}
