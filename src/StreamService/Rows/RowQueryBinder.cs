using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Validates a request against a dataset's catalogue schema and turns it into a
/// <see cref="RowQuery"/>. Every problem is an INVALID_ARGUMENT naming the field at fault; caller
/// strings are only ever compared with catalogue names, never put into SQL.</summary>
internal static class RowQueryBinder
{
    public static RowQuery Bind(StreamRowsRequest request, DatasetSchema dataset, ResumePosition position, RowsOptions options)
    {
        var columns = BindColumns(request, dataset);
        var filters = BindFilters(request, dataset, options);
        var after = BindResumeKey(position, dataset, options);

        long? limit = null;
        if (request.Limit < 0)
        {
            throw RowsException.InvalidArgument("limit must not be negative (0 means no limit)");
        }

        if (request.Limit > 0)
        {
            if (position.Delivered > request.Limit)
            {
                throw RowsException.InvalidArgument("resume_token is not valid for this request");
            }

            limit = request.Limit - position.Delivered;
        }

        return new RowQuery(dataset, columns, filters, after, limit);
    }

    /// <summary>Rows per message for a request.</summary>
    public static int BatchSize(StreamRowsRequest request, RowsOptions options)
    {
        if (request.BatchSize < 0 || request.BatchSize > options.MaxBatchSize)
        {
            throw RowsException.InvalidArgument($"batch_size must be between 1 and {options.MaxBatchSize} (0 for the default of {options.DefaultBatchSize})");
        }

        return request.BatchSize == 0 ? options.DefaultBatchSize : request.BatchSize;
    }

    private static List<DatasetColumn> BindColumns(StreamRowsRequest request, DatasetSchema dataset)
    {
        if (request.Columns.Count == 0)
        {
            return [.. dataset.Columns];
        }

        var columns = new List<DatasetColumn>(request.Columns.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in request.Columns)
        {
            var column = Column(dataset, name, "columns");
            if (!seen.Add(name))
            {
                throw RowsException.InvalidArgument($"columns: column '{RowsMessages.Quote(name)}' is listed more than once");
            }

            columns.Add(column);
        }

        return columns;
    }

    private static List<RowFilter> BindFilters(StreamRowsRequest request, DatasetSchema dataset, RowsOptions options)
    {
        if (request.Filters.Count > options.MaxFilters)
        {
            throw RowsException.InvalidArgument($"filters: at most {options.MaxFilters} filters are allowed");
        }

        var filters = new List<RowFilter>(request.Filters.Count);
        for (var i = 0; i < request.Filters.Count; i++)
        {
            var filter = request.Filters[i];
            var column = Column(dataset, filter.Column, $"filters[{i}]");
            var context = $"filters[{i}] on column '{column.Name}'";
            var expectedValues = filter.Operator switch
            {
                FilterOperator.IsNull or FilterOperator.IsNotNull => (Min: 0, Max: 0),
                FilterOperator.In => (Min: 1, Max: options.MaxInValues),
                FilterOperator.Equal or FilterOperator.NotEqual or FilterOperator.Less or FilterOperator.LessOrEqual
                    or FilterOperator.Greater or FilterOperator.GreaterOrEqual or FilterOperator.Like => (Min: 1, Max: 1),
                _ => throw RowsException.InvalidArgument($"{context}: operator {(int)filter.Operator} is not supported"),
            };

            if (filter.Operator == FilterOperator.Like && !ColumnTypeMapping.IsText(column))
            {
                throw RowsException.InvalidArgument($"{context}: LIKE applies to text columns only, not {ColumnTypeMapping.Describe(column)}");
            }

            if (expectedValues.Max > 0 && filter.Operator != FilterOperator.Like && !ColumnTypeMapping.IsComparable(column))
            {
                throw RowsException.InvalidArgument($"{context}: {ColumnTypeMapping.Describe(column)} columns support IS_NULL and IS_NOT_NULL only");
            }

            if (filter.Values.Count < expectedValues.Min || filter.Values.Count > expectedValues.Max)
            {
                throw RowsException.InvalidArgument(expectedValues switch
                {
                    (0, 0) => $"{context}: {filter.Operator} takes no values",
                    (1, 1) => $"{context}: {filter.Operator} takes exactly one value",
                    _ => $"{context}: {filter.Operator} takes 1 to {expectedValues.Max} values",
                });
            }

            var values = new SqlValue[filter.Values.Count];
            for (var v = 0; v < values.Length; v++)
            {
                var value = filter.Values[v];
                if (value.KindCase is Value.KindOneofCase.NullValue or Value.KindOneofCase.None)
                {
                    throw RowsException.InvalidArgument($"{context}: values must not be null or empty (use IS_NULL)");
                }

                values[v] = SqlValueConverter.Convert(column, value, options.MaxFilterValueLength, context);
            }

            filters.Add(new RowFilter(column, filter.Operator, values));
        }

        return filters;
    }

    private static List<SqlValue> BindResumeKey(ResumePosition position, DatasetSchema dataset, RowsOptions options)
    {
        if (position.Key.Count == 0)
        {
            return [];
        }

        if (position.Key.Count != dataset.KeyColumns.Count)
        {
            throw RowsException.InvalidArgument("resume_token is not valid for this dataset");
        }

        var after = new List<SqlValue>(position.Key.Count);
        for (var i = 0; i < position.Key.Count; i++)
        {
            // Key values were written by this service; a mismatch means the dataset's key changed.
            after.Add(SqlValueConverter.Convert(dataset.KeyColumns[i], position.Key[i], int.MaxValue, "resume_token"));
        }

        return after;
    }

    private static DatasetColumn Column(DatasetSchema dataset, string name, string field)
    {
        if (!dataset.TryGetColumn(name, out var column))
        {
            throw RowsException.InvalidArgument($"{field}: dataset '{dataset.Name}' has no column '{RowsMessages.Quote(name)}'");
        }

        return column;
    }
}
