using StreamGrpc.Interop.Server;

// Usage: StreamGrpc.Interop.Server --port N [--host 127.0.0.1]   (N = 0 picks a free port)
// Prints "listening on PORT" once connections are accepted.
if (!InteropServerArguments.TryParse(args, out var arguments, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(InteropServerArguments.Usage);
    return 2;
}

await using var app = InteropServerHost.Build(arguments);
await app.StartAsync();
Console.WriteLine($"listening on {InteropServerHost.GetPort(app)}");
await app.WaitForShutdownAsync();
return 0;
