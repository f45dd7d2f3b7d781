using Microsoft.Extensions.Options;

namespace StreamService.Llm;

/// <summary>Checks <c>StreamGrpc:Llm</c> at start-up, so a bad model table stops the service before it
/// serves a call instead of failing the first request routed to it.</summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    internal const string BuiltinPrefix = "builtin-";

    private readonly Func<string, string?> _getEnvironmentVariable;

    public LlmOptionsValidator()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    internal LlmOptionsValidator(Func<string, string?> getEnvironmentVariable)
    {
        _getEnvironmentVariable = getEnvironmentVariable;
    }

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = new List<string>();
        const string Section = LlmOptions.SectionName;

        if (options.MaxTokensLimit is < 1 or > 10_000_000)
        {
            errors.Add($"{Section}:MaxTokensLimit must be between 1 and 10000000.");
        }

        if (options.DefaultMaxTokens < 1 || options.DefaultMaxTokens > options.MaxTokensLimit)
        {
            errors.Add($"{Section}:DefaultMaxTokens must be between 1 and MaxTokensLimit.");
        }

        if (options.MaxMessages < 1)
        {
            errors.Add($"{Section}:MaxMessages must be at least 1.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:ConnectTimeout must be positive.");
        }

        if (options.Models.Count == 0)
        {
            errors.Add($"{Section}:Models is empty and IncludeBuiltinModels is off: no model can be served.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var at = $"{Section}:Models:{i}";
            if (string.IsNullOrWhiteSpace(model.Name))
            {
                errors.Add($"{at}:Name is required.");
                continue;
            }

            at = $"{at} ('{model.Name}')";
            if (!names.Add(model.Name))
            {
                errors.Add($"{at}: the name is used twice.");
            }

            ValidateModel(model, at, options, errors);
        }

        foreach (var model in options.Models)
        {
            foreach (var fallback in model.Fallbacks)
            {
                if (fallback == model.Name || !names.Contains(fallback))
                {
                    errors.Add($"{Section}: model '{model.Name}' falls back to '{fallback}', which is not another configured model.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateModel(LlmModelOptions model, string at, LlmOptions options, List<string> errors)
    {
        if (model.DefaultMaxTokens is { } max && (max < 1 || max > options.MaxTokensLimit))
        {
            errors.Add($"{at}:DefaultMaxTokens must be between 1 and MaxTokensLimit.");
        }

        if (model.RetryAttempts is < 0 or > 10)
        {
            errors.Add($"{at}:RetryAttempts must be between 0 and 10.");
        }

        if (model.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{at}:RetryDelay must not be negative.");
        }

        switch (model.Backend)
        {
            case LlmBackendKind.Builtin:
                // The honesty rule: a caller reading the model name must see it is no real model.
                if (!model.Name.StartsWith(BuiltinPrefix, StringComparison.Ordinal))
                {
                    errors.Add($"{at}: built-in models must be named '{BuiltinPrefix}...' so callers can tell they are not language models.");
                }

                if (!double.IsFinite(model.TokensPerSecond) || model.TokensPerSecond < 0 || model.TokensPerSecond > 1_000_000)
                {
                    errors.Add($"{at}:TokensPerSecond must be between 0 (unpaced) and 1000000.");
                }

                break;

            case LlmBackendKind.OpenAi:
                if (!Uri.TryCreate(model.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"{at}:BaseUrl must be an absolute http or https URL, e.g. https://api.openai.com/v1.");
                }

                if (model.ApiKey is not null && model.ApiKeyEnvironmentVariable is not null)
                {
                    errors.Add($"{at}: set ApiKey or ApiKeyEnvironmentVariable, not both.");
                }

                if (model.ApiKeyEnvironmentVariable is { } variable && string.IsNullOrEmpty(_getEnvironmentVariable(variable)))
                {
                    errors.Add($"{at}:ApiKeyEnvironmentVariable names '{variable}', which is not set.");
                }

                if (model.MaxTokensParameter is not ("max_tokens" or "max_completion_tokens"))
                {
                    errors.Add($"{at}:MaxTokensParameter must be 'max_tokens' or 'max_completion_tokens'.");
                }

                if (model.FirstTokenTimeout <= TimeSpan.Zero || model.IdleTimeout <= TimeSpan.Zero)
                {
                    errors.Add($"{at}: FirstTokenTimeout and IdleTimeout must be positive.");
                }

                break;

            default:
                errors.Add($"{at}:Backend must be 'builtin' or 'openai'.");
                break;
        }
    }
}
