namespace Grpc.Core;

/// <summary>A connection (or pool of connections) to a server that can start calls.</summary>
public abstract class ChannelBase
{
    /// <summary>Creates the channel base.</summary>
    protected ChannelBase(string target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>The target the channel connects to.</summary>
    public string Target { get; }

    /// <summary>Creates the invoker generated clients use.</summary>
    public abstract CallInvoker CreateCallInvoker();

    /// <summary>Shuts the channel down.</summary>
    public Task ShutdownAsync() => ShutdownAsyncCore();

    /// <summary>Implementation of <see cref="ShutdownAsync"/>.</summary>
    protected virtual Task ShutdownAsyncCore() => Task.CompletedTask;
}
