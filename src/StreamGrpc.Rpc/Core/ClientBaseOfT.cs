namespace Grpc.Core;

/// <summary>Base of generated clients, typed so that <see cref="WithHost"/> returns the concrete client.</summary>
public abstract class ClientBase<T> : ClientBase
    where T : ClientBase<T>
{
    /// <summary>For mocking.</summary>
    protected ClientBase()
    {
    }

    /// <summary>Creates a client over a channel.</summary>
    protected ClientBase(ChannelBase channel)
        : base(channel)
    {
    }

    /// <summary>Creates a client over a call invoker.</summary>
    protected ClientBase(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    /// <summary>Creates a client from a configuration.</summary>
    protected ClientBase(ClientBaseConfiguration configuration)
        : base(configuration)
    {
    }

    /// <summary>A copy of this client that sends calls with another <c>:authority</c>.</summary>
    public T WithHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return NewInstance(Configuration.WithHost(host));
    }

    /// <summary>Creates a new instance of the concrete client (generated code overrides it).</summary>
    protected abstract T NewInstance(ClientBaseConfiguration configuration);
}
