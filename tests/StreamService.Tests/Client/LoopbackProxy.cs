using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace StreamService.Tests.Client;

/// <summary>A TCP forwarder on 127.0.0.1 in front of a service, so a test can kill the client's
/// connections mid-stream (<see cref="SeverAll"/>) the way a crashed load balancer or a network
/// blip would: the client sees its connection reset, the service sees its side closed.</summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Guid, (Socket Client, Socket Upstream)> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _accepted;
    private int _forwarding;

    public LoopbackProxy(int targetPort)
    {
        TargetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Where connections are forwarded; change it to point at a restarted service.</summary>
    public int TargetPort { get; set; }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections accepted so far (a resumed stream needs a new one).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Completes once <paramref name="count"/> connections in all have been forwarded to the service.</summary>
    public Task WaitForForwardedAsync(int count)
    {
        lock (_waiters)
        {
            if (_forwarding >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Resets every open connection (RST, not FIN: linger 0), both towards the client and the service.</summary>
    public int SeverAll()
    {
        var severed = 0;
        foreach (var (id, pair) in _connections)
        {
            if (_connections.TryRemove(id, out _))
            {
                Reset(pair.Client);
                Reset(pair.Upstream);
                severed++;
            }
        }

        return severed;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        SeverAll();
        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TargetPort), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // The service is down: refuse the client the same way (reset), as a dead host would.
            Reset(client);
            upstream.Dispose();
            return;
        }

        var id = Guid.NewGuid();
        _connections[id] = (client, upstream);
        lock (_waiters)
        {
            _forwarding++;
            foreach (var waiter in _waiters.Where(w => w.Count <= _forwarding).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }
        }

        await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client)).ConfigureAwait(false);
        if (_connections.TryRemove(id, out _))
        {
            Reset(client);
            Reset(upstream);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
