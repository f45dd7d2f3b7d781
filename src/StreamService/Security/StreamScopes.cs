namespace StreamService.Security;

/// <summary>
/// What a caller may stream. A scope is <c>*</c> (everything), <c>kind</c> (everything of a kind:
/// <c>jobs</c>), or <c>kind:name</c> where name may end in <c>*</c> as a prefix wildcard
/// (<c>rows:*</c>, <c>rows:sales-*</c>, <c>files:demo</c>, <c>llm:builtin-echo</c>). Matching is ordinal.
/// </summary>
internal sealed class StreamScopes
{
    public static readonly StreamScopes All = new(["*"]);

    private readonly string[] _scopes;

    public StreamScopes(IEnumerable<string> scopes) => _scopes = scopes.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

    public IReadOnlyList<string> Values => _scopes;

    public static bool IsValid(string scope)
    {
        if (scope == "*")
        {
            return true;
        }

        var colon = scope.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? scope : scope[..colon];
        return kind.Length > 0 && kind.All(c => c is >= 'a' and <= 'z' or '-' or '_')
            && (colon < 0 || (colon < scope.Length - 1 && !scope.Any(char.IsWhiteSpace)));
    }

    /// <summary>Whether <paramref name="kind"/> (and <paramref name="resource"/>, when the kind has
    /// named resources) is within these scopes.</summary>
    public bool Allows(string kind, string? resource)
    {
        foreach (var scope in _scopes)
        {
            if (Matches(scope, kind, resource))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string scope, string kind, string? resource)
    {
        if (scope == "*" || scope == kind)
        {
            return true;
        }

        if (resource is null || scope.Length <= kind.Length + 1 || !scope.StartsWith(kind, StringComparison.Ordinal) || scope[kind.Length] != ':')
        {
            return false;
        }

        var pattern = scope.AsSpan(kind.Length + 1);
        return pattern[^1] == '*'
            ? resource.AsSpan().StartsWith(pattern[..^1], StringComparison.Ordinal)
            : resource.AsSpan().SequenceEqual(pattern);
    }
}
