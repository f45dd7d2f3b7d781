using System.Security.Cryptography;
using System.Text;

namespace StreamService.Tests.Hardening;

/// <summary>Configuration builders for the hardening tests: API keys (stored hashed), a temp file
/// root, builtin models that stream quickly.</summary>
internal static class HardeningSettings
{
    public static string Sha256Hex(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Bearer mode with the given keys (name -> (key, scopes)), call-rate limit off.</summary>
    public static Dictionary<string, string?> WithKeys(params (string Name, string Key, string[] Scopes)[] keys)
    {
        var settings = new Dictionary<string, string?>
        {
            ["StreamGrpc:Auth:Mode"] = "Bearer",
            ["StreamGrpc:Limits:CallsPerSecondPerCaller"] = "0",
        };
        foreach (var (name, key, scopes) in keys)
        {
            settings[$"StreamGrpc:Auth:ApiKeys:{name}:Sha256"] = Sha256Hex(key);
            for (var i = 0; i < scopes.Length; i++)
            {
                settings[$"StreamGrpc:Auth:ApiKeys:{name}:Scopes:{i}"] = scopes[i];
            }
        }

        return settings;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, string key, string? value)
    {
        settings[key] = value;
        return settings;
    }

    /// <summary>A fresh directory served as file root <paramref name="root"/>.</summary>
    public static string FileRoot(this Dictionary<string, string?> settings, string root)
    {
        var dir = Directory.CreateTempSubdirectory("streamgrpc-hardening-").FullName;
        settings[$"StreamGrpc:Files:Roots:{root}"] = dir;
        return dir;
    }
}
