namespace StreamService.Files.Stages;

/// <summary>One filter stage: a transform from a stream of lines to a stream of lines. Stages pass
/// events (<see cref="LineItem.IsLine"/> false) through untouched and in order.</summary>
/// <remarks>Contract for lent lines (<see cref="LineItem.IsLent"/>: a view of the reader's buffer
/// that is valid only until the next item is pulled): a stage hands each item on before it pulls the
/// next one and keeps no item across a pull, unless it calls <see cref="LineItem.Materialise"/>
/// first. A stage that reads or rewrites the text works on a string (see
/// <see cref="LineMappingStage"/>, which materialises lines for such stages once).</remarks>
internal abstract class LineStage
{
    public abstract IAsyncEnumerable<LineItem> Apply(IAsyncEnumerable<LineItem> source);
}
