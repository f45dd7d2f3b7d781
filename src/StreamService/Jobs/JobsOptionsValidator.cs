using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamService.Rows;

namespace StreamService.Jobs;

/// <summary>Start-up validation of <see cref="JobsOptions"/> and of the connection string the jobs
/// share with the rows feature. The database is not consulted (the service starts while it is
/// down); target tables are checked against the catalogue when a job is started.</summary>
internal sealed partial class JobsOptionsValidator(IConfiguration configuration) : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var failures = new List<string>();
        var section = JobsOptions.SectionName;

        if (options.MaxConcurrentJobs < 1 || options.MaxQueuedJobs < 0)
        {
            failures.Add($"{section}:MaxConcurrentJobs must be at least 1 and MaxQueuedJobs not negative.");
        }

        if (options.ProgressInterval < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"{section}:ProgressInterval must be at least 10 ms.");
        }

        if (options.DefaultMaxRejects < 0 || options.MaxRejectsLimit < options.DefaultMaxRejects)
        {
            failures.Add($"{section}:DefaultMaxRejects must not be negative nor above MaxRejectsLimit.");
        }

        if (options.MaxRejectEvents < 0)
        {
            failures.Add($"{section}:MaxRejectEvents must not be negative.");
        }

        if (options.MaxRecordChars < 1024)
        {
            failures.Add($"{section}:MaxRecordChars must be at least 1024.");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero || options.OrphanTimeout < options.HeartbeatInterval * 3)
        {
            failures.Add($"{section}:HeartbeatInterval must be positive and OrphanTimeout at least three heartbeats.");
        }

        if (options.WatchPollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:WatchPollInterval must be positive.");
        }

        if (options.DefaultListLimit is < 1 or > 1000)
        {
            failures.Add($"{section}:DefaultListLimit must be between 1 and 1000.");
        }

        if (options.EffectiveInstanceId.Length > 128)
        {
            failures.Add($"{section}:InstanceId must be at most 128 characters.");
        }

        foreach (var (tableName, table) in options.Tables)
        {
            var prefix = $"{section}:Tables:{tableName}";
            if (!TableNamePattern().IsMatch(tableName))
            {
                failures.Add($"{prefix}: target names use letters, digits, '_', '-' and '.' only.");
            }

            if (table is null || string.IsNullOrWhiteSpace(table.Schema) || string.IsNullOrWhiteSpace(table.Table))
            {
                failures.Add($"{prefix}: Schema and Table must be set.");
            }
        }

        var connectionString = configuration.GetConnectionString(RowsDataSourceFactory.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"ConnectionStrings:{RowsDataSourceFactory.ConnectionStringName} must be set for import jobs.");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException)
            {
                // The exception's message could echo the password; name the setting only.
                failures.Add($"ConnectionStrings:{RowsDataSourceFactory.ConnectionStringName} is not a valid Npgsql connection string.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TableNamePattern();
}
