using Microsoft.Extensions.Options;
using Npgsql;

namespace StreamService.Rows;

/// <summary>Checks at start-up that <c>ConnectionStrings:Postgres</c> is present and well-formed
/// (whether the database is reachable is a run-time matter).</summary>
internal sealed class RowsConnectionStringValidator : IValidateOptions<RowsOptions>
{
    private readonly IConfiguration _configuration;

    public RowsConnectionStringValidator(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, RowsOptions options)
    {
        var connectionString = _configuration.GetConnectionString(RowsDataSourceFactory.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:{RowsDataSourceFactory.ConnectionStringName} must be set (environment variable ConnectionStrings__{RowsDataSourceFactory.ConnectionStringName}).");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            // The message of the exception could echo the password; name the setting only.
            return ValidateOptionsResult.Fail($"ConnectionStrings:{RowsDataSourceFactory.ConnectionStringName} is not a valid Npgsql connection string.");
        }

        return ValidateOptionsResult.Success;
    }
}
