using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Http;

/// <summary>The HTTP/JSON routes pass the same call gate as gRPC: bearer API keys and JWTs, scopes,
/// the per-caller stream limit; refusals are HTTP statuses with the gRPC status in the body.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HttpJsonGateTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string AllKey = "all-key-0123456789abcdef";
    private const string FilesKey = "files-key-0123456789abcdef";
    private const string RowsKey = "rows-key-0123456789abcdef";
    private const string Issuer = "https://issuer.test";
    private static readonly byte[] JwtKey = "http-json-gate-tests-jwt-signing-key-0123456789"u8.ToArray();

    private HttpJsonHost _host = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        var settings = HardeningSettings.WithKeys(("all", AllKey, ["*"]), ("files-only", FilesKey, ["files:*"]), ("rows-only", RowsKey, ["rows:events"]))
            .With("StreamGrpc:Auth:Jwt:Issuer", Issuer)
            .With("StreamGrpc:Auth:Jwt:Audience", "streamgrpc")
            .With("StreamGrpc:Auth:Jwt:SigningKeys:0", Convert.ToBase64String(JwtKey))
            .With("StreamGrpc:Limits:MaxConcurrentStreamsPerCaller", "1");
        foreach (var (key, value) in RowsHarness.Configuration(postgres.ConnectionString))
        {
            settings[key] = value;
        }

        _host = await HttpJsonHost.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Info_WithoutValidCredentials_401Unauthenticated(string? authorization)
    {
        var (status, body) = await GetAsync("/v1/info", authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal((int)StatusCode.Unauthenticated, body["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Info_BearerApiKey_Answered()
    {
        var (status, body) = await GetAsync("/v1/info", "Bearer " + FilesKey);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("AUTH_MODE_BEARER", body["authMode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rows_BearerJwtWithTheScope_Streams()
    {
        await using var lines = await JsonLines.GetAsync(_host.Http1, "/v1/datasets/events/rows?limit=3", [("Authorization", "Bearer " + Jwt("rows:events"))]);
        var messages = await lines.RestAsync();

        Assert.Equal(HttpStatusCode.OK, lines.Response.StatusCode);
        Assert.Equal(2, messages.Count);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task Rows_KeyWithoutTheScope_403PermissionDenied(string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/datasets/events/rows?limit=3");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FilesKey);
        request.Version = _host.Client(version).DefaultRequestVersion;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var response = await _host.Client(version).SendAsync(request).Bounded();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal((int)StatusCode.PermissionDenied, body["code"]!.GetValue<int>());
        Assert.Contains("rows:events", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_SecondStreamOverTheCallersLimit_429ResourceExhausted()
    {
        // One stream per caller: the first holds its slot while it is open (paced by this reader).
        await using var first = await JsonLines.GetAsync(_host.Http1, "/v1/datasets/events/rows?batch_size=100", [("Authorization", "Bearer " + RowsKey)]);
        Assert.NotNull((await first.NextAsync())!["schema"]);

        var (status, body) = await GetAsync("/v1/datasets/events/rows?limit=1", "Bearer " + RowsKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal((int)StatusCode.ResourceExhausted, body["code"]!.GetValue<int>());
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _host.Http1.SendAsync(request).Bounded();
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static string Jwt(string scopes)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "streamgrpc",
            Claims = new Dictionary<string, object> { ["sub"] = "carol", ["scope"] = scopes },
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(JwtKey), SecurityAlgorithms.HmacSha256),
        });
    }
}
