namespace StreamService.Files.Stages;

/// <summary>Drops empty lines, and with <paramref name="whitespace"/> lines of only white space.</summary>
internal sealed class SkipEmptyStage(bool whitespace) : LineMappingStage
{
    protected override bool ReadsText => whitespace;

    protected override bool Map(ref LineItem line) =>
        whitespace ? !string.IsNullOrWhiteSpace(line.Text) : !line.IsEmpty;
}
