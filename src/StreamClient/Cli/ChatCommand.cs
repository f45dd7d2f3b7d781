using Spectre.Console;
using System.CommandLine;
using System.Globalization;
using StreamGrpc.V1;

namespace StreamClient.Cli;

/// <summary><c>streamgrpc chat "&lt;prompt&gt;" [--model] [--system]</c>: prints tokens as they arrive, then usage and timing.</summary>
internal static class ChatCommand
{
    public static Command Create(GlobalOptions global)
    {
        var prompt = new Argument<string>("prompt") { Description = "The user message." };
        var model = new Option<string>("--model", "-m") { Description = "Model name as configured on the service.", DefaultValueFactory = _ => "builtin-echo" };
        var system = new Option<string?>("--system", "-s") { Description = "System message." };
        var maxTokens = new Option<uint>("--max-tokens") { Description = "Maximum tokens to generate (0 = service default)." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature." };
        var seed = new Option<long?>("--seed") { Description = "Seed (the built-in backend is deterministic per seed)." };

        var command = new Command("chat", "Stream a chat completion token by token.") { prompt, model, system, maxTokens, temperature, seed };
        command.SetAction((parse, ct) => CliRunner.RunAsync(global, parse, ct, async (client, output, call) =>
        {
            var request = new CompletionRequest { Model = parse.GetValue(model)!, MaxTokens = parse.GetValue(maxTokens), RequestId = Guid.NewGuid().ToString("n") };
            if (parse.GetValue(system) is { } systemText)
            {
                request.Messages.Add(new CompletionMessage { Role = CompletionRole.System, Content = systemText });
            }

            request.Messages.Add(new CompletionMessage { Role = CompletionRole.User, Content = parse.GetValue(prompt)! });
            if (parse.GetValue(temperature) is { } t)
            {
                request.Temperature = t;
            }

            if (parse.GetValue(seed) is { } s)
            {
                request.Seed = s;
            }

            var deltas = 0;
            await foreach (var chunk in client.StreamCompletionAsync(request, call))
            {
                if (chunk.KindCase == CompletionChunk.KindOneofCase.Delta)
                {
                    deltas++;
                    if (output.IsJson)
                    {
                        output.WriteJson(json =>
                        {
                            json.WriteNumber("index", chunk.Delta.Index);
                            json.WriteString("text", chunk.Delta.Text);
                            json.WriteNumber("elapsed_ms", chunk.Delta.Elapsed?.ToTimeSpan().TotalMilliseconds ?? 0);
                        });
                    }
                    else
                    {
                        output.Write(chunk.Delta.Text);
                    }

                    output.Flush();
                    continue;
                }

                var summary = chunk.Summary;
                var ttft = summary.TimeToFirstToken?.ToTimeSpan().TotalMilliseconds ?? 0;

                // A rate needs two tokens to measure between: with fewer, the service's 0 would
                // read as "very slow", so no rate is reported (JSON: null) and the text says why.
                var tokens = summary.Usage is { } usage ? (long)usage.CompletionTokens : deltas;
                var measurable = tokens >= 2;
                if (output.IsJson)
                {
                    output.WriteJson(json =>
                    {
                        json.WriteString("finish_reason", summary.FinishReason.ToString());
                        json.WriteNumber("prompt_tokens", summary.Usage?.PromptTokens ?? 0);
                        json.WriteNumber("completion_tokens", summary.Usage?.CompletionTokens ?? 0);
                        json.WriteNumber("total_tokens", summary.Usage?.TotalTokens ?? 0);
                        json.WriteNumber("time_to_first_token_ms", ttft);
                        if (measurable)
                        {
                            json.WriteNumber("tokens_per_second", summary.TokensPerSecond);
                        }
                        else
                        {
                            json.WriteNull("tokens_per_second");
                        }
                    });
                }
                else
                {
                    output.WriteLine(string.Empty);
                    output.Flush();
                    var rate = measurable
                        ? string.Create(CultureInfo.InvariantCulture, $"{summary.TokensPerSecond:F1} tokens/s")
                        : $"no tokens/s rate: {(tokens == 1 ? "one token" : "no tokens")}, and a rate needs two to measure between";
                    output.Error.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]{summary.FinishReason}; tokens {summary.Usage?.PromptTokens} prompt + {summary.Usage?.CompletionTokens} completion = {summary.Usage?.TotalTokens}; first token {ttft:F1} ms; {rate}[/]");
                }
            }
        }));
        return command;
    }
}
