namespace StreamService.Rows;

/// <summary>Quotes identifiers for SQL text. Only names from the configuration and the catalogue
/// are ever quoted into SQL; caller input is matched against them, never inserted.</summary>
internal static class SqlIdentifier
{
    /// <summary>A double-quoted identifier with embedded quotes doubled (PostgreSQL documentation,
    /// "Identifiers and Key Words"), so any name, however odd, stays one identifier.</summary>
    public static string Quote(string name)
    {
        if (name.Contains('\0'))
        {
            throw new ArgumentException("identifiers cannot contain NUL", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string Qualify(string schema, string table) => Quote(schema) + "." + Quote(table);
}
