using Microsoft.Extensions.Options;

namespace StreamService.Rows;

/// <summary>Warns at start-up when resume tokens are signed with the public development key.</summary>
internal sealed partial class RowsStartupCheck : IHostedService
{
    private readonly IOptions<RowsOptions> _options;
    private readonly IHostEnvironment _environment;
    private readonly ILogger<RowsStartupCheck> _logger;

    public RowsStartupCheck(IOptions<RowsOptions> options, IHostEnvironment environment, ILogger<RowsStartupCheck> logger)
    {
        _options = options;
        _environment = environment;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Value.ResumeTokenKey.Trim() == RowsOptions.DevelopmentResumeTokenKey && !_environment.IsDevelopment())
        {
            LogDevelopmentKey();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "StreamGrpc:Rows:ResumeTokenKey is the public development key: anyone can forge resume tokens. Set StreamGrpc__Rows__ResumeTokenKey to a secret of your own (32+ random bytes, base64), the same on every replica.")]
    private partial void LogDevelopmentKey();
}
