namespace StreamService.Jobs;

/// <summary>How a CSV file is written: RFC 4180 with a configurable delimiter and quote.</summary>
/// <param name="NullText">Unquoted field text that means NULL ("" by default).</param>
internal sealed record CsvDialect(char Delimiter, char Quote, string NullText, bool Header)
{
    public static CsvDialect Default { get; } = new(',', '"', "", false);
}
