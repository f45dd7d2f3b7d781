using System.Net;
using System.Text.Json.Nodes;
using Google.Api;
using Google.Protobuf.Reflection;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Http;

/// <summary>Every public RPC has an HTTP route, and the served OpenAPI document lists every route.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly ServiceDescriptor[] PublicServices =
    [
        RowsService.Descriptor, FileLines.Descriptor, JobsService.Descriptor, LlmService.Descriptor, ServerInfo.Descriptor,
    ];

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var method in PublicServices.SelectMany(s => s.Methods))
        {
            data.Add(method.FullName);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void PublicMethod_HasAGoogleApiHttpRoute(string method)
    {
        var descriptor = PublicServices.SelectMany(s => s.Methods).Single(m => m.FullName == method);

        var rule = descriptor.GetOptions()?.GetExtension(AnnotationsExtensions.Http);

        Assert.NotNull(rule);
        Assert.StartsWith("/v1/", Route(rule).Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryRouteWithItsMethod()
    {
        await using var host = await HttpJsonHost.StartAsync(new Dictionary<string, string?>());

        using var response = await host.Http1.GetAsync("/openapi/v1.json").Bounded();
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject();
        var expected = PublicServices.SelectMany(s => s.Methods)
            .SelectMany(m => Rules(m.GetOptions().GetExtension(AnnotationsExtensions.Http)))
            .Select(Route)
            .ToList();
        Assert.Equal(10, expected.Count);
        foreach (var (verb, path) in expected)
        {
            // The document names path parameters by their JSON names ({job_id} -> {jobId}).
            var documented = paths.Select(p => p.Key).SingleOrDefault(p => Normalise(p) == Normalise(path));
            Assert.True(documented is not null, $"{verb} {path} is not in the document; it has {string.Join(", ", paths.Select(p => p.Key))}");
            Assert.True(paths[documented]!.AsObject().ContainsKey(verb), $"{documented} has no {verb} operation");
        }
    }

    private static IEnumerable<HttpRule> Rules(HttpRule rule) => rule.AdditionalBindings.Prepend(rule);

    private static (string Verb, string Path) Route(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("get", rule.Get),
        HttpRule.PatternOneofCase.Post => ("post", rule.Post),
        HttpRule.PatternOneofCase.Put => ("put", rule.Put),
        HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
        HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
        _ => throw new InvalidOperationException($"unexpected rule {rule}"),
    };

    private static string Normalise(string path) => path.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
