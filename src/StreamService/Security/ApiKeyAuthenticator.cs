using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Checks a presented API key against the configured SHA-256 hashes. Every configured hash
/// is compared, each with a fixed-time comparison, so the time taken says nothing about which
/// hash (or how much of one) matched.</summary>
internal sealed class ApiKeyAuthenticator
{
    private readonly (string Name, byte[] Hash, StreamScopes Scopes)[] _keys;

    public ApiKeyAuthenticator(IOptions<AuthOptions> options)
        => _keys = options.Value.ApiKeys.Select(k => (k.Key, Convert.FromHexString(k.Value.Sha256), new StreamScopes(k.Value.Scopes))).ToArray();

    public bool HasKeys => _keys.Length > 0;

    public StreamPrincipal? Authenticate(string key)
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

        StreamPrincipal? match = null;
        foreach (var (name, hash, scopes) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                match = new StreamPrincipal(name, "api-key", scopes);
            }
        }

        return match;
    }
}
