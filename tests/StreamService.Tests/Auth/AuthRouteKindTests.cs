using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using StreamGrpc.V1;
using StreamService.Tests.Hardening;
using StreamService.Tests.Http;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Auth;

/// <summary>The scope cases of <see cref="AuthScopeTests"/> over the other route kinds: gRPC-Web
/// (HTTP/1.1, Grpc.Net.Client.Web) and HTTP/JSON (transcoded routes, HTTP/1.1). The same rules hold
/// because the call gate authorizes every call, whatever carried it: no credentials are
/// UNAUTHENTICATED (HTTP 401), a dataset, root or model out of scope PERMISSION_DENIED (HTTP 403)
/// before PostgreSQL or the file is touched, an issuer JWT or API key in scope streams.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthRouteKindTests(PostgresFixture postgres)
{
    private const string ReporterKey = "route-tests-reporter-0123456789";
    private const string AdminKey = "route-tests-admin-0123456789";
    private const string SecretTable = "auth_route_secret";

    [Theory]
    [InlineData("grpc-web")]
    [InlineData("http-json")]
    public async Task Call_ScopesOnEveryRouteKind_SameStatusesAndNoSourceTouched(string transport)
    {
        await postgres.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {SecretTable} (id bigint PRIMARY KEY, note text); "
            + $"INSERT INTO {SecretTable} VALUES (1, 'salaries') ON CONFLICT DO NOTHING");
        var key = IssuerKey.Rsa("routes");
        await using var issuer = await AuthTestIssuer.StartAsync(key);
        var applicationName = "auth-route-" + Guid.NewGuid().ToString("N")[..12];
        var settings = issuer.Settings(HardeningSettings.WithKeys(("reporter", ReporterKey, ["rows:events", "files:demo", "llm:builtin-echo"]), ("admin", AdminKey, ["*"])).FastBuiltinModels());
        foreach (var (name, value) in RowsHarness.Configuration(postgres.ConnectionStringFor(applicationName)))
        {
            settings[name] = value;
        }

        settings["StreamGrpc:Rows:Datasets:secret:Table"] = SecretTable;
        settings["StreamGrpc:Rows:Datasets:secret:KeyColumns:0"] = "id";
        var root = settings.FileRoot("private");
        var file = Path.Combine(root, "a.log");
        await File.WriteAllTextAsync(file, "secret line\n");
        var untouched = File.GetLastWriteTimeUtc(file).AddDays(-1);
        File.SetLastAccessTimeUtc(file, untouched);
        await using var host = await HttpJsonHost.StartAsync(settings);
        var calls = new RouteCalls(transport, host);
        var reporterJwt = issuer.Token(key, "rows:events files:demo llm:builtin-echo", subject: "carol");

        // No credentials at all.
        var anonymous = await calls.CompleteAsync("builtin-echo", token: null);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.Status);
        Assert.Contains("missing credentials", anonymous.Detail);

        // Out of scope, by API key and by the issuer's JWT: refused before any source is touched.
        foreach (var (token, caller) in new[] { (ReporterKey, "reporter"), (reporterJwt, "carol") })
        {
            var rows = await calls.RowsAsync("secret", token);
            var lines = await calls.LinesAsync("private", token);
            var model = await calls.CompleteAsync("builtin-lorem", token);

            Assert.Equal((StatusCode.PermissionDenied, $"caller '{caller}' has no scope for 'rows:secret'"), (rows.Status, rows.Detail));
            Assert.Equal((StatusCode.PermissionDenied, $"caller '{caller}' has no scope for 'files:private'"), (lines.Status, lines.Detail));
            Assert.Equal((StatusCode.PermissionDenied, $"caller '{caller}' has no scope for 'llm:builtin-lorem'"), (model.Status, model.Detail));
        }

        Assert.Equal(0, await QueriesOfAsync(applicationName));
        Assert.Equal(untouched, File.GetLastAccessTimeUtc(file));

        // In scope: the JWT streams its model; the all-scopes key reaches the dataset and the file.
        Assert.Equal(StatusCode.OK, (await calls.CompleteAsync("builtin-echo", reporterJwt)).Status);
        var allowedRows = await calls.RowsAsync("secret", AdminKey);
        var allowedLines = await calls.LinesAsync("private", AdminKey);
        Assert.Equal(StatusCode.OK, allowedRows.Status);
        Assert.Contains("salaries", allowedRows.Body);
        Assert.Equal(StatusCode.OK, allowedLines.Status);
        Assert.Contains("secret line", allowedLines.Body);
        Assert.True(await QueriesOfAsync(applicationName) > 0, "the allowed call's query is not in pg_stat_activity");
        Assert.NotEqual(untouched, File.GetLastAccessTimeUtc(file));
    }

    private Task<long> QueriesOfAsync(string applicationName) => postgres.ScalarAsync<long>(
        $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}' AND query LIKE '%{SecretTable}%'");

    /// <summary>One call's outcome: its gRPC status (for HTTP/JSON, the code of the error body,
    /// checked against the HTTP status), its message, and what it delivered as text.</summary>
    private sealed record Outcome(StatusCode Status, string Detail, string Body);

    /// <summary>Rows, lines and completions over one transport.</summary>
    private sealed class RouteCalls(string transport, HttpJsonHost host)
    {
        private readonly GrpcChannel? _web = transport == "grpc-web"
            ? GrpcChannel.ForAddress(host.Http1Address, new GrpcChannelOptions
            {
                HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
                HttpVersion = HttpVersion.Version11,
                HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            })
            : null;

        public Task<Outcome> RowsAsync(string dataset, string token) => _web is { } web
            ? GrpcAsync(token, async headers =>
            {
                using var call = new RowsService.RowsServiceClient(web).StreamRows(new StreamRowsRequest { Dataset = dataset }, headers, cancellationToken: TestTimeout.Token());
                var text = new StringBuilder();
                await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
                {
                    text.Append(message);
                }

                return text.ToString();
            })
            : HttpAsync(HttpMethod.Get, $"/v1/datasets/{dataset}/rows", null, token);

        public Task<Outcome> LinesAsync(string root, string token) => _web is { } web
            ? GrpcAsync(token, async headers =>
            {
                using var call = new FileLines.FileLinesClient(web).StreamLines(new StreamLinesRequest { Root = root, Path = "a.log" }, headers, cancellationToken: TestTimeout.Token());
                var text = new StringBuilder();
                await foreach (var batch in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
                {
                    text.Append(batch);
                }

                return text.ToString();
            })
            : HttpAsync(HttpMethod.Get, $"/v1/roots/{root}/lines?path=a.log", null, token);

        public Task<Outcome> CompleteAsync(string model, string? token) => _web is { } web
            ? GrpcAsync(token, async headers => string.Concat(await LlmCalls.CompleteAsync(web, model, null, headers)))
            : HttpAsync(HttpMethod.Post, "/v1/completions", JsonFormatter.Default.Format(LlmCalls.Request(model)), token);

        private static async Task<Outcome> GrpcAsync(string? token, Func<Metadata, Task<string>> call)
        {
            try
            {
                return new Outcome(StatusCode.OK, "", await call(LlmCalls.Bearer(token)).Bounded());
            }
            catch (RpcException e)
            {
                return new Outcome(e.StatusCode, e.Status.Detail, "");
            }
        }

        private async Task<Outcome> HttpAsync(HttpMethod method, string path, string? json, string? token)
        {
            using var request = new HttpRequestMessage(method, path) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await host.Http1.SendAsync(request, TestTimeout.Token()).Bounded();
            var body = await response.Content.ReadAsStringAsync(TestTimeout.Token()).Bounded();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return new Outcome(StatusCode.OK, "", body);
            }

            var error = JsonNode.Parse(body)!;
            var status = (StatusCode)error["code"]!.GetValue<int>();
            var expectedHttp = status switch
            {
                StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
                StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
                _ => response.StatusCode,
            };
            Assert.Equal(expectedHttp, response.StatusCode);
            return new Outcome(status, error["message"]!.GetValue<string>(), body);
        }
    }
}
