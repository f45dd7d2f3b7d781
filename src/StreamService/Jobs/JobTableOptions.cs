namespace StreamService.Jobs;

/// <summary>One table imports may write to (<c>StreamGrpc:Jobs:Tables:&lt;name&gt;</c>).</summary>
internal sealed class JobTableOptions
{
    public string Schema { get; set; } = "public";

    public string Table { get; set; } = "";
}
