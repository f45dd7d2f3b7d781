using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace StreamService.Security;

/// <summary>The authentication schemes of the service. <see cref="Default"/> is a policy scheme
/// that forwards each request to one of the others by what its <c>authorization</c> header holds
/// (<see cref="StreamSchemeSelector"/>).</summary>
internal static class StreamAuthenticationSchemes
{
    /// <summary>The default scheme: forwards to <see cref="Jwt"/>, <see cref="ApiKey"/> or <see cref="Anonymous"/>.</summary>
    public const string Default = "StreamGrpc";

    /// <summary>ASP.NET Core's JwtBearer, named <c>Bearer</c> so that it binds the conventional
    /// <c>Authentication:Schemes:Bearer</c> configuration section.</summary>
    public const string Jwt = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Hashed API keys (<see cref="ApiKeyAuthenticationHandler"/>).</summary>
    public const string ApiKey = "ApiKey";

    /// <summary><see cref="AuthMode.None"/>: every request is the anonymous, all-scopes caller.</summary>
    public const string Anonymous = "Anonymous";
}
