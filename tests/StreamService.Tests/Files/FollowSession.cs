using StreamGrpc.V1;
using StreamService.Files;

namespace StreamService.Tests.Files;

/// <summary>A follow-mode source with its filter chain, pulled item by item with bounded waits.</summary>
internal sealed class FollowSession : IAsyncDisposable
{
    private readonly FileLineSource _source;
    private readonly IAsyncEnumerator<LineItem> _items;
    private Task<bool> _pending = Task.FromResult(true);

    private FollowSession(FileLineSource source, IAsyncEnumerator<LineItem> items, CancellationTokenSource cancellation)
    {
        _source = source;
        _items = items;
        Cancellation = cancellation;
    }

    public CancellationTokenSource Cancellation { get; }

    public static async Task<FollowSession> StartAsync(FilesTestRoot root, string path, params LineFilter[] filters)
    {
        var request = new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = path, Follow = true };
        request.Filters.Add(filters);
        var query = root.Parser.Parse(request);
        var source = await root.Sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, CancellationToken.None).Within();
        var cancellation = new CancellationTokenSource();
        var items = query.Pipeline.Apply(source.ReadAsync(lendUtf8: true)).GetAsyncEnumerator(cancellation.Token);
        return new FollowSession(source, items, cancellation);
    }

    /// <summary>The next item, idle markers included (read as the service reads: lent UTF-8 lines).</summary>
    public async Task<LineItem> NextAsync()
    {
        _pending = _items.MoveNextAsync().AsTask();
        Assert.True(await _pending.Within(), "A followed stream must not end by itself.");
        return _items.Current.Materialise(); // kept past the next pull by some tests
    }

    /// <summary>The next line or reset, skipping idle markers.</summary>
    public async Task<LineItem> NextEventAsync()
    {
        while (true)
        {
            var item = await NextAsync();
            if (item.Kind != LineItemKind.Idle)
            {
                return item;
            }
        }
    }

    /// <summary>Lines up to the next idle marker: everything the file holds right now.</summary>
    public async Task<List<LineItem>> UntilIdleAsync()
    {
        var items = new List<LineItem>();
        while (true)
        {
            var item = await NextAsync();
            if (item.Kind == LineItemKind.Idle)
            {
                return items;
            }

            items.Add(item);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cancellation.CancelAsync();
        try
        {
            // An async iterator cannot be disposed while a MoveNextAsync is still running.
            await _pending.Within();
        }
        catch (OperationCanceledException)
        {
        }

        await _items.DisposeAsync();
        await _source.DisposeAsync();
        Cancellation.Dispose();
    }
}
