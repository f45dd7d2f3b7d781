namespace StreamService.Files.Stages;

/// <summary>Converts lines to upper or lower case, culture-invariant so output does not depend on
/// the server's locale.</summary>
internal sealed class CaseStage(bool upper) : LineMappingStage
{
    protected override bool Map(ref LineItem line)
    {
        line = line with { Text = upper ? line.Text.ToUpperInvariant() : line.Text.ToLowerInvariant() };
        return true;
    }
}
