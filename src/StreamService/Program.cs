using StreamService;

var app = StreamServiceApp.Build(args);
await app.RunAsync();
