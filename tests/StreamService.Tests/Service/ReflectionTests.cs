using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Service;

/// <summary>What grpcurl does before it can call a stream by reflection: list the services, fetch the
/// file defining the service with its dependencies, and build descriptors from them. The
/// reflection messages are written by hand (grpc/reflection/v1/reflection.proto field numbers), so
/// the test needs no generated reflection client.</summary>
public class ReflectionTests
{
    private static readonly Method<byte[], byte[]> ServerReflectionInfo = new(
        MethodType.DuplexStreaming, "grpc.reflection.v1.ServerReflection", "ServerReflectionInfo",
        Marshallers.Create<byte[]>(b => b, b => b), Marshallers.Create<byte[]>(b => b, b => b));

    [Theory]
    [InlineData("streamgrpc.v1.RowsService", "StreamRows", "streamgrpc.v1.StreamRowsRequest", "google/protobuf/timestamp.proto")]
    [InlineData("streamgrpc.v1.FileLines", "StreamLines", "streamgrpc.v1.StreamLinesRequest", "streamgrpc/v1/files.proto")]
    [InlineData("streamgrpc.v1.JobsService", "StartImport", "streamgrpc.v1.StartImportRequest", "streamgrpc/v1/files.proto")]
    [InlineData("streamgrpc.v1.JobsService", "Watch", "streamgrpc.v1.WatchJobRequest", "google/protobuf/timestamp.proto")]
    [InlineData("streamgrpc.v1.LlmService", "StreamCompletion", "streamgrpc.v1.CompletionRequest", "google/protobuf/duration.proto")]
    public async Task Reflection_StreamService_ListedAndDescribedWithDependencies(string serviceName, string methodName, string inputType, string dependency)
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var channel = host.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(ServerReflectionInfo, null, new CallOptions(cancellationToken: TestTimeout.Token()));

        // ServerReflectionRequest.list_services = 7
        await call.RequestStream.WriteAsync(Request(7, "*")).Bounded();
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
        var services = Field(call.ResponseStream.Current, 6).SelectMany(list => Field(list, 1)).Select(s => Field(s, 1).Single().ToStringUtf8());
        Assert.Contains(serviceName, services);

        // ServerReflectionRequest.file_containing_symbol = 4
        await call.RequestStream.WriteAsync(Request(4, serviceName)).Bounded();
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
        var files = Field(call.ResponseStream.Current, 4).SelectMany(r => Field(r, 1)).ToList();
        await call.RequestStream.CompleteAsync().Bounded();

        var built = FileDescriptor.BuildFromByteStrings(OrderDependenciesFirst(files));
        Assert.Contains(built, f => f.Name == dependency);
        var service = built.SelectMany(f => f.Services).Single(s => s.FullName == serviceName);
        var method = service.FindMethodByName(methodName);
        Assert.True(method.IsServerStreaming);
        Assert.Equal(inputType, method.InputType.FullName);
    }

    private static byte[] Request(int field, string value)
    {
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        writer.WriteTag(field, WireFormat.WireType.LengthDelimited);
        writer.WriteString(value);
        writer.Flush();
        return output.ToArray();
    }

    /// <summary>The length-delimited values of one field number in a serialized message.</summary>
    private static IEnumerable<ByteString> Field(byte[] message, int number) => Field(ByteString.CopyFrom(message), number);

    private static IEnumerable<ByteString> Field(ByteString message, int number)
    {
        var values = new List<ByteString>();
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                values.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return values;
    }

    private static IEnumerable<ByteString> OrderDependenciesFirst(List<ByteString> files)
    {
        // BuildFromByteStrings needs every dependency before its dependents; reflection may send any order.
        var protos = files.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        var ordered = new List<FileDescriptorProto>();
        while (protos.Count > 0)
        {
            var next = protos.First(p => p.Dependency.All(d => ordered.Any(o => o.Name == d) || protos.All(q => q.Name != d)));
            ordered.Add(next);
            protos.Remove(next);
        }

        return ordered.Select(p => p.ToByteString());
    }
}
