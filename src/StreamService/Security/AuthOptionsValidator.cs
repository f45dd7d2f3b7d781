using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Start-up checks of <see cref="AuthOptions"/>: Bearer mode needs at least one credential
/// source, every hash and scope must be well-formed, every key file readable.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.EffectiveMode == AuthMode.Bearer && options.ApiKeys.Count == 0 && !options.Jwt.Enabled)
        {
            failures.Add("StreamGrpc:Auth:Mode is Bearer but neither StreamGrpc:Auth:ApiKeys nor StreamGrpc:Auth:Jwt:Issuer is configured; "
                + "configure credentials, or set StreamGrpc:Auth:Mode=None for local development only.");
        }

        foreach (var (keyName, key) in options.ApiKeys)
        {
            if (key.Sha256.Length != 64 || !key.Sha256.All(Uri.IsHexDigit))
            {
                failures.Add($"StreamGrpc:Auth:ApiKeys:{keyName}:Sha256 must be 64 hex digits (the SHA-256 of the key), not the key itself.");
            }

            if (key.Scopes.Count == 0)
            {
                failures.Add($"StreamGrpc:Auth:ApiKeys:{keyName}:Scopes is empty: the key could stream nothing.");
            }

            failures.AddRange(key.Scopes.Where(s => !StreamScopes.IsValid(s)).Select(s => $"StreamGrpc:Auth:ApiKeys:{keyName}:Scopes: '{s}' is not a scope ('*', 'kind' or 'kind:name', name may end in '*')."));
        }

        var jwt = options.Jwt;
        if (jwt.Enabled)
        {
            if (jwt.SigningKeys.Count == 0 && jwt.PublicKeyFiles.Count == 0)
            {
                failures.Add("StreamGrpc:Auth:Jwt needs SigningKeys or PublicKeyFiles to verify token signatures.");
            }

            foreach (var key in jwt.SigningKeys)
            {
                if (!IsLongBase64(key))
                {
                    failures.Add("StreamGrpc:Auth:Jwt:SigningKeys: every key must be base64 of at least 32 bytes.");
                }
            }

            failures.AddRange(jwt.PublicKeyFiles.Where(f => !File.Exists(f)).Select(f => $"StreamGrpc:Auth:Jwt:PublicKeyFiles: '{f}' does not exist."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsLongBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }
}
