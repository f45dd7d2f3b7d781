namespace StreamGrpc.Interop.Client;

/// <summary>A client assertion of an interop case did not hold.</summary>
internal sealed class InteropCheckFailedException(string message) : Exception(message)
{
    public static void ThrowIfFalse(bool condition, string message)
    {
        if (!condition)
        {
            throw new InteropCheckFailedException(message);
        }
    }
}
