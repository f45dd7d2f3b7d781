namespace StreamService.Files.Stages;

/// <summary>Removes leading and trailing white space.</summary>
internal sealed class TrimStage : LineMappingStage
{
    protected override bool Map(ref LineItem line)
    {
        line = line with { Text = line.Text.Trim() };
        return true;
    }
}
