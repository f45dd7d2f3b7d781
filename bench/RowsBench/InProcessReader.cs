using System.Data;
using Npgsql;

namespace RowsBench;

/// <summary>The ceiling: the same SELECT the service sends (numeric as text, key order), read with
/// SequentialAccess in process, every field read into its .NET type and nothing else.</summary>
internal static class InProcessReader
{
    public static async Task<long> ReadAsync(string connectionString, string table, long rows)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            $"""SELECT "id", "name", "category", "quantity", "amount"::text, "score", "active", "created_at", "day", "at_time", "ref", "payload", "blob", "tags", "counts" FROM "public"."{table}" ORDER BY "id" LIMIT $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = rows });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess);
        long count = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetInt64(0);
            _ = Read<string>(reader, 1);
            _ = Read<string>(reader, 2);
            _ = Read<int>(reader, 3);
            _ = Read<string>(reader, 4);
            _ = Read<double>(reader, 5);
            _ = Read<bool>(reader, 6);
            _ = Read<DateTime>(reader, 7);
            _ = Read<DateOnly>(reader, 8);
            _ = Read<TimeOnly>(reader, 9);
            _ = Read<Guid>(reader, 10);
            _ = Read<string>(reader, 11);
            _ = Read<byte[]>(reader, 12);
            _ = Read<string?[]>(reader, 13);
            _ = Read<int?[]>(reader, 14);
            count++;
        }

        return count;
    }

    private static T? Read<T>(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? default : reader.GetFieldValue<T>(ordinal);
}
