using StreamGrpc.V1;

namespace StreamClient;

public sealed partial class StreamGrpcClient
{
    /// <summary>
    /// Streams the lines of a file. After a transient failure the stream resumes at the position
    /// following the last delivered batch (no gap, no duplicate); <c>max_lines</c> and a trailing
    /// <c>head</c> stage are reduced by what was already delivered. The batches are decoded from the
    /// wire straight into the yielded <see cref="FileLine"/>s (no generated <c>LineBatch</c>).
    /// </summary>
    public IAsyncEnumerable<FileLine> StreamLinesAsync(LinesQuery query, StreamCallOptions call = default)
        => RunLines(query, call, static batch => batch.Lines);

    /// <summary>
    /// The same stream as <see cref="StreamLinesAsync"/> (same lines, resume, resets and limits),
    /// handed over a batch at a time as the service sent it (up to a few thousand lines, never
    /// empty): one asynchronous step per batch instead of one per line, for consumers that process
    /// many lines per second. A batch is the consumer's to keep.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<FileLine>> StreamLineBatchesAsync(LinesQuery query, StreamCallOptions call = default)
        => RunLines<IReadOnlyList<FileLine>>(query, call, static batch => batch.Lines.Length > 0 ? [batch.Lines] : []);

    private IAsyncEnumerable<T> RunLines<T>(LinesQuery query, StreamCallOptions call, Func<DecodedLineBatch, IEnumerable<T>> itemsOf)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = new StreamLinesRequest { Root = query.Root, Path = query.Path, MaxLines = query.MaxLines, Follow = query.Follow };
        if (query.From is { } from)
        {
            request.StartPosition = from.Clone();
        }
        else if (query.StartLine > 0)
        {
            request.StartLine = query.StartLine;
        }

        request.Filters.Add(query.Filters.Select(f => f.Clone()));

        // A head stage that is not the last one counts lines the consumer never sees, so what was
        // delivered cannot be subtracted from it: such streams do not resume.
        var headIndex = request.Filters.Count > 0 && request.Filters[^1].StageCase == LineFilter.StageOneofCase.Head ? request.Filters.Count - 1 : -1;
        var resumable = !request.Filters.Take(request.Filters.Count - 1).Any(f => f.StageCase == LineFilter.StageOneofCase.Head);
        var policy = resumable ? Options.Resume : new ResumePolicy { MaxAttempts = 0 };

        var complete = false;
        return ResumableStream.RunAsync(
            // Each call (a resumed one too) decodes its batches from the wire (LinesWireDecoder).
            options => _invoker.AsyncServerStreamingCall(new LinesWireDecoder().Method, null, options, request),
            batch =>
            {
                if (batch.Reset != FileReset.Unspecified)
                {
                    query.OnReset?.Invoke(batch.Reset);
                }

                return itemsOf(batch);
            },
            batch =>
            {
                if (batch.Next is { } next)
                {
                    request.StartPosition = next;
                }

                // A limit of 0 means "no limit" on the wire, so a limit used up is remembered
                // here (complete) rather than sent; the stream then ends instead of resuming.
                var delivered = batch.Lines.Length;
                if (request.MaxLines > 0)
                {
                    complete |= request.MaxLines <= delivered;
                    request.MaxLines = Math.Max(1, request.MaxLines - delivered);
                }

                if (headIndex >= 0)
                {
                    var head = request.Filters[headIndex].Head;
                    complete |= head.Count <= delivered;
                    head.Count = Math.Max(1, head.Count - delivered);
                }
            },
            CallOptionsFor(call),
            policy,
            OnResuming,
            call.CancellationToken,
            () => complete);
    }
}
