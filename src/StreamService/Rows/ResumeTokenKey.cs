namespace StreamService.Rows;

/// <summary>Parses the configured HMAC key of resume tokens.</summary>
internal static class ResumeTokenKey
{
    /// <summary>HMAC-SHA256 keys shorter than the hash output weaken it (RFC 2104, section 3).</summary>
    public const int MinimumLength = 32;

    public static bool TryParse(string? base64, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return key.Length >= MinimumLength;
    }
}
