namespace StreamService.Security;

/// <summary>The token of an <c>authorization: Bearer &lt;token&gt;</c> header (RFC 6750 section 2.1).</summary>
internal static class BearerToken
{
    public const string Prefix = "Bearer ";

    /// <summary>The token, or null when the header is missing, of another scheme, or empty.</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header.AsSpan(Prefix.Length).Trim();
        return token.IsEmpty ? null : token.ToString();
    }

    /// <summary>Whether the token has the compact JWS shape (three dot-separated parts).</summary>
    public static bool LooksLikeJwt(string token) => token.AsSpan().Count('.') == 2;
}
