using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using StreamService.Tests.Infrastructure;
using StreamService.Web;

namespace StreamService.Tests.Web;

/// <summary>StreamGrpc:Web and StreamGrpc:StatusPage: start-up validation of the CORS origins, gRPC-Web
/// on and off, and the status page on and off (over h2c here; the browser tests use HTTP/1.1).</summary>
public sealed class WebSettingsTests
{
    [Theory]
    [InlineData("http://localhost:8080", true)]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://app.example.com:8443", true)]
    [InlineData("https://app.example.com/", false)]
    [InlineData("https://app.example.com/page", false)]
    [InlineData("*", false)]
    [InlineData("https://*.example.com", false)]
    [InlineData("ftp://files.example.com", false)]
    [InlineData("app.example.com", false)]
    [InlineData("", false)]
    public void IsOrigin_Value_AcceptsOnlySchemeHostAndPort(string value, bool expected)
    {
        Assert.Equal(expected, WebOptionsValidator.IsOrigin(value));
    }

    [Fact]
    public async Task Start_AllowedOriginWithPath_StopsStartUpNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StreamServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["StreamGrpc:Web:AllowedOrigins:0"] = "https://app.example.com/",
        }));

        Assert.Contains("StreamGrpc:Web:AllowedOrigins:0", error.Message);
    }

    [Fact]
    public async Task GrpcWebCall_Default_AnsweredWithTheGrpcWebContentType()
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var client = H2cClient();

        using var response = await client.SendAsync(HealthCheckOverGrpcWeb(host)).Bounded();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc-web", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync().Bounded();
        // A message frame (flags 0x00) with HealthCheckResponse { status = SERVING }, then a trailers frame (0x80).
        Assert.Equal(new byte[] { 0, 0, 0, 0, 2, 0x08, 0x01, 0x80 }, body[..8]);
        Assert.Contains("grpc-status:0", System.Text.Encoding.ASCII.GetString(body[12..]).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GrpcWebCall_Disabled_RefusedAsAnUnsupportedContentType()
    {
        await using var host = await StreamServiceHost.StartAsync(new Dictionary<string, string?> { ["StreamGrpc:Web:Enabled"] = "false" });
        using var client = H2cClient();

        using var response = await client.SendAsync(HealthCheckOverGrpcWeb(host)).Bounded();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task GrpcWebCall_BearerMode_PassesTheCallGateLikeGrpc()
    {
        const string key = "web-test-key-0123456789";
        await using var host = await StreamServiceHost.StartAsync(Hardening.HardeningSettings.WithKeys(("web", key, ["llm"])));
        using var client = H2cClient();

        using var anonymous = await client.SendAsync(HealthCheckOverGrpcWeb(host)).Bounded();
        var withToken = HealthCheckOverGrpcWeb(host);
        withToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var authenticated = await client.SendAsync(withToken).Bounded();

        // Refused by the gate before any handler: a Trailers-Only answer, the status in the headers.
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal("16", anonymous.Headers.GetValues("grpc-status").Single());
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
        Assert.False(authenticated.Headers.Contains("grpc-status"), "the authenticated call was refused");
        var body = await authenticated.Content.ReadAsByteArrayAsync().Bounded();
        Assert.Equal(new byte[] { 0, 0, 0, 0, 2, 0x08, 0x01 }, body[..7]);
    }

    [Fact]
    public async Task StatusPage_Default_ServedAtRootWithItsScriptAndAStrictPolicy()
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var client = H2cClient();

        using var page = await client.GetAsync(new Uri(host.Address, "/")).Bounded();
        using var script = await client.GetAsync(new Uri(host.Address, "/status/status.js")).Bounded();
        using var style = await client.GetAsync(new Uri(host.Address, "/status/status.css")).Bounded();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/status/status.js", await page.Content.ReadAsStringAsync().Bounded());
        Assert.Contains("connect-src 'self'", string.Join(' ', page.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/v1/jobs", await script.Content.ReadAsStringAsync().Bounded());
        Assert.Equal(HttpStatusCode.OK, style.StatusCode);
    }

    [Fact]
    public async Task StatusPage_Disabled_NotServed()
    {
        await using var host = await StreamServiceHost.StartAsync(new Dictionary<string, string?> { ["StreamGrpc:StatusPage:Enabled"] = "false" });
        using var client = H2cClient();

        using var page = await client.GetAsync(new Uri(host.Address, "/")).Bounded();
        using var script = await client.GetAsync(new Uri(host.Address, "/status/status.js")).Bounded();

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
    }

    private static HttpClient H2cClient() => new()
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TestTimeout.Default,
    };

    private static HttpRequestMessage HealthCheckOverGrpcWeb(StreamServiceHost host)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Address, "/grpc.health.v1.Health/Check"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web");
        return request;
    }
}
