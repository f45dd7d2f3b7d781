using Grpc.AspNetCore.Server;

namespace StreamService.Calls;

/// <summary>
/// The section <c>StreamGrpc:Grpc</c>: grpc-dotnet's <see cref="GrpcServiceOptions"/> (message
/// sizes, response compression, detailed errors) plus the gate's <see cref="StreamCallOptions"/>.
/// A key that is neither fails start-up with its name: after the move from the project's own
/// runtime, no setting may be silently ignored.
/// </summary>
internal static class GrpcSettings
{
    public const string SectionName = "StreamGrpc:Grpc";

    /// <summary>Keys of <see cref="GrpcServiceOptions"/> that can be set from configuration.</summary>
    private static readonly string[] GrpcDotnetKeys =
    [
        nameof(GrpcServiceOptions.MaxReceiveMessageSize),
        nameof(GrpcServiceOptions.MaxSendMessageSize),
        nameof(GrpcServiceOptions.EnableDetailedErrors),
        nameof(GrpcServiceOptions.ResponseCompressionAlgorithm),
        nameof(GrpcServiceOptions.ResponseCompressionLevel),
        nameof(GrpcServiceOptions.IgnoreUnknownServices),
    ];

    private static readonly string[] GateKeys = [nameof(StreamCallOptions.StalledConsumerTimeout)];

    /// <summary>Throws when the section holds a key nothing reads.</summary>
    public static void ThrowOnUnknownKeys(IConfiguration configuration)
    {
        foreach (var child in configuration.GetSection(SectionName).GetChildren())
        {
            if (!GrpcDotnetKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase) && !GateKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"{SectionName}:{child.Key} is not a setting. {SectionName} takes {string.Join(", ", GrpcDotnetKeys.Concat(GateKeys))}.");
            }
        }
    }

    /// <summary>Binds grpc-dotnet's options from the section (the binder skips the gate's key).</summary>
    public static void Bind(IConfiguration configuration, GrpcServiceOptions options)
        => configuration.GetSection(SectionName).Bind(options);
}
