using StreamGrpc.Interop.Client;

// Usage: StreamGrpc.Interop.Client --server_host H --server_port P --test_case NAME[,NAME...|all]
// Prints "RESULT <case> PASS" or "RESULT <case> FAIL <reason>" per case; exit code 0 only when all passed.
if (!InteropClientArguments.TryParse(args, out var arguments, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(InteropClientArguments.Usage);
    return 2;
}

using var client = InteropClient.Create(arguments.ServerHost, arguments.ServerPort, arguments.Options);
var failed = 0;
foreach (var testCase in arguments.TestCases)
{
    var result = await client.RunAsync(testCase);
    Console.WriteLine(result);
    failed += result.Passed ? 0 : 1;
}

return failed == 0 ? 0 : 1;
