using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace StreamService.Security;

/// <summary>An issuer's RSA or ECDSA public key from a PEM file (<c>StreamGrpc:Auth:Jwt:PublicKeyFiles</c>):
/// <c>PUBLIC KEY</c> (SubjectPublicKeyInfo) or <c>RSA PUBLIC KEY</c>.</summary>
internal static class PublicKeyPem
{
    public static SecurityKey Load(string path)
        => TryLoad(path, out var key, out var error) ? key : throw new InvalidOperationException(error);

    public static bool TryLoad(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SecurityKey? key, out string? error)
    {
        key = null;
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"StreamGrpc:Auth:Jwt:PublicKeyFiles: '{path}' cannot be read ({e.GetType().Name}).";
            return false;
        }

        // The PEM label does not say which algorithm a PUBLIC KEY holds: RSA's importer refuses
        // an EC key (and ECDsa's an RSA key) with ArgumentException or CryptographicException.
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            key = new RsaSecurityKey(rsa);
            error = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            key = new ECDsaSecurityKey(ec);
            error = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            error = $"StreamGrpc:Auth:Jwt:PublicKeyFiles: '{path}' holds no RSA or ECDSA public key in PEM form.";
            return false;
        }
    }
}
