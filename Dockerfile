# syntax=docker/dockerfile:1
# StreamService image: multi-stage build (SDK for restore/publish, ASP.NET runtime to run).
#   docker build -t streamgrpc/streamservice .
#   docker run --rm -p 127.0.0.1:8080:8080 -p 127.0.0.1:8081:8081 -e ConnectionStrings__Postgres=... streamgrpc/streamservice
# Configuration is by environment variables only (see docs/deployment.md); the health check is the
# binary's own grpc.health.v1 probe mode (no grpc_health_probe package needed).

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Restore first from the project files alone, so source edits reuse the cached package layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/StreamGrpc.Contracts/StreamGrpc.Contracts.csproj src/StreamGrpc.Contracts/
COPY src/StreamService/StreamService.csproj src/StreamService/
RUN dotnet restore src/StreamService/StreamService.csproj
# Then the sources the service needs (contracts compile from protos/ at build time).
COPY protos/ protos/
COPY src/StreamGrpc.Contracts/ src/StreamGrpc.Contracts/
COPY src/StreamService/ src/StreamService/
RUN dotnet publish src/StreamService/StreamService.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
WORKDIR /app
COPY --from=build /app .
# On all interfaces of the container (the proxy or the published port is the way in): h2c on 8080
# for gRPC (cleartext gRPC needs HTTP/2 with prior knowledge), HTTP/1.1 on 8081 for HTTP/JSON,
# gRPC-Web and the status page (Kestrel cannot serve both on one cleartext port; docs/http.md).
ENV Kestrel__Endpoints__Grpc__Url=http://+:8080 \
    Kestrel__Endpoints__Grpc__Protocols=Http2 \
    Kestrel__Endpoints__Http1__Url=http://+:8081 \
    Kestrel__Endpoints__Http1__Protocols=Http1 \
    STREAMGRPC_HEALTH_ADDRESS=http://127.0.0.1:8080 \
    DOTNET_GCgen0size=0x1000000
EXPOSE 8080 8081
# The non-root user the .NET images ship.
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 \
  CMD ["dotnet", "StreamService.dll", "--health-probe"]
ENTRYPOINT ["dotnet", "StreamService.dll"]
