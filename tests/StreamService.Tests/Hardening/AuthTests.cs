using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Security;
using StreamService.Tests.Infrastructure;
using AuthMode = StreamService.Security.AuthMode;

namespace StreamService.Tests.Hardening;

/// <summary>Item 1: bearer API keys and JWTs with scopes, over real Kestrel.</summary>
public sealed class AuthTests
{
    private const string EchoKey = "key-echo-0123456789";
    private const string AllKey = "key-all-0123456789";
    private const string Issuer = "https://issuer.test";
    private static readonly byte[] JwtKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static Dictionary<string, string?> Settings() => HardeningSettings
        .WithKeys(("echo-only", EchoKey, ["llm:builtin-echo", "files:demo"]), ("everything", AllKey, ["*"]))
        .FastBuiltinModels()
        .With("StreamGrpc:Auth:Jwt:Issuer", Issuer)
        .With("StreamGrpc:Auth:Jwt:Audience", "streamgrpc")
        .With("StreamGrpc:Auth:Jwt:SigningKeys:0", Convert.ToBase64String(JwtKey));

    [Fact]
    public async Task Call_NoCredentials_UnauthenticatedTrailersOnlyAndNoHandlerRuns()
    {
        var logs = new CapturedLogs();
        await using var host = await HardenedHost.StartAsync(Settings(), logs);

        // Raw HTTP/2 so the response's shape is visible: grpc-status in the headers, no body.
        var result = await RawGrpc.CallAsync(host.Address, "/streamgrpc.v1.LlmService/StreamCompletion", Google.Protobuf.MessageExtensions.ToByteArray(LlmCalls.Request("builtin-echo")));

        Assert.Equal(16, result.Status);
        Assert.True(result.TrailersOnly);
        Assert.Equal(0, result.BodyBytes);
        Assert.DoesNotContain(logs.Entries, e => e.Category.StartsWith("StreamService.Llm", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("key-echo-012345678")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")]
    public async Task Call_BadToken_Unauthenticated(string token)
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var channel = host.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", token).Bounded());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task Call_ApiKeyInScope_StreamsThroughStreamClient()
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = host.Address, BearerToken = EchoKey });

        var chunks = new List<CompletionChunk>();
        await foreach (var chunk in client.StreamCompletionAsync(LlmCalls.Request("builtin-echo"), new StreamCallOptions { CancellationToken = TestTimeout.Token() }))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(CompletionChunk.KindOneofCase.Summary, chunks[^1].KindCase);
        Assert.True(chunks.Count > 1);
    }

    [Fact]
    public async Task Call_ApiKeyOutOfScope_PermissionDenied()
    {
        var settings = Settings();
        var root = settings.FileRoot("private");
        await File.WriteAllTextAsync(Path.Combine(root, "a.log"), "secret\n");
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();

        var model = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-lorem", EchoKey).Bounded());
        var files = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new FileLines.FileLinesClient(channel).StreamLines(new StreamLinesRequest { Root = "private", Path = "a.log" }, LlmCalls.Bearer(EchoKey), cancellationToken: TestTimeout.Token());
            await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded();
        });

        Assert.Equal(StatusCode.PermissionDenied, model.StatusCode);
        Assert.Contains("llm:builtin-lorem", model.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, files.StatusCode);

        // The all-scopes key reaches both.
        Assert.NotEmpty(await LlmCalls.CompleteAsync(channel, "builtin-lorem", AllKey).Bounded());
    }

    [Fact]
    public async Task Call_ValidJwtWithScope_Streams()
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var channel = host.CreateChannel();

        var chunks = await LlmCalls.CompleteAsync(channel, "builtin-echo", Jwt("llm:builtin-*")).Bounded();

        Assert.Equal(CompletionChunk.KindOneofCase.Summary, chunks[^1].KindCase);
    }

    [Fact]
    public async Task Call_JwtOutOfScope_PermissionDenied()
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var channel = host.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", Jwt("rows:events files:demo")).Bounded());

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("'alice'", ex.Status.Detail);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("issuer")]
    [InlineData("audience")]
    [InlineData("key")]
    public async Task Call_InvalidJwt_Unauthenticated(string defect)
    {
        await using var host = await HardenedHost.StartAsync(Settings());
        using var channel = host.CreateChannel();
        var token = defect switch
        {
            "expired" => Jwt("*", expires: DateTime.UtcNow.AddMinutes(-10)),
            "issuer" => Jwt("*", issuer: "https://other.test"),
            "audience" => Jwt("*", audience: "other"),
            _ => Jwt("*", key: Enumerable.Repeat((byte)7, 32).ToArray()),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => LlmCalls.CompleteAsync(channel, "builtin-echo", token).Bounded());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        if (defect == "expired")
        {
            Assert.Contains("expired", ex.Status.Detail);
        }
    }

    [Theory]
    [InlineData(false, null, StatusCode.Unauthenticated)]
    [InlineData(false, AllKey, StatusCode.OK)]
    [InlineData(true, null, StatusCode.OK)]
    public async Task Health_Configurable(bool allowAnonymous, string? token, StatusCode expected)
    {
        await using var host = await HardenedHost.StartAsync(Settings().With("StreamGrpc:Auth:AllowAnonymousHealth", allowAnonymous.ToString()));
        using var channel = host.CreateChannel();
        var headers = token is null ? null : LlmCalls.Bearer(token);

        var status = StatusCode.OK;
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), headers).ResponseAsync.Bounded();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
        }

        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData(false, null, StatusCode.Unauthenticated)]
    [InlineData(false, AllKey, StatusCode.OK)]
    [InlineData(true, null, StatusCode.OK)]
    public async Task Reflection_Configurable(bool allowAnonymous, string? token, StatusCode expected)
    {
        await using var host = await HardenedHost.StartAsync(Settings().With("StreamGrpc:Auth:AllowAnonymousReflection", allowAnonymous.ToString()));
        using var channel = host.CreateChannel();

        // ServerReflectionRequest { list_services = "" }: field 7, length-delimited, empty.
        var result = await RawGrpc.CallAsync(host.Address, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", [0x3A, 0x00], token);
        var status = (StatusCode)result.Status;

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task Start_BearerWithoutCredentials_FailsNamingTheSetting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => HardenedHost.StartAsync(new Dictionary<string, string?>()));

        Assert.Contains("StreamGrpc:Auth:Mode=None", ex.Message);
    }

    [Theory]
    [InlineData("Development", "None")]
    [InlineData("Production", "Bearer")]
    public async Task Start_ModeNotConfigured_NoneOnlyInDevelopment(string environment, string expectedMode)
    {
        var expected = Enum.Parse<AuthMode>(expectedMode);
        var logs = new CapturedLogs();
        var settings = HardeningSettings.WithKeys(("k", EchoKey, ["*"]));
        settings.Remove("StreamGrpc:Auth:Mode");
        await using var host = await HardenedHost.StartAsync(settings, logs, environment);

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode);
        Assert.Equal(expected == AuthMode.None, logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("AUTHENTICATION IS OFF")));
    }

    [Theory]
    [InlineData("*", "rows", "events", true)]
    [InlineData("rows", "rows", "events", true)]
    [InlineData("rows:*", "rows", "events", true)]
    [InlineData("rows:events", "rows", "events", true)]
    [InlineData("rows:events", "rows", "events2", false)]
    [InlineData("rows:ev*", "rows", "events", true)]
    [InlineData("rows:events", "files", "events", false)]
    [InlineData("rowsx:events", "rows", "events", false)]
    [InlineData("jobs", "jobs", null, true)]
    [InlineData("jobs:build", "jobs", null, false)]
    [InlineData("llm:builtin-echo", "llm", "builtin-echo", true)]
    public void Scopes_Allows_MatchesKindAndName(string scope, string kind, string? resource, bool expected)
        => Assert.Equal(expected, new StreamScopes([scope]).Allows(kind, resource));

    private static string Jwt(string scopes, DateTime? expires = null, string issuer = Issuer, string audience = "streamgrpc", byte[]? key = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = "alice", ["scope"] = scopes },
            IssuedAt = (expires ?? now.AddMinutes(5)).AddMinutes(-20),
            NotBefore = (expires ?? now.AddMinutes(5)).AddMinutes(-20),
            Expires = expires ?? now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? JwtKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
