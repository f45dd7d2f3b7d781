using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Checks a presented API key against the configured SHA-256 hashes. Every configured hash
/// is compared, each with a fixed-time comparison, so the time taken says nothing about which
/// hash (or how much of one) matched. The store behind <see cref="ApiKeyAuthenticationHandler"/>.</summary>
internal sealed class ApiKeyAuthenticator
{
    private readonly (string Name, byte[] Hash, string[] Scopes)[] _keys;

    public ApiKeyAuthenticator(IOptions<AuthOptions> options)
        => _keys = options.Value.ApiKeys.Select(k => (k.Key, Convert.FromHexString(k.Value.Sha256), k.Value.Scopes.ToArray())).ToArray();

    public bool HasKeys => _keys.Length > 0;

    /// <summary>The key's caller (<see cref="StreamIdentity"/>), or null for a key that is not configured.</summary>
    public ClaimsPrincipal? Authenticate(string key)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        var rented = maxBytes <= 256 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            Span<byte> utf8 = rented ?? stackalloc byte[256];
            var length = Encoding.UTF8.GetBytes(key, utf8);
            SHA256.HashData(utf8[..length], presented);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }

        var match = -1;
        for (var i = 0; i < _keys.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, _keys[i].Hash))
            {
                match = i;
            }
        }

        return match < 0 ? null : StreamIdentity.Create(_keys[match].Name, "api-key", _keys[match].Scopes);
    }
}
