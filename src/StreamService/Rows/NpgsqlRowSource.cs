using System.Data;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Runs a <see cref="RowQuery"/> and yields its rows as they come off the wire, one row in
/// memory at a time; the consumer's pace is the only pacing (PostgreSQL blocks on a full socket when
/// nobody reads).</summary>
/// <remarks>The reader runs in Npgsql's default mode, not <see cref="CommandBehavior.SequentialAccess"/>:
/// <c>ReadAsync</c> buffers the current row whole, and the columns are then read with the
/// synchronous getters, which cannot block on the network. The row is encoded whole into
/// <see cref="RowEncoding.Row"/> before it is batched in any case, so buffering it on the reader's
/// side too costs one more copy of the current row, and saves the async machinery of reading every
/// cell (issue 16: about a fifth of the service's CPU per row). The cost for very large rows: a row
/// larger than Npgsql's read buffer (8 KiB) is read into a larger buffer, and the connector keeps
/// it while the connection sits in the pool (a 50 MiB row left a 64 MiB buffer behind in a check
/// with Npgsql 10.0.0). Npgsql has no setting to shrink it, so a stream that met a row above
/// <see cref="LargeRowBytes"/> clears the pool when it ends: its own connection is closed instead of
/// pooled, and so is every other one as it comes back, which bounds what the pool can keep to
/// connections that read rows under the bound. See bench/RESULTS.md, Issue 16.</remarks>
internal sealed partial class NpgsqlRowSource
{
    /// <summary>Encoded row size above which the stream's connection is not kept in the pool (see the
    /// remarks). Rows this large are rare; reconnecting after such a stream costs milliseconds, while a
    /// pool of grown buffers would cost the pool's size times the largest row, for as long as it lives.</summary>
    internal const int LargeRowBytes = 256 * 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptions<RowsOptions> _options;
    private readonly ILogger<NpgsqlRowSource> _logger;

    public NpgsqlRowSource(NpgsqlDataSource dataSource, IOptions<RowsOptions> options, ILogger<NpgsqlRowSource> logger)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger;
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync(RowQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (sql, parameters, selected) = RowSqlBuilder.Build(query);
        var returned = query.Columns.Count;

        // Every column is encoded straight into the row's wire format, the key columns that were
        // not requested after the row's values; the resume token needs the keys' encodings only.
        var keyIndexOf = new int[selected.Count];
        Array.Fill(keyIndexOf, -1);
        for (var k = 0; k < query.Dataset.KeyColumns.Count; k++)
        {
            keyIndexOf[selected.FindIndex(c => c.Name == query.Dataset.KeyColumns[k].Name)] = k;
        }

        var keys = new (int Start, int Length)[query.Dataset.KeyColumns.Count];
        var encoders = selected.Select(ColumnEncoders.For).ToArray();
        using var encoding = new RowEncoding();

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = _options.Value.CommandTimeoutSeconds };
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        var finished = false;
        var largestRow = 0;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = encoding.Row;
                row.Reset();
                var rowLength = 0;
                for (var i = 0; i < encoders.Length; i++)
                {
                    if (i == returned)
                    {
                        rowLength = row.Length;
                    }

                    var start = row.Length;
                    encoders[i](reader, i, encoding);
                    if (keyIndexOf[i] >= 0)
                    {
                        keys[keyIndexOf[i]] = (start, row.Length - start);
                    }
                }

                largestRow = Math.Max(largestRow, row.Length);
                yield return new SourceRow(row.WrittenMemory, returned == encoders.Length ? row.Length : rowLength, keys);
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // Stopped early (cancelled, client gone, failure): disposing the reader now would read
                // the whole rest of the result to get the connection back in sync. Cancel the query on
                // the server first, so the reader only has to skip what is already in flight.
                CancelCommand(command);
            }

            try
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (!finished)
            {
                // Expected after a cancel (57014) or a broken connection; the original failure, if
                // any, is what the caller must see.
                LogDisposeAfterStopFailed(ex);
            }

            if (largestRow > LargeRowBytes)
            {
                LogLargeRowPoolCleared(largestRow);
                _dataSource.Clear();
            }
        }
    }

    private void CancelCommand(NpgsqlCommand command)
    {
        try
        {
            command.Cancel();
        }
        catch (Exception ex)
        {
            // The connection may already be broken (which is why we stopped); nothing to cancel then.
            LogCancelFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the row reader after stopping early failed")]
    private partial void LogDisposeAfterStopFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A row of {RowBytes} bytes was streamed: the connections that read it are closed instead of pooled, so their grown read buffers are not kept")]
    private partial void LogLargeRowPoolCleared(int rowBytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cancelling the row query on the server failed")]
    private partial void LogCancelFailed(Exception exception);
}
