using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>One row stream, end to end: validate -> source -> batch -> write. Failures surface as
/// exceptions; <see cref="RowsStatusMapper"/> turns them into statuses.</summary>
internal sealed partial class RowStreamer
{
    private readonly DatasetCatalog _catalog;
    private readonly NpgsqlRowSource _source;
    private readonly ResumeTokenCodec _tokens;
    private readonly IOptions<RowsOptions> _options;

    public RowStreamer(DatasetCatalog catalog, NpgsqlRowSource source, ResumeTokenCodec tokens, IOptions<RowsOptions> options)
    {
        _catalog = catalog;
        _source = source;
        _tokens = tokens;
        _options = options;
    }

    public async Task StreamAsync(StreamRowsRequest request, IAsyncStreamWriter<RowsStreamMessage> writer, RowStreamProgress progress, CancellationToken cancellationToken)
    {
        var options = _options.Value;

        // Everything that can be checked without the database is checked first.
        if (!DatasetNamePattern().IsMatch(request.Dataset))
        {
            throw RowsException.InvalidArgument($"dataset: '{RowsMessages.Quote(request.Dataset)}' is not a dataset name (letters, digits, '_', '-', '.')");
        }

        if (!_catalog.IsConfigured(request.Dataset))
        {
            throw new RowsException(StatusCode.NotFound, $"dataset '{request.Dataset}' does not exist");
        }

        var batchSize = RowQueryBinder.BatchSize(request, options);
        var fingerprint = ResumeTokenCodec.Fingerprint(request);
        var position = request.ResumeToken.Length == 0 ? ResumePosition.Start : _tokens.Decode(request.ResumeToken, fingerprint);
        progress.LastResumeToken = request.ResumeToken.Length == 0 ? _tokens.Encode(fingerprint, 0, []) : request.ResumeToken;

        var dataset = await _catalog.GetAsync(request.Dataset, cancellationToken).ConfigureAwait(false);
        var query = RowQueryBinder.Bind(request, dataset, position, options);

        var schema = new Schema();
        schema.Columns.Add(query.Columns.Select(c => c.ToContract()));
        schema.KeyColumns.Add(dataset.KeyColumns.Select(c => c.Name));
        await writer.WriteAsync(new RowsStreamMessage(new StreamRowsResponse { Schema = schema }), cancellationToken).ConfigureAwait(false);

        if (query.Limit == 0)
        {
            return;
        }

        var batches = RowBatcher.BatchAsync(
            _source.ReadAsync(query, cancellationToken),
            batchSize,
            options.MaxBatchBytes,
            (lastKey, delivered) => _tokens.Encode(fingerprint, delivered, lastKey),
            position.Delivered,
            cancellationToken);

        await foreach (var batch in batches.ConfigureAwait(false))
        {
            using (batch)
            {
                // Serialised into the response before WriteAsync returns, so the buffer can go back.
                await writer.WriteAsync(new RowsStreamMessage(batch), cancellationToken).ConfigureAwait(false);
            }

            progress.LastResumeToken = batch.ResumeToken;
            progress.RowsWritten += batch.RowCount;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex DatasetNamePattern();
}
