using System.Data;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Runs a <see cref="RowQuery"/> and yields its rows as they come off the wire. The reader
/// uses <see cref="CommandBehavior.SequentialAccess"/>, so not even one row is buffered whole; the
/// consumer's pace is the only pacing (PostgreSQL blocks on a full socket when nobody reads).</summary>
internal sealed partial class NpgsqlRowSource
{
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
        var readers = selected.Select(RowValueReaders.For).ToArray();
        var returned = query.Columns.Count;
        var keyOrdinals = query.Dataset.KeyColumns.Select(k => selected.FindIndex(c => c.Name == k.Name)).ToArray();

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = _options.Value.CommandTimeoutSeconds };
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        var finished = false;
        var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        try
        {
            var values = new Value[selected.Count];
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < readers.Length; i++)
                {
                    values[i] = await readers[i](reader, i, cancellationToken).ConfigureAwait(false);
                }

                var row = new Row();
                for (var i = 0; i < returned; i++)
                {
                    row.Values.Add(values[i]);
                }

                var key = new Value[keyOrdinals.Length];
                for (var k = 0; k < key.Length; k++)
                {
                    key[k] = values[keyOrdinals[k]];
                }

                yield return new SourceRow(row, key);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cancelling the row query on the server failed")]
    private partial void LogCancelFailed(Exception exception);
}
