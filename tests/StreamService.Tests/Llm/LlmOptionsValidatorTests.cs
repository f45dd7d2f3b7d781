using Microsoft.Extensions.Options;
using StreamService.Llm;
using Xunit;

namespace StreamService.Tests.Llm;

public class LlmOptionsValidatorTests
{
    [Fact]
    public async Task Options_Defaults_IncludeHonestBuiltinModels()
    {
        await using var host = new LlmTestHost();

        var names = host.Options.Models.Select(m => m.Name).ToArray();

        Assert.Equal(["builtin-echo", "builtin-lorem"], names);
    }

    [Fact]
    public async Task Options_ConfiguredModels_KeepBuiltinsUnlessDisabled()
    {
        var settings = LlmTestHost.OpenAi(new Uri("http://127.0.0.1:1/v1"));
        await using (var host = new LlmTestHost(settings))
        {
            Assert.Equal(["fake-gpt", "builtin-echo", "builtin-lorem"], host.Options.Models.Select(m => m.Name));
        }

        settings["StreamGrpc:Llm:IncludeBuiltinModels"] = "false";
        await using (var host = new LlmTestHost(settings))
        {
            Assert.Equal(["fake-gpt"], host.Options.Models.Select(m => m.Name));
        }
    }

    [Theory]
    [InlineData("StreamGrpc:Llm:Models:0:Backend", "builtin", "so callers can tell")] // named fake-gpt but built-in
    [InlineData("StreamGrpc:Llm:Models:0:BaseUrl", "not a url", "BaseUrl")]
    [InlineData("StreamGrpc:Llm:Models:0:BaseUrl", "ftp://127.0.0.1/v1", "BaseUrl")]
    [InlineData("StreamGrpc:Llm:Models:0:ApiKeyEnvironmentVariable", "STREAMGRPC_TEST_SURELY_UNSET_VARIABLE", "is not set")]
    [InlineData("StreamGrpc:Llm:Models:0:Fallbacks:0", "nowhere", "falls back")]
    [InlineData("StreamGrpc:Llm:Models:0:Fallbacks:0", "fake-gpt", "falls back")]
    [InlineData("StreamGrpc:Llm:Models:0:MaxTokensParameter", "tokens", "MaxTokensParameter")]
    [InlineData("StreamGrpc:Llm:Models:0:IdleTimeout", "00:00:00", "IdleTimeout")]
    [InlineData("StreamGrpc:Llm:Models:1:Name", "fake-gpt", "used twice")]
    [InlineData("StreamGrpc:Llm:DefaultMaxTokens", "40000", "DefaultMaxTokens")]
    [InlineData("StreamGrpc:Llm:IncludeBuiltinModels", "false", null)]
    public async Task Options_Invalid_FailWithMessageNamingTheKnob(string key, string value, string? expected)
    {
        var settings = LlmTestHost.OpenAi(new Uri("http://127.0.0.1:1/v1"));
        settings[key] = value;
        if (key.Contains(":1:"))
        {
            settings["StreamGrpc:Llm:Models:1:Backend"] = "openai";
            settings["StreamGrpc:Llm:Models:1:BaseUrl"] = "http://127.0.0.1:2/v1";
        }

        await using var host = new LlmTestHost(settings);

        if (expected is null)
        {
            Assert.NotEmpty(host.Options.Models);
            return;
        }

        var error = Assert.Throws<OptionsValidationException>(() => host.Options);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Validate_KeyFromSetEnvironmentVariable_Succeeds()
    {
        var options = new LlmOptions
        {
            Models = [new LlmModelOptions { Name = "m", Backend = LlmBackendKind.OpenAi, BaseUrl = "http://127.0.0.1:1/v1", ApiKeyEnvironmentVariable = "KEY" }],
        };

        var result = new LlmOptionsValidator(name => name == "KEY" ? "sk-x" : null).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
