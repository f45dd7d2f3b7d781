namespace StreamService.Tests.Infrastructure;

/// <summary>Bounds every await in a test so a hang fails the test instead of the run.</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task Bounded(this Task task) => task.WaitAsync(Default);

    public static Task<T> Bounded<T>(this Task<T> task, TimeSpan timeout) => task.WaitAsync(timeout);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;
}
