using StreamGrpc.V1;

namespace StreamService.Security;

/// <summary>
/// What a call asks to stream, the resource of its authorization: the kind of its service
/// (<c>rows</c>, <c>files</c>, <c>llm</c>, <c>jobs</c>) and, for kinds with named resources, the
/// dataset, file root or model its request message names. Known only once grpc-dotnet has parsed
/// the request, which is why the gate authorizes per call (resource-based authorization) rather
/// than per endpoint. A request without a name (a client stream, a job call, a future method)
/// stands for the whole kind: only <c>kind</c> or <c>*</c> scopes cover it, never <c>kind:name</c>.
/// </summary>
internal sealed record StreamResource(string Kind, string? Name)
{
    public static StreamResource Of(string kind, object? request) => new(kind, request switch
    {
        StreamRowsRequest rows => rows.Dataset,
        StreamLinesRequest lines => lines.Root,
        CompletionRequest completion => completion.Model,
        _ => null,
    });

    /// <summary>The scope that names exactly this resource, e.g. <c>rows:orders</c>.</summary>
    public override string ToString() => Name is null ? Kind : Kind + ":" + Name;
}
