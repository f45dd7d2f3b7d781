using System.Runtime.CompilerServices;

namespace StreamService.Files.Stages;

/// <summary>Passes the first <paramref name="count"/> lines, then ends the stream. Ending (rather
/// than dropping the rest) stops the source: the file is closed and no more of it is read.</summary>
internal sealed class HeadStage(long count) : LineStage
{
    public override IAsyncEnumerable<LineItem> Apply(IAsyncEnumerable<LineItem> source) => Iterate(source);

    private async IAsyncEnumerable<LineItem> Iterate(IAsyncEnumerable<LineItem> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var passed = 0L;
        if (passed >= count)
        {
            yield break;
        }

        await foreach (var item in source.WithCancellation(cancellationToken))
        {
            yield return item;
            if (item.IsLine && ++passed >= count)
            {
                yield break;
            }
        }
    }
}
