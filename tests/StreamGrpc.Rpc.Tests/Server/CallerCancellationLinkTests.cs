using StreamGrpc.Rpc.AspNetCore.Internal;

namespace StreamGrpc.Rpc.Tests.Server;

public class CallerCancellationLinkTests
{
    [Fact]
    public void For_NoneOrCallToken_CallTokenWithoutLink()
    {
        using var call = new CancellationTokenSource();
        using var link = new CallerCancellationLink();

        Assert.Equal(call.Token, link.For(call.Token, CancellationToken.None));
        Assert.Equal(call.Token, link.For(call.Token, call.Token));
    }

    [Fact]
    public void For_SameCallerTokenTwice_OneLinkObservingBoth()
    {
        using var call = new CancellationTokenSource();
        using var caller = new CancellationTokenSource();
        using var link = new CallerCancellationLink();

        var first = link.For(call.Token, caller.Token);
        var second = link.For(call.Token, caller.Token);

        Assert.Equal(first, second);
        Assert.NotEqual(call.Token, first);
        Assert.NotEqual(caller.Token, first);
        caller.Cancel();
        Assert.True(second.IsCancellationRequested);
    }

    [Fact]
    public void For_CallCancelled_LinkedTokenCancelled()
    {
        using var call = new CancellationTokenSource();
        using var caller = new CancellationTokenSource();
        using var link = new CallerCancellationLink();

        var token = link.For(call.Token, caller.Token);
        call.Cancel();

        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public void For_OtherCallerToken_NewLinkForIt()
    {
        using var call = new CancellationTokenSource();
        using var firstCaller = new CancellationTokenSource();
        using var secondCaller = new CancellationTokenSource();
        using var link = new CallerCancellationLink();

        var first = link.For(call.Token, firstCaller.Token);
        var second = link.For(call.Token, secondCaller.Token);
        firstCaller.Cancel();

        Assert.NotEqual(first, second);
        Assert.False(second.IsCancellationRequested);
        secondCaller.Cancel();
        Assert.True(second.IsCancellationRequested);
    }
}
