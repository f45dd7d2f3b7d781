using System.Runtime.CompilerServices;

namespace StreamService.Files.Stages;

/// <summary>Base of stages that look at one line at a time: keep, drop or rewrite it.</summary>
internal abstract class LineMappingStage : LineStage
{
    /// <summary>Returns false to drop the line; may replace its text.</summary>
    protected abstract bool Map(ref LineItem line);

    /// <summary>Whether <see cref="Map"/> reads <see cref="LineItem.Text"/>: a lent line is then turned
    /// into a string once, here, and goes on as one (later stages do not decode it again).</summary>
    protected virtual bool ReadsText => true;

    public override IAsyncEnumerable<LineItem> Apply(IAsyncEnumerable<LineItem> source) => Iterate(source);

    private async IAsyncEnumerable<LineItem> Iterate(IAsyncEnumerable<LineItem> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in source.WithCancellation(cancellationToken))
        {
            var line = item.IsLent && ReadsText ? item.Materialise() : item;
            if (!line.IsLine || Map(ref line))
            {
                yield return line;
            }
        }
    }
}
