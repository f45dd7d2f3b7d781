using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;

namespace StreamGrpc.Interop.Client;

/// <summary>The client cases of the gRPC interop test descriptions (doc/interop-test-descriptions.md,
/// "Client"), run with our client channel against any grpc.testing.TestService server.</summary>
internal sealed class InteropClient : IDisposable
{
    /// <summary>Every case this client implements, in the order "all" runs them.</summary>
    public static readonly IReadOnlyList<string> TestCases =
    [
        "empty_unary",
        "large_unary",
        "client_streaming",
        "server_streaming",
        "ping_pong",
        "empty_stream",
        "cancel_after_begin",
        "cancel_after_first_response",
        "timeout_on_sleeping_server",
        "status_code_and_message",
        "special_status_message",
        "unimplemented_method",
        "unimplemented_service",
        "custom_metadata",
        "client_compressed_unary",
        "server_compressed_streaming",
    ];

    /// <summary>Call header that asks our client (as grpc-dotnet's) to compress the call's request
    /// messages with the named algorithm; it is not sent on the wire.</summary>
    internal const string RequestCompressionHeader = "grpc-internal-encoding-request";

    private const string SpecialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001F608\t\n";
    private const string EchoInitialValue = "test_initial_metadata_value";
    private static readonly byte[] EchoTrailingValue = [0xab, 0xab, 0xab];

    private readonly GrpcChannel _channel;
    private readonly TestService.TestServiceClient _client;
    private readonly UnimplementedService.UnimplementedServiceClient _unimplementedServiceClient;
    private readonly InteropClientOptions _options;

    private InteropClient(GrpcChannel channel, InteropClientOptions options)
    {
        _channel = channel;
        _options = options;
        _client = new TestService.TestServiceClient(channel);
        _unimplementedServiceClient = new UnimplementedService.UnimplementedServiceClient(channel);
    }

    /// <summary>A client on a plaintext HTTP/2 channel to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static InteropClient Create(string host, int port, InteropClientOptions? options = null)
    {
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return new InteropClient(GrpcChannel.ForAddress($"http://{authority}:{port}"), options ?? new InteropClientOptions());
    }

    /// <summary>Runs one case; every failure becomes a FAIL result with its reason.</summary>
    public async Task<InteropCaseResult> RunAsync(string testCase, CancellationToken cancellationToken = default)
    {
        try
        {
            await RunCaseAsync(testCase, cancellationToken);
            return new InteropCaseResult(testCase, true, null);
        }
        catch (InteropCheckFailedException e)
        {
            return new InteropCaseResult(testCase, false, e.Message);
        }
        catch (RpcException e)
        {
            return new InteropCaseResult(testCase, false, $"unexpected status {e.StatusCode}: {e.Status.Detail}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new InteropCaseResult(testCase, false, e.ToString());
        }
    }

    private Task RunCaseAsync(string testCase, CancellationToken ct) => testCase switch
    {
        "empty_unary" => EmptyUnaryAsync(ct),
        "large_unary" => LargeUnaryAsync(ct),
        "client_streaming" => ClientStreamingAsync(ct),
        "server_streaming" => ServerStreamingAsync(ct),
        "ping_pong" => PingPongAsync(ct),
        "empty_stream" => EmptyStreamAsync(ct),
        "cancel_after_begin" => CancelAfterBeginAsync(ct),
        "cancel_after_first_response" => CancelAfterFirstResponseAsync(ct),
        "timeout_on_sleeping_server" => TimeoutOnSleepingServerAsync(ct),
        "status_code_and_message" => StatusCodeAndMessageAsync(ct),
        "special_status_message" => SpecialStatusMessageAsync(ct),
        "unimplemented_method" => UnimplementedMethodAsync(ct),
        "unimplemented_service" => UnimplementedServiceAsync(ct),
        "custom_metadata" => CustomMetadataAsync(ct),
        "client_compressed_unary" => ClientCompressedUnaryAsync(ct),
        "server_compressed_streaming" => ServerCompressedStreamingAsync(ct),
        _ => throw new ArgumentException($"Unknown test case '{testCase}'.", nameof(testCase)),
    };

    private async Task EmptyUnaryAsync(CancellationToken ct)
    {
        var response = await _client.EmptyCallAsync(new Empty(), deadline: Deadline(), cancellationToken: ct);
        Check(response is not null, "response is null");
    }

    private async Task LargeUnaryAsync(CancellationToken ct)
    {
        var response = await _client.UnaryCallAsync(
            new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, deadline: Deadline(), cancellationToken: ct);
        CheckZeros(response.Payload, 314159, "response");
    }

    private async Task ClientStreamingAsync(CancellationToken ct)
    {
        using var call = _client.StreamingInputCall(deadline: Deadline(), cancellationToken: ct);
        foreach (var size in new[] { 27182, 8, 1828, 45904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) }, ct);
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Check(response.AggregatedPayloadSize == 74922, $"aggregated_payload_size is {response.AggregatedPayloadSize}, expected 74922");
    }

    private async Task ServerStreamingAsync(CancellationToken ct)
    {
        int[] sizes = [31415, 9, 2653, 58979];
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.AddRange(sizes.Select(size => new ResponseParameters { Size = size }));
        using var call = _client.StreamingOutputCall(request, deadline: Deadline(), cancellationToken: ct);
        var responses = await ReadAllAsync(call.ResponseStream, ct);
        CheckSizes(responses, sizes);
    }

    private async Task PingPongAsync(CancellationToken ct)
    {
        int[] requestSizes = [27182, 8, 1828, 45904];
        int[] responseSizes = [31415, 9, 2653, 58979];
        using var call = _client.FullDuplexCall(deadline: Deadline(), cancellationToken: ct);
        for (var i = 0; i < requestSizes.Length; i++)
        {
            await call.RequestStream.WriteAsync(StreamingRequest(responseSizes[i], requestSizes[i]), ct);
            Check(await call.ResponseStream.MoveNext(ct), $"the stream ended before response {i}");
            CheckZeros(call.ResponseStream.Current.Payload, responseSizes[i], $"response {i}");
        }

        await call.RequestStream.CompleteAsync();
        Check(!await call.ResponseStream.MoveNext(ct), "a response arrived after the last one");
    }

    private async Task EmptyStreamAsync(CancellationToken ct)
    {
        using var call = _client.FullDuplexCall(deadline: Deadline(), cancellationToken: ct);
        await call.RequestStream.CompleteAsync();
        Check(!await call.ResponseStream.MoveNext(ct), "a response arrived");
    }

    private async Task CancelAfterBeginAsync(CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = _client.StreamingInputCall(deadline: Deadline(), cancellationToken: cts.Token);
        await cts.CancelAsync();
        var error = await ExpectStatusAsync(StatusCode.Cancelled, () => call.ResponseAsync, "StreamingInputCall");
        Check(call.GetStatus().StatusCode == StatusCode.Cancelled, $"call status {call.GetStatus().StatusCode}, exception {error.StatusCode}");
    }

    private async Task CancelAfterFirstResponseAsync(CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = _client.FullDuplexCall(deadline: Deadline(), cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(StreamingRequest(31415, 27182), ct);
        Check(await call.ResponseStream.MoveNext(ct), "the stream ended before the first response");
        CheckZeros(call.ResponseStream.Current.Payload, 31415, "first response");
        await cts.CancelAsync();
        await ExpectStatusAsync(StatusCode.Cancelled, () => call.ResponseStream.MoveNext(ct), "FullDuplexCall after cancel");
    }

    private async Task TimeoutOnSleepingServerAsync(CancellationToken ct)
    {
        using var call = _client.FullDuplexCall(deadline: DateTime.UtcNow.AddMilliseconds(1), cancellationToken: ct);
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) }, ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The deadline may pass before the message is written; the read below sees the same status.
        }

        await ExpectStatusAsync(StatusCode.DeadlineExceeded, () => call.ResponseStream.MoveNext(ct), "FullDuplexCall");
    }

    private async Task StatusCodeAndMessageAsync(CancellationToken ct)
    {
        await CheckEchoStatusAsync("test status message", ct);
    }

    private async Task SpecialStatusMessageAsync(CancellationToken ct)
    {
        var echo = new EchoStatus { Code = (int)StatusCode.Unknown, Message = SpecialStatusMessage };
        var error = await ExpectStatusAsync(StatusCode.Unknown,
            () => _client.UnaryCallAsync(new SimpleRequest { ResponseStatus = echo }, deadline: Deadline(), cancellationToken: ct).ResponseAsync,
            "UnaryCall");
        Check(error.Status.Detail == SpecialStatusMessage, $"message {Quote(error.Status.Detail)}");
    }

    private async Task CheckEchoStatusAsync(string message, CancellationToken ct)
    {
        var echo = new EchoStatus { Code = (int)StatusCode.Unknown, Message = message };
        var unary = await ExpectStatusAsync(StatusCode.Unknown,
            () => _client.UnaryCallAsync(new SimpleRequest { ResponseStatus = echo }, deadline: Deadline(), cancellationToken: ct).ResponseAsync,
            "UnaryCall");
        Check(unary.Status.Detail == message, $"UnaryCall message {Quote(unary.Status.Detail)}");

        using var call = _client.FullDuplexCall(deadline: Deadline(), cancellationToken: ct);
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = echo }, ct);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call before the half-close is written; the read reports the status.
        }

        var duplex = await ExpectStatusAsync(StatusCode.Unknown, () => call.ResponseStream.MoveNext(ct), "FullDuplexCall");
        Check(duplex.Status.Detail == message, $"FullDuplexCall message {Quote(duplex.Status.Detail)}");
    }

    private async Task UnimplementedMethodAsync(CancellationToken ct)
    {
        await ExpectStatusAsync(StatusCode.Unimplemented,
            () => _client.UnimplementedCallAsync(new Empty(), deadline: Deadline(), cancellationToken: ct).ResponseAsync,
            "TestService/UnimplementedCall");
    }

    private async Task UnimplementedServiceAsync(CancellationToken ct)
    {
        await ExpectStatusAsync(StatusCode.Unimplemented,
            () => _unimplementedServiceClient.UnimplementedCallAsync(new Empty(), deadline: Deadline(), cancellationToken: ct).ResponseAsync,
            "UnimplementedService/UnimplementedCall");
    }

    private async Task CustomMetadataAsync(CancellationToken ct)
    {
        Metadata EchoHeaders() => new()
        {
            { "x-grpc-test-echo-initial", EchoInitialValue },
            { "x-grpc-test-echo-trailing-bin", EchoTrailingValue },
        };

        using (var call = _client.UnaryCallAsync(
            new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, EchoHeaders(), Deadline(), ct))
        {
            var response = await call.ResponseAsync;
            CheckZeros(response.Payload, 314159, "UnaryCall response");
            CheckEchoed(await call.ResponseHeadersAsync, call.GetTrailers(), "UnaryCall");
        }

        using (var call = _client.FullDuplexCall(EchoHeaders(), Deadline(), ct))
        {
            await call.RequestStream.WriteAsync(StreamingRequest(314159, 271828), ct);
            await call.RequestStream.CompleteAsync();
            var responses = await ReadAllAsync(call.ResponseStream, ct);
            CheckSizes(responses, [314159]);
            CheckEchoed(await call.ResponseHeadersAsync, call.GetTrailers(), "FullDuplexCall");
        }
    }

    private async Task ClientCompressedUnaryAsync(CancellationToken ct)
    {
        static SimpleRequest Request(bool expectCompressed) => new()
        {
            ExpectCompressed = new BoolValue { Value = expectCompressed },
            ResponseSize = 314159,
            Payload = Zeros(271828),
        };

        if (!_options.SkipCompressionProbe)
        {
            // Feature probe: an uncompressed request that claims to be compressed must be refused.
            await ExpectStatusAsync(StatusCode.InvalidArgument,
                () => _client.UnaryCallAsync(Request(true), deadline: Deadline(), cancellationToken: ct).ResponseAsync,
                "probe (uncompressed, expect_compressed)");
        }

        var gzip = new Metadata { { RequestCompressionHeader, "gzip" } };
        var compressed = await _client.UnaryCallAsync(Request(true), gzip, Deadline(), ct);
        CheckZeros(compressed.Payload, 314159, "compressed call's response");

        var plain = await _client.UnaryCallAsync(Request(false), deadline: Deadline(), cancellationToken: ct);
        CheckZeros(plain.Payload, 314159, "uncompressed call's response");
    }

    /// <remarks>The Grpc.Core API does not show a client the per-message compressed flag, so sizes
    /// and contents are checked; the flags are checked by the peers' own tests of our server.</remarks>
    private async Task ServerCompressedStreamingAsync(CancellationToken ct)
    {
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };
        using var call = _client.StreamingOutputCall(request, deadline: Deadline(), cancellationToken: ct);
        CheckSizes(await ReadAllAsync(call.ResponseStream, ct), [31415, 92653]);
    }

    private static void CheckEchoed(Metadata headers, Metadata trailers, string what)
    {
        var initial = headers.Get("x-grpc-test-echo-initial");
        Check(initial is { IsBinary: false } && initial.Value == EchoInitialValue,
            $"{what}: initial metadata x-grpc-test-echo-initial is {initial?.ToString() ?? "missing"}");
        var trailing = trailers.Get("x-grpc-test-echo-trailing-bin");
        Check(trailing is not null && trailing.ValueBytes.AsSpan().SequenceEqual(EchoTrailingValue),
            $"{what}: trailing metadata x-grpc-test-echo-trailing-bin is {(trailing is null ? "missing" : Convert.ToHexString(trailing.ValueBytes))}");
    }

    private static async Task<RpcException> ExpectStatusAsync(StatusCode expected, Func<Task> call, string what)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            Check(e.StatusCode == expected, $"{what}: expected {expected}, got {e.StatusCode}: {Quote(e.Status.Detail)}");
            return e;
        }

        throw new InteropCheckFailedException($"{what}: expected {expected}, but the call succeeded");
    }

    private static async Task<List<StreamingOutputCallResponse>> ReadAllAsync(IAsyncStreamReader<StreamingOutputCallResponse> stream, CancellationToken ct)
    {
        var responses = new List<StreamingOutputCallResponse>();
        await foreach (var response in stream.ReadAllAsync(ct))
        {
            responses.Add(response);
        }

        return responses;
    }

    private static void CheckSizes(List<StreamingOutputCallResponse> responses, int[] expected)
    {
        var sizes = responses.Select(r => r.Payload?.Body.Length ?? 0).ToArray();
        Check(sizes.SequenceEqual(expected), $"response sizes [{string.Join(", ", sizes)}], expected [{string.Join(", ", expected)}]");
        for (var i = 0; i < responses.Count; i++)
        {
            CheckZeros(responses[i].Payload, expected[i], $"response {i}");
        }
    }

    private static void CheckZeros(Payload? payload, int size, string what)
    {
        Check(payload is not null, $"{what} has no payload");
        Check(payload!.Body.Length == size, $"{what} body is {payload.Body.Length} bytes, expected {size}");
        Check(!payload.Body.Span.ContainsAnyExcept((byte)0), $"{what} body is not all zeros");
    }

    private static StreamingOutputCallRequest StreamingRequest(int responseSize, int payloadSize) => new()
    {
        ResponseParameters = { new ResponseParameters { Size = responseSize } },
        Payload = Zeros(payloadSize),
    };

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private DateTime Deadline() => DateTime.UtcNow + _options.EffectiveCallTimeout;

    private static void Check(bool condition, string message) => InteropCheckFailedException.ThrowIfFalse(condition, message);

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    public void Dispose() => _channel.Dispose();
}
