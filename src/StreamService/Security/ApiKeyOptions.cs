namespace StreamService.Security;

/// <summary>One API key (<c>StreamGrpc:Auth:ApiKeys:&lt;name&gt;</c>). Only the key's SHA-256 is
/// stored, so configuration files and environment dumps do not reveal usable keys.</summary>
internal sealed class ApiKeyOptions
{
    /// <summary>Lower- or upper-case hex SHA-256 of the key's UTF-8 bytes (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>What the key may stream, e.g. <c>rows:events</c>, <c>rows:*</c>, <c>files:demo</c>, <c>jobs</c>, <c>llm:builtin-echo</c>, <c>*</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}
