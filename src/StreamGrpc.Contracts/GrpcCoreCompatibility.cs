// Grpc.Tools generates `NewInstance(ClientBaseConfiguration configuration)` in every client, relying
// on grpc-dotnet nesting that type in ClientBase. The runtime declares it at namespace level, so the
// generated clients need this alias to compile. A nested type, if the runtime adds one, wins over
// the alias, so this file stays harmless until it is deleted.
global using ClientBaseConfiguration = Grpc.Core.ClientBaseConfiguration;
