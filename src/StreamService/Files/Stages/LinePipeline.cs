namespace StreamService.Files.Stages;

/// <summary>Filter stages composed in order: source -> stage 1 -> ... -> stage n.</summary>
internal sealed class LinePipeline(IReadOnlyList<LineStage> stages)
{
    public IReadOnlyList<LineStage> Stages => stages;

    public IAsyncEnumerable<LineItem> Apply(IAsyncEnumerable<LineItem> source)
    {
        foreach (var stage in stages)
        {
            source = stage.Apply(source);
        }

        return source;
    }
}
