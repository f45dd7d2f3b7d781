namespace StreamService.Files.Stages;

/// <summary>One filter stage: a transform from a stream of lines to a stream of lines. Stages pass
/// events (<see cref="LineItem.IsLine"/> false) through untouched and in order.</summary>
internal abstract class LineStage
{
    public abstract IAsyncEnumerable<LineItem> Apply(IAsyncEnumerable<LineItem> source);
}
