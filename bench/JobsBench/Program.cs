using JobsBench;

return await JobsBenchmark.RunAsync(args);
