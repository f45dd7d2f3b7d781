using System.Reflection;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Jobs;
using StreamService.Llm;
using StreamService.Rows;
using StreamService.Security;
using AuthMode = StreamService.Security.AuthMode;

namespace StreamService.Info;

/// <summary>The ServerInfo gRPC service: what this instance serves, read from the validated
/// options of each feature. Dataset columns come from the catalogue (as a stream's schema would
/// list them); when the database cannot be reached the answer still comes, with the configured
/// columns, so a status page can show an instance whose database is down. It lists only the
/// datasets, file roots and models the caller has a scope for, so the call needs no scope of its
/// own and tells a narrowly scoped caller nothing about what it may not stream.</summary>
internal sealed partial class ServerInfoService(
    JobsInstance instance,
    IOptions<RowsOptions> rows,
    DatasetCatalog catalog,
    FileRoots roots,
    IOptions<LlmOptions> llm,
    IOptions<AuthOptions> auth,
    ILogger<ServerInfoService> logger) : ServerInfo.ServerInfoBase
{
    private static readonly string Version =
        typeof(ServerInfoService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ServerInfoService).Assembly.GetName().Version?.ToString()
        ?? "";

    public override async Task<GetInfoResponse> GetInfo(GetInfoRequest request, ServerCallContext context)
    {
        var response = new GetInfoResponse
        {
            InstanceId = instance.Id,
            Version = Version,
            AuthMode = auth.Value.EffectiveMode == AuthMode.None ? StreamGrpc.V1.AuthMode.None : StreamGrpc.V1.AuthMode.Bearer,
        };

        // Null for a handler invoked in-process (no gate, no caller): feature tests see everything.
        var scopes = Calls.StreamCall.Of(context)?.Principal?.Scopes ?? StreamScopes.All;
        foreach (var (name, dataset) in rows.Value.Datasets.Where(d => scopes.Allows("rows", d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            response.Datasets.Add(await DescribeAsync(name, dataset, context.CancellationToken));
        }

        foreach (var root in roots.Names.Where(r => scopes.Allows("files", r)).Order(StringComparer.Ordinal))
        {
            response.FileRoots.Add(new FileRootInfo { Name = root });
        }

        foreach (var model in llm.Value.Models.Where(m => scopes.Allows("llm", m.Name)))
        {
            response.Models.Add(new ModelInfo
            {
                Name = model.Name,
                Backend = model.Backend == LlmBackendKind.Builtin ? ModelBackend.Builtin : ModelBackend.Openai,
            });
        }

        return response;
    }

    private async Task<DatasetInfo> DescribeAsync(string name, RowsDatasetOptions dataset, CancellationToken cancellationToken)
    {
        try
        {
            var schema = await catalog.GetAsync(name, cancellationToken);
            return new DatasetInfo
            {
                Name = name,
                Columns = { schema.Columns.Select(c => c.Name) },
                KeyColumns = { schema.KeyColumns.Select(c => c.Name) },
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The database is down or does not match the configuration: health says which; the
            // info still names the dataset.
            LogCatalogUnavailable(name, e.GetType().Name);
            return new DatasetInfo
            {
                Name = name,
                Columns = { dataset.Columns },
                KeyColumns = { dataset.KeyColumns },
                ColumnsFromConfiguration = true,
            };
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Server info: the catalogue of dataset {Dataset} is unavailable ({Error}); configured columns reported")]
    private partial void LogCatalogUnavailable(string dataset, string error);
}
