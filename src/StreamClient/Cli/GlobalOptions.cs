using System.CommandLine;
using System.Globalization;

namespace StreamClient.Cli;

/// <summary>Options every command takes.</summary>
internal sealed class GlobalOptions
{
    public Option<string> Address { get; } = new("--address", "-a")
    {
        Description = "Service address (http:// for h2c, https:// for TLS). Env: STREAMGRPC_ADDRESS.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("STREAMGRPC_ADDRESS") ?? "http://127.0.0.1:5000",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token (API key or JWT). Env: STREAMGRPC_TOKEN.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("STREAMGRPC_TOKEN"),
        Recursive = true,
    };

    public Option<TimeSpan?> Deadline { get; } = new("--deadline")
    {
        Description = "Deadline for the whole command, in seconds (30) or as a time span (00:05:00).",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (text is null)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
            {
                return span;
            }

            result.AddError($"--deadline: '{text}' is not a positive number of seconds or a time span.");
            return null;
        },
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write NDJSON (one JSON object per line) instead of human-readable output.",
        Recursive = true,
    };

    public Option<bool> Insecure { get; } = new("--insecure")
    {
        Description = "Accept any TLS server certificate (development only).",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Address);
        command.Options.Add(Token);
        command.Options.Add(Deadline);
        command.Options.Add(Json);
        command.Options.Add(Insecure);
    }

    public StreamGrpcClient CreateClient(ParseResult parse)
    {
        var options = new StreamGrpcClientOptions
        {
            Address = new Uri(parse.GetValue(Address)!),
            BearerToken = parse.GetValue(Token),
            DangerousAcceptAnyServerCertificate = parse.GetValue(Insecure),
        };
        return new StreamGrpcClient(options);
    }

    public StreamCallOptions CallOptions(ParseResult parse, CancellationToken cancellationToken)
        => new()
        {
            Deadline = parse.GetValue(Deadline) is { } d ? DateTime.UtcNow + d : null,
            CancellationToken = cancellationToken,
        };
}
