using System.Runtime.CompilerServices;

namespace Grpc.Core;

/// <summary>Extensions for <see cref="IAsyncStreamReader{T}"/>.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Reads the whole stream as an <see cref="IAsyncEnumerable{T}"/>; each message is
    /// requested from the transport only when the consumer asks for it.</summary>
    public static IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> streamReader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streamReader);
        return ReadAllCore(streamReader, cancellationToken);
    }

    private static async IAsyncEnumerable<T> ReadAllCore<T>(IAsyncStreamReader<T> streamReader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await streamReader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return streamReader.Current;
        }
    }
}
