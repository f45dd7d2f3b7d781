using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Files.Stages;

namespace StreamService.Files;

/// <summary>Validates a <see cref="StreamLinesRequest"/> into a <see cref="FileLinesQuery"/>. Every
/// check that does not need the file system happens here, before any file is opened.</summary>
internal sealed class FileLinesRequestParser(IOptions<FilesOptions> options)
{
    public FileLinesQuery Parse(StreamLinesRequest request)
    {
        if (string.IsNullOrEmpty(request.Root))
        {
            throw Invalid("A root is required.");
        }

        var start = request.StartCase switch
        {
            StreamLinesRequest.StartOneofCase.StartLine => request.StartLine >= 0
                ? new FileStart(request.StartLine, 0, 0)
                : throw Invalid("start_line must not be negative."),
            StreamLinesRequest.StartOneofCase.StartPosition => request.StartPosition switch
            {
                { Offset: < 0 } => throw Invalid("start_position.offset must not be negative."),
                { LineNumber: < 0 } => throw Invalid("start_position.line_number must not be negative."),
                var p => new FileStart(0, p.Offset, p.LineNumber),
            },
            _ => FileStart.Beginning,
        };

        var pipeline = LinePipelineBuilder.Build(request.Filters, request.MaxLines, options.Value);
        return new FileLinesQuery(request.Root, request.Path, start, request.Follow, pipeline);
    }

    private static FileLinesException Invalid(string message) => new(FileLinesError.InvalidArgument, message);
}
