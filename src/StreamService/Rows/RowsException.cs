using Grpc.Core;

namespace StreamService.Rows;

/// <summary>A failure of a row stream that the caller should see with <see cref="Code"/> and
/// <see cref="Exception.Message"/>. Messages are written for the caller: they name the dataset,
/// column or field at fault and never contain SQL, table names or database messages.</summary>
internal sealed class RowsException : Exception
{
    public RowsException(StatusCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public StatusCode Code { get; }

    public static RowsException InvalidArgument(string message) => new(StatusCode.InvalidArgument, message);
}
