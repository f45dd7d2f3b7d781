using StreamClient.Cli;

return await CliApp.RunAsync(args);
