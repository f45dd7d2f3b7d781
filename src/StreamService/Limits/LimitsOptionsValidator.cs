using Microsoft.Extensions.Options;

namespace StreamService.Limits;

/// <summary>Start-up checks of <see cref="LimitsOptions"/> (Kestrel's own ranges included, so a bad
/// value fails with the setting's name rather than deep inside Kestrel).</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions o)
    {
        var failures = new List<string>();
        Check(o.MaxConcurrentStreams >= 0, "MaxConcurrentStreams must be >= 0");
        Check(o.MaxConcurrentStreamsPerCaller >= 0, "MaxConcurrentStreamsPerCaller must be >= 0");
        Check(o.CallsPerSecondPerCaller >= 0, "CallsPerSecondPerCaller must be >= 0");
        Check(o.CallsPerSecondPerCaller == 0 || o.CallBurstPerCaller >= 1, "CallBurstPerCaller must be >= 1");
        Check(o.Http2MaxStreamsPerConnection >= 1, "Http2MaxStreamsPerConnection must be >= 1");
        Check(o.Http2InitialConnectionWindowSize is >= 65_535 and <= int.MaxValue, "Http2InitialConnectionWindowSize must be >= 65535");
        Check(o.Http2InitialStreamWindowSize is >= 65_535 and <= int.MaxValue, "Http2InitialStreamWindowSize must be >= 65535");
        Check(o.Http2InitialConnectionWindowSize >= o.Http2InitialStreamWindowSize, "Http2InitialConnectionWindowSize must be >= Http2InitialStreamWindowSize");
        Check(o.KeepAlivePingDelay is null || o.KeepAlivePingDelay >= TimeSpan.FromSeconds(1), "KeepAlivePingDelay must be >= 1 s (or null to disable)");
        Check(o.KeepAlivePingTimeout > TimeSpan.Zero, "KeepAlivePingTimeout must be > 0");
        Check(o.MaxConcurrentConnections is null or > 0, "MaxConcurrentConnections must be > 0 (or null)");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add("StreamGrpc:Limits:" + message + ".");
            }
        }
    }
}
