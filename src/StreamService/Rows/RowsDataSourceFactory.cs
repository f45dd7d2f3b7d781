using Npgsql;

namespace StreamService.Rows;

/// <summary>Builds the process-wide <see cref="NpgsqlDataSource"/> (one connection pool).</summary>
internal static class RowsDataSourceFactory
{
    /// <summary>Name under ConnectionStrings (environment: <c>ConnectionStrings__Postgres</c>).</summary>
    public const string ConnectionStringName = "Postgres";

    public static NpgsqlDataSource Create(string connectionString, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            // Makes the service's queries easy to find in pg_stat_activity.
            builder.ConnectionStringBuilder.ApplicationName = "streamservice";
        }

        builder.UseLoggerFactory(loggerFactory);
        return builder.Build();
    }
}
