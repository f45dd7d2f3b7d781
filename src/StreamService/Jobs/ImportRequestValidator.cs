using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Files.Stages;

namespace StreamService.Jobs;

/// <summary>Turns a <see cref="StartImportRequest"/> into an <see cref="ImportPlan"/>, or refuses it
/// with the status the caller sees - before the job exists, so bad input never becomes a failed job.
/// Cheap checks first; then the file (through the files feature's sandbox); then the target's
/// catalogue; then, for CSV with a header, the header line.</summary>
internal sealed class ImportRequestValidator(
    ImportTargetCatalog catalog,
    SandboxedPathResolver resolver,
    FileLineSourceFactory files,
    IOptions<FilesOptions> filesOptions,
    IOptions<JobsOptions> options)
{
    public async Task<ImportPlan> ValidateAsync(StartImportRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Root))
        {
            throw JobsException.Invalid("A root is required.");
        }

        if (request.Format is not (ImportFormat.Csv or ImportFormat.Ndjson))
        {
            throw JobsException.Invalid("format must be IMPORT_FORMAT_CSV or IMPORT_FORMAT_NDJSON.");
        }

        if (string.IsNullOrEmpty(request.Table))
        {
            throw JobsException.Invalid("A target table is required.");
        }

        var dialect = request.Format == ImportFormat.Csv ? ParseDialect(request.Csv) : CsvDialect.Default;
        var maxRejects = ParseMaxRejects(request);
        var pipeline = LinePipelineBuilder.Build(request.Filters, 0, filesOptions.Value);

        var file = resolver.Resolve(request.Root, request.Path);
        var totalBytes = file.IsGzip ? 0 : new FileInfo(file.RealPath).Length;

        var target = await catalog.GetAsync(request.Table, cancellationToken);
        var header = dialect.Header ? await ReadHeaderAsync(request.Root, file.RelativePath, dialect, cancellationToken) : null;
        var bindings = request.Format == ImportFormat.Csv
            ? CsvBindings(request, target, header)
            : NdjsonBindings(request, target);

        if (bindings.Count == 0)
        {
            throw JobsException.Invalid("The mapping imports no column.");
        }

        foreach (var column in target.Columns)
        {
            if (column.NotNull && !column.HasDefault && bindings.All(b => b.Column != column))
            {
                throw JobsException.Invalid($"Column '{column.Name}' is NOT NULL without a default, so it must be imported.");
            }
        }

        return new ImportPlan(request, request.Root, file.RelativePath, request.Format, target, bindings, dialect,
            header?.Count ?? 0, pipeline, maxRejects, totalBytes);
    }

    private CsvDialect ParseDialect(ImportCsvOptions? csv)
    {
        csv ??= new ImportCsvOptions();
        var delimiter = OneChar(csv.Delimiter, ',', "csv.delimiter");
        var quote = OneChar(csv.Quote, '"', "csv.quote");
        if (delimiter == quote)
        {
            throw JobsException.Invalid("csv.delimiter and csv.quote must differ.");
        }

        if (csv.NullText.Length > 64 || csv.NullText.Contains(delimiter) || csv.NullText.Contains(quote))
        {
            throw JobsException.Invalid("csv.null_text must be at most 64 characters, without the delimiter or quote.");
        }

        return new CsvDialect(delimiter, quote, csv.NullText, csv.Header);

        static char OneChar(string value, char fallback, string name) => value.Length switch
        {
            0 => fallback,
            1 when value[0] is not ('\n' or '\r') => value[0],
            _ => throw JobsException.Invalid($"{name} must be one character other than a line break."),
        };
    }

    private long ParseMaxRejects(StartImportRequest request)
    {
        if (!request.HasMaxRejects)
        {
            return options.Value.DefaultMaxRejects;
        }

        if (request.MaxRejects < 0 || request.MaxRejects > options.Value.MaxRejectsLimit)
        {
            throw JobsException.Invalid($"max_rejects must be between 0 and {options.Value.MaxRejectsLimit}.");
        }

        return request.MaxRejects;
    }

    private async Task<List<string>> ReadHeaderAsync(string root, string path, CsvDialect dialect, CancellationToken cancellationToken)
    {
        await using var source = await files.OpenAsync(root, path, FileStart.Beginning, follow: false, cancellationToken);
        await foreach (var record in CsvRecordJoiner.JoinAsync(source.ReadAsync(cancellationToken), dialect, options.Value.MaxRecordChars, cancellationToken))
        {
            if (!record.IsLine)
            {
                continue;
            }

            var parser = new CsvRecordParser(dialect);
            if (parser.Parse(record.Text) is { } error)
            {
                throw JobsException.Invalid($"The header line is malformed: {error}.");
            }

            var fields = new List<string>(parser.Count);
            for (var i = 0; i < parser.Count; i++)
            {
                fields.Add(parser[i].ToString());
            }

            return fields;
        }

        throw JobsException.Invalid("The file is empty; csv.header expects a header line.");
    }

    private static List<ImportBinding> CsvBindings(StartImportRequest request, ImportTarget target, List<string>? header)
    {
        var bindings = new List<ImportBinding>();
        if (request.Columns.Count == 0)
        {
            if (header is not null)
            {
                for (var i = 0; i < header.Count; i++)
                {
                    var column = target.Find(header[i]) ?? throw JobsException.Invalid(
                        $"Header field '{ImportTargetCatalog.Printable(header[i])}' is not a column of '{target.Name}'; map the columns explicitly.");
                    bindings.Add(new ImportBinding(Supported(column), i, column.Name));
                }
            }
            else
            {
                for (var i = 0; i < target.Columns.Count; i++)
                {
                    bindings.Add(new ImportBinding(Supported(target.Columns[i]), i, target.Columns[i].Name));
                }
            }

            return NoDuplicates(bindings);
        }

        foreach (var mapping in request.Columns)
        {
            var column = Supported(Column(target, mapping.Column));
            int index;
            switch (mapping.SourceCase)
            {
                case ImportColumnMapping.SourceOneofCase.Index:
                    if (mapping.Index < 1 || (header is not null && mapping.Index > header.Count))
                    {
                        throw JobsException.Invalid($"Column '{column.Name}': index {mapping.Index} is not a field position (1..{(header is null ? "n" : header.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))}).");
                    }

                    index = mapping.Index - 1;
                    break;
                default:
                    var field = mapping.SourceCase == ImportColumnMapping.SourceOneofCase.Field ? mapping.Field : column.Name;
                    if (header is null)
                    {
                        throw JobsException.Invalid($"Column '{column.Name}': the file has no header (csv.header), so map it by index.");
                    }

                    index = header.IndexOf(field);
                    if (index < 0)
                    {
                        throw JobsException.Invalid($"Column '{column.Name}': field '{ImportTargetCatalog.Printable(field)}' is not in the header.");
                    }

                    break;
            }

            bindings.Add(new ImportBinding(column, index, ""));
        }

        return NoDuplicates(bindings);
    }

    private static List<ImportBinding> NdjsonBindings(StartImportRequest request, ImportTarget target)
    {
        if (request.Columns.Count == 0)
        {
            // Every importable column from the property of the same name; others keep their default.
            return target.Columns.Where(c => ImportColumnWriters.Unsupported(c) is null)
                .Select(c => new ImportBinding(c, -1, c.Name))
                .ToList();
        }

        var bindings = new List<ImportBinding>();
        foreach (var mapping in request.Columns)
        {
            var column = Supported(Column(target, mapping.Column));
            if (mapping.SourceCase == ImportColumnMapping.SourceOneofCase.Index)
            {
                throw JobsException.Invalid($"Column '{column.Name}': NDJSON values are mapped by field (property name), not index.");
            }

            var property = mapping.SourceCase == ImportColumnMapping.SourceOneofCase.Field ? mapping.Field : column.Name;
            if (string.IsNullOrEmpty(property))
            {
                throw JobsException.Invalid($"Column '{column.Name}': the field name must not be empty.");
            }

            bindings.Add(new ImportBinding(column, -1, property));
        }

        return NoDuplicates(bindings);
    }

    private static ImportTargetColumn Column(ImportTarget target, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw JobsException.Invalid("Every column mapping needs a column name.");
        }

        return target.Find(name)
            ?? throw JobsException.Invalid($"Column '{ImportTargetCatalog.Printable(name)}' does not exist in import target '{target.Name}'.");
    }

    private static ImportTargetColumn Supported(ImportTargetColumn column) =>
        ImportColumnWriters.Unsupported(column) is { } reason ? throw JobsException.Invalid(char.ToUpperInvariant(reason[0]) + reason[1..] + ".") : column;

    private static List<ImportBinding> NoDuplicates(List<ImportBinding> bindings)
    {
        var duplicate = bindings.GroupBy(b => b.Column.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? bindings : throw JobsException.Invalid($"Column '{duplicate.Key}' is mapped more than once.");
    }
}
