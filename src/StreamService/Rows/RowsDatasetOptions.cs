namespace StreamService.Rows;

/// <summary>One exposed table or view.</summary>
internal sealed class RowsDatasetOptions
{
    /// <summary>Schema of the table or view.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>Name of the table or view (an identifier, not SQL).</summary>
    public string Table { get; set; } = "";

    /// <summary>Columns that order the rows and identify a resume position. Together they must be
    /// unique and never NULL (for example the primary key), or resuming may skip or repeat rows.</summary>
    public List<string> KeyColumns { get; set; } = [];

    /// <summary>Columns exposed to callers, in this order; empty for all columns of the table.</summary>
    public List<string> Columns { get; set; } = [];
}
