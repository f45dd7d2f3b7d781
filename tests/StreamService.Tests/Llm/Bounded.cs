namespace StreamService.Tests.Llm;

/// <summary>Every await in these tests goes through here, so a hang fails the test instead of the run.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task Within(this Task task) => task.WaitAsync(Timeout);

    public static async Task<T> Within<T>(this ValueTask<T> task) => await task.AsTask().WaitAsync(Timeout);
}
