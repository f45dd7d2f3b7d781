namespace StreamService.Files.Stages;

/// <summary>Keeps lines that contain (or, inverted, do not contain) a substring.</summary>
internal sealed class SubstringStage(string text, bool ignoreCase, bool keepMatches) : LineMappingStage
{
    private readonly StringComparison _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    protected override bool Map(ref LineItem line) => line.Text.Contains(text, _comparison) == keepMatches;
}
