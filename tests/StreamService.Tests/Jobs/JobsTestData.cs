using System.Globalization;
using System.Text;
using Npgsql;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Jobs;

/// <summary>Target tables, source files and the lock that holds an import in mid-flight.</summary>
internal static class JobsTestData
{
    /// <summary>Import targets configured by <see cref="JobsTestHost"/> (name = table name).</summary>
    public static readonly string[] Tables = ["jobs_people", "jobs_big", "jobs_blocked", "jobs_types"];

    /// <summary>Advisory lock key the blocking trigger waits on.</summary>
    public const long BlockLockKey = 775501;

    /// <summary>The id at which the blocking trigger waits.</summary>
    public const long BlockAtId = 5000;

    public static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "streamgrpc-jobs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        return root;
    }

    public static void DeleteRoot(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>(Re)creates a people-shaped table; with <paramref name="blocking"/>, inserting id
    /// <see cref="BlockAtId"/> waits for the advisory lock <see cref="BlockLockKey"/>.</summary>
    public static async Task CreatePeopleTableAsync(PostgresFixture postgres, string table, bool blocking = false)
    {
        await postgres.ExecuteAsync($"""
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (
                id     bigint NOT NULL,
                name   text,
                email  varchar(40),
                age    integer,
                joined date,
                score  double precision
            );
            """);
        if (blocking)
        {
            await postgres.ExecuteAsync($"""
                CREATE OR REPLACE FUNCTION jobs_test_block() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.id = {BlockAtId} THEN
                        PERFORM pg_advisory_xact_lock_shared({BlockLockKey});
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER jobs_test_block BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION jobs_test_block();
                """);
        }
    }

    public static string PeopleLine(long i) => string.Create(CultureInfo.InvariantCulture,
        $"{i},Person {i},p{i}@example.com,{18 + i % 60},2020-{i % 12 + 1:00}-{i % 28 + 1:00},{i * 0.5}");

    /// <summary>Writes a CSV of people rows 1..<paramref name="rows"/> (with header);
    /// <paramref name="replace"/> may swap individual lines (by row id) for malformed ones.</summary>
    public static long WritePeopleCsv(string path, long rows, Func<long, string?>? replace = null)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("id,name,email,age,joined,score\n");
        for (long i = 1; i <= rows; i++)
        {
            writer.Write(replace?.Invoke(i) ?? PeopleLine(i));
            writer.Write('\n');
        }

        writer.Flush();
        return writer.BaseStream.Length;
    }

    /// <summary>Holds the advisory lock the blocking trigger waits on, until disposed.</summary>
    public static async Task<BlockLock> HoldBlockLockAsync(PostgresFixture postgres)
    {
        var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({BlockLockKey})", connection);
        await command.ExecuteNonQueryAsync();
        return new BlockLock(connection);
    }

    /// <summary>The held block lock. Disposing unlocks explicitly: a pooled connection keeps its
    /// session locks after Close until it is reused.</summary>
    internal sealed class BlockLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        private bool _released;

        public async ValueTask DisposeAsync()
        {
            if (_released)
            {
                return;
            }

            _released = true;
            await using (var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({BlockLockKey})", connection))
            {
                await unlock.ExecuteNonQueryAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>Waits (bounded) until an import's COPY waits on the block lock - i.e. rows before
    /// <see cref="BlockAtId"/> have been written into its open transaction. PostgreSQL has no push
    /// signal for lock waits, so this re-checks pg_locks until the condition holds.</summary>
    public static async Task WaitUntilBlockedAsync(PostgresFixture postgres)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var waiting = await postgres.ScalarAsync<long>(
                $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {BlockLockKey} AND NOT granted", timeout.Token);
            if (waiting > 0)
            {
                return;
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}
