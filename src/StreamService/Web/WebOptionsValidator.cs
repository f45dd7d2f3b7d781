using Microsoft.Extensions.Options;

namespace StreamService.Web;

/// <summary>Start-up checks of <see cref="WebOptions"/>: an origin the CORS middleware would never
/// match (a path, a trailing slash, a typo in the scheme) stops the service with its value instead of
/// failing every browser call later. A wildcard is refused: the callers send bearer tokens.</summary>
internal sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (!IsOrigin(origin))
            {
                failures.Add($"{WebOptions.SectionName}:AllowedOrigins:{i} = '{origin}' is not an origin: write scheme://host[:port] (http or https), with no path, no trailing slash and no wildcard.");
            }
        }

        if (options.PreflightMaxAge < TimeSpan.Zero || options.PreflightMaxAge > TimeSpan.FromDays(1))
        {
            failures.Add($"{WebOptions.SectionName}:PreflightMaxAge must be between 00:00:00 and 1.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An origin as browsers send it (RFC 6454 section 6.1): scheme, host and an optional port.</summary>
    public static bool IsOrigin(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && !value.Contains('*', StringComparison.Ordinal)
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && string.IsNullOrEmpty(uri.UserInfo)
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), value, StringComparison.OrdinalIgnoreCase);
}
