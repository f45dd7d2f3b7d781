using LlmBench;

if (args is ["--serve", .. var serviceArgs])
{
    // Child mode: the real StreamService wiring, configured by the parent's command line.
    var app = StreamService.StreamServiceApp.Build(serviceArgs);
    await app.RunAsync();
    return 0;
}

var options = BenchOptions.Parse(args);
return await Bench.RunAsync(options);
