namespace StreamClient;

/// <summary>How a <see cref="StreamGrpcClient"/> reaches the service.</summary>
public sealed class StreamGrpcClientOptions
{
    /// <summary>Service address: <c>http://host:port</c> (h2c) or <c>https://host:port</c> (TLS, ALPN h2).</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:5000");

    /// <summary>Bearer token (API key or JWT) sent as <c>authorization: Bearer ...</c> on every call.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Deadline applied to calls that set none; null for no default.</summary>
    public TimeSpan? DefaultDeadline { get; set; }

    /// <summary>Largest message accepted from the service, in bytes.</summary>
    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>PEM file of a CA certificate to trust for https addresses, in addition to the system store.</summary>
    public string? TrustedCaCertificatePath { get; set; }

    /// <summary>Accept any server certificate (development only: disables TLS authentication).</summary>
    public bool DangerousAcceptAnyServerCertificate { get; set; }

    /// <summary>How streams resume after transient failures.</summary>
    public ResumePolicy Resume { get; set; } = new();
}
