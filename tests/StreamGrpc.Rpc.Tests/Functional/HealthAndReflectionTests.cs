using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.Rpc.AspNetCore.Health;
using StreamGrpc.Rpc.Tests.Infrastructure;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace StreamGrpc.Rpc.Tests.Functional;

public sealed class HealthAndReflectionTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(
            services =>
            {
                services.AddGrpc();
                services.AddGrpcHealth();
                services.AddGrpcReflection();
                services.AddSingleton<EchoObservations>();
            },
            endpoints =>
            {
                endpoints.MapGrpcService<EchoService>();
                endpoints.MapGrpcHealthService();
                endpoints.MapGrpcReflectionService();
            });
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task HealthCheck_Server_Serving()
    {
        var reply = await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.Bounded();

        Assert.Equal(ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_NotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest { Service = "nope" }).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task HealthWatch_StatusChanges_EachChangeStreamed()
    {
        var registry = _host.Services.GetRequiredService<HealthStatusRegistry>();
        using var call = new Health.HealthClient(_channel).Watch(new HealthCheckRequest { Service = "rows" });
        var stream = call.ResponseStream;

        Assert.True(await stream.MoveNext(CancellationToken.None).Bounded());
        Assert.Equal(ServingStatus.ServiceUnknown, stream.Current.Status);

        registry.SetStatus("rows", ServingStatus.NotServing);
        Assert.True(await stream.MoveNext(CancellationToken.None).Bounded());
        Assert.Equal(ServingStatus.NotServing, stream.Current.Status);

        registry.SetStatus("rows", ServingStatus.Serving);
        Assert.True(await stream.MoveNext(CancellationToken.None).Bounded());
        Assert.Equal(ServingStatus.Serving, stream.Current.Status);
    }

    [Fact]
    public async Task ReflectionV1_ListServices_AllMappedServices()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { ListServices = "" });

        var names = response.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("streamgrpc.testing.Echo", names);
        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Contains("grpc.reflection.v1.ServerReflection", names);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", names);
    }

    [Fact]
    public async Task ReflectionV1_FileContainingSymbol_FileWithDependenciesUnderImportPaths()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = "streamgrpc.testing.Echo" });

        var files = response.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        Assert.Equal("Protos/echo.proto", files[0].Name);
        Assert.Contains(files[0].Service, s => s.Name == "Echo");
    }

    [Fact]
    public async Task ReflectionV1_FileByFilename_WellKnownDependencyIncluded()
    {
        // The reflection contract itself has no imports; a method symbol lookup resolves too.
        var bySymbol = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health.Check" });
        var name = FileDescriptorProto.Parser.ParseFrom(bySymbol.FileDescriptorResponse.FileDescriptorProto[0]).Name;

        var byName = await AskV1(new V1.ServerReflectionRequest { FileByFilename = name });

        Assert.Equal("grpc/health/v1/health.proto", name);
        Assert.Equal(bySymbol.FileDescriptorResponse.FileDescriptorProto[0], byName.FileDescriptorResponse.FileDescriptorProto[0]);
    }

    [Fact]
    public async Task ReflectionV1_UnknownSymbol_ErrorResponseNotFound()
    {
        var response = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" });

        Assert.Equal((int)StatusCode.NotFound, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task ReflectionV1Alpha_ListServices_SameAnswerAsV1()
    {
        using var call = new V1Alpha.ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" }).Bounded();
        await call.RequestStream.CompleteAsync().Bounded();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "streamgrpc.testing.Echo");
    }

    private async Task<V1.ServerReflectionResponse> AskV1(V1.ServerReflectionRequest request)
    {
        using var call = new V1.ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(request).Bounded();
        await call.RequestStream.CompleteAsync().Bounded();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).Bounded());
        return call.ResponseStream.Current;
    }
}
