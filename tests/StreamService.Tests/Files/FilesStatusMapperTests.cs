using System.Text.RegularExpressions;
using Grpc.Core;
using StreamService.Files;

namespace StreamService.Tests.Files;

public sealed class FilesStatusMapperTests
{
    [Theory]
    [InlineData((int)FileLinesError.InvalidArgument, StatusCode.InvalidArgument)]
    [InlineData((int)FileLinesError.PermissionDenied, StatusCode.PermissionDenied)]
    [InlineData((int)FileLinesError.NotFound, StatusCode.NotFound)]
    [InlineData((int)FileLinesError.OutOfRange, StatusCode.OutOfRange)]
    public void ToRpcException_DomainError_MapsCodeAndKeepsMessage(int error, StatusCode expected)
    {
        var rpc = FilesStatusMapper.ToRpcException(new FileLinesException((FileLinesError)error, "message for the caller"));

        Assert.NotNull(rpc);
        Assert.Equal(expected, rpc.StatusCode);
        Assert.Equal("message for the caller", rpc.Status.Detail);
    }

    [Fact]
    public void ToRpcException_IOExceptionWithServerPath_DoesNotLeakPath()
    {
        var rpc = FilesStatusMapper.ToRpcException(new IOException("I/O error on /srv/secret/app.log"));

        Assert.NotNull(rpc);
        Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
        Assert.DoesNotContain("/srv", rpc.Status.Detail);
    }

    [Fact]
    public void ToRpcException_RegexTimeout_InvalidArgument()
    {
        var rpc = FilesStatusMapper.ToRpcException(new RegexMatchTimeoutException("(a+)+$", "aaaa", TimeSpan.FromMilliseconds(1)));

        Assert.Equal(StatusCode.InvalidArgument, rpc!.StatusCode);
    }

    [Fact]
    public void ToRpcException_CorruptGzip_DataLoss()
    {
        Assert.Equal(StatusCode.DataLoss, FilesStatusMapper.ToRpcException(new InvalidDataException("bad"))!.StatusCode);
    }

    [Fact]
    public void ToRpcException_Cancellation_NotMapped()
    {
        Assert.Null(FilesStatusMapper.ToRpcException(new OperationCanceledException()));
    }
}
