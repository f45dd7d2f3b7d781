using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace StreamService.Rows;

/// <summary>Start-up validation of <see cref="RowsOptions"/>: a bad configuration stops the service
/// with a message naming the setting instead of failing on the first request. The database is not
/// consulted here (the service must start while it is down); columns are checked against the
/// catalogue on first use by <see cref="DatasetCatalog"/>.</summary>
internal sealed partial class RowsOptionsValidator : IValidateOptions<RowsOptions>
{
    public ValidateOptionsResult Validate(string? name, RowsOptions options)
    {
        var failures = new List<string>();
        var section = RowsOptions.SectionName;

        if (options.DefaultBatchSize < 1)
        {
            failures.Add($"{section}:DefaultBatchSize must be at least 1.");
        }

        if (options.MaxBatchSize < options.DefaultBatchSize)
        {
            failures.Add($"{section}:MaxBatchSize must be at least DefaultBatchSize.");
        }

        if (options.MaxBatchBytes < 1024)
        {
            failures.Add($"{section}:MaxBatchBytes must be at least 1024.");
        }

        if (options.MaxFilters < 0 || options.MaxInValues < 1 || options.MaxFilterValueLength < 1)
        {
            failures.Add($"{section}:MaxFilters, MaxInValues and MaxFilterValueLength must be positive.");
        }

        if (options.CommandTimeoutSeconds < 0)
        {
            failures.Add($"{section}:CommandTimeoutSeconds must be 0 (no limit) or positive.");
        }

        if (options.CatalogCacheDuration < TimeSpan.Zero || options.HealthProbeInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:CatalogCacheDuration must not be negative and HealthProbeInterval must be positive.");
        }

        if (!ResumeTokenKey.TryParse(options.ResumeTokenKey, out _))
        {
            failures.Add($"{section}:ResumeTokenKey must be base64 of at least {ResumeTokenKey.MinimumLength} bytes.");
        }

        foreach (var (datasetName, dataset) in options.Datasets)
        {
            var prefix = $"{section}:Datasets:{datasetName}";
            if (!DatasetNamePattern().IsMatch(datasetName))
            {
                failures.Add($"{prefix}: dataset names use letters, digits, '_', '-' and '.' only.");
            }

            if (dataset is null)
            {
                failures.Add($"{prefix} is empty.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(dataset.Schema) || string.IsNullOrWhiteSpace(dataset.Table))
            {
                failures.Add($"{prefix}: Schema and Table must be set.");
            }

            if (dataset.KeyColumns.Count == 0)
            {
                failures.Add($"{prefix}:KeyColumns must name at least one column (rows are ordered and resumed by it).");
            }

            AddDuplicates(dataset.KeyColumns, $"{prefix}:KeyColumns", failures);
            AddDuplicates(dataset.Columns, $"{prefix}:Columns", failures);
            if (dataset.KeyColumns.Concat(dataset.Columns).Any(string.IsNullOrEmpty))
            {
                failures.Add($"{prefix}: column names must not be empty.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AddDuplicates(List<string> columns, string setting, List<string> failures)
    {
        foreach (var duplicate in columns.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"{setting} lists '{duplicate.Key}' more than once.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex DatasetNamePattern();
}
