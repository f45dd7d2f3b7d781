using Microsoft.Extensions.Options;

namespace StreamService.Llm;

/// <summary>Adds the built-in models after binding, so the defaults survive any configuration that
/// lists other models (binding a list appends, it cannot express "these plus the defaults").</summary>
internal sealed class LlmOptionsSetup : IPostConfigureOptions<LlmOptions>
{
    public void PostConfigure(string? name, LlmOptions options)
    {
        if (!options.IncludeBuiltinModels)
        {
            return;
        }

        foreach (var builtin in LlmOptions.BuiltinModels())
        {
            if (!options.Models.Exists(m => string.Equals(m.Name, builtin.Name, StringComparison.Ordinal)))
            {
                options.Models.Add(builtin);
            }
        }
    }
}
