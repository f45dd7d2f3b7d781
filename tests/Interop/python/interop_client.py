#!/usr/bin/python3
"""The gRPC interop test cases (doc/interop-test-descriptions.md) as a client on Debian's
python3-grpcio (C-core), pointed at any TestService server.

Usage: /usr/bin/python3 interop_client.py --server_host H --server_port P --test_case NAME[,NAME...|all]
Several cases run in one process (interpreter start-up dominates otherwise); each prints one line
  RESULT <case> PASS
  RESULT <case> FAIL <reason>
and the exit code is 0 only when every case passed.
"""

import argparse
import queue
import sys
import traceback

import grpc

from interop_protos import TestingMessages

m = TestingMessages()

# Upper bound of every call that is not about deadlines, so a hung server fails the case
# instead of hanging the run.
CALL_TIMEOUT = 20.0
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


class CaseFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailure(message)


def zeros(size):
    return m.Payload(body=b"\x00" * size)


class RequestPipe:
    """A request iterator fed one message at a time, for the bidirectional cases."""

    _CLOSE = object()

    def __init__(self):
        self._queue = queue.Queue()

    def __iter__(self):
        return self

    def __next__(self):
        item = self._queue.get(timeout=CALL_TIMEOUT)
        if item is self._CLOSE:
            raise StopIteration()
        return item

    def add(self, message):
        self._queue.put(message)

    def close(self):
        self._queue.put(self._CLOSE)


def _ser(message):
    return message.SerializeToString()


class Stub:
    def __init__(self, channel, service="grpc.testing.TestService"):
        def path(method):
            return f"/{service}/{method}"

        self.EmptyCall = channel.unary_unary(path("EmptyCall"), _ser, m.Empty.FromString)
        self.UnaryCall = channel.unary_unary(path("UnaryCall"), _ser, m.SimpleResponse.FromString)
        self.StreamingOutputCall = channel.unary_stream(
            path("StreamingOutputCall"), _ser, m.StreamingOutputCallResponse.FromString)
        self.StreamingInputCall = channel.stream_unary(
            path("StreamingInputCall"), _ser, m.StreamingInputCallResponse.FromString)
        self.FullDuplexCall = channel.stream_stream(
            path("FullDuplexCall"), _ser, m.StreamingOutputCallResponse.FromString)
        self.UnimplementedCall = channel.unary_unary(path("UnimplementedCall"), _ser, m.Empty.FromString)


def expect_rpc_error(code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except grpc.RpcError as error:
        check(error.code() == code, f"expected {code}, got {error.code()}: {error.details()!r}")
        return error
    raise CaseFailure(f"expected {code}, but the call succeeded")


def empty_unary(stub):
    response = stub.EmptyCall(m.Empty(), timeout=CALL_TIMEOUT)
    check(isinstance(response, m.Empty), "response is not an Empty")


def large_unary(stub):
    request = m.SimpleRequest(response_size=314159, payload=zeros(271828))
    response = stub.UnaryCall(request, timeout=CALL_TIMEOUT)
    check(len(response.payload.body) == 314159, f"response body is {len(response.payload.body)} bytes")
    check(response.payload.body == b"\x00" * 314159, "response body is not all zeros")


def client_streaming(stub):
    sizes = [27182, 8, 1828, 45904]
    requests = (m.StreamingInputCallRequest(payload=zeros(s)) for s in sizes)
    response = stub.StreamingInputCall(requests, timeout=CALL_TIMEOUT)
    check(response.aggregated_payload_size == 74922,
          f"aggregated_payload_size is {response.aggregated_payload_size}")


def server_streaming(stub):
    sizes = [31415, 9, 2653, 58979]
    request = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=s) for s in sizes])
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(request, timeout=CALL_TIMEOUT)]
    check(got == sizes, f"response sizes {got}")


def ping_pong(stub):
    request_sizes = [27182, 8, 1828, 45904]
    response_sizes = [31415, 9, 2653, 58979]
    pipe = RequestPipe()
    responses = stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT)
    try:
        for request_size, response_size in zip(request_sizes, response_sizes):
            pipe.add(m.StreamingOutputCallRequest(
                response_parameters=[m.ResponseParameters(size=response_size)], payload=zeros(request_size)))
            response = next(responses)
            check(len(response.payload.body) == response_size,
                  f"response body {len(response.payload.body)} bytes, expected {response_size}")
    finally:
        pipe.close()
    rest = list(responses)
    check(not rest, f"{len(rest)} responses after the last one")


def empty_stream(stub):
    responses = list(stub.FullDuplexCall(iter([]), timeout=CALL_TIMEOUT))
    check(not responses, f"{len(responses)} responses")


def cancel_after_begin(stub):
    pipe = RequestPipe()
    future = stub.StreamingInputCall.future(pipe, timeout=CALL_TIMEOUT)
    future.cancel()
    check(future.cancelled(), "future not cancelled")
    try:
        future.result(timeout=CALL_TIMEOUT)
    except grpc.FutureCancelledError:
        return
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.CANCELLED, f"status {error.code()}")
        return
    raise CaseFailure("call completed although cancelled")


def cancel_after_first_response(stub):
    pipe = RequestPipe()
    responses = stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT)
    pipe.add(m.StreamingOutputCallRequest(
        response_parameters=[m.ResponseParameters(size=31415)], payload=zeros(27182)))
    response = next(responses)
    check(len(response.payload.body) == 31415, f"first response {len(response.payload.body)} bytes")
    responses.cancel()
    try:
        next(responses)
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.CANCELLED, f"status {error.code()}")
        return
    finally:
        pipe.close()
    raise CaseFailure("stream went on after cancel")


def timeout_on_sleeping_server(stub):
    pipe = RequestPipe()
    responses = stub.FullDuplexCall(pipe, timeout=0.001)
    pipe.add(m.StreamingOutputCallRequest(payload=zeros(27182)))
    try:
        next(responses)
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, f"status {error.code()}")
        return
    finally:
        pipe.close()
    raise CaseFailure("a response arrived although the deadline passed")


def _status_echo(stub, code, message):
    echo = m.EchoStatus(code=code, message=message)
    error = expect_rpc_error(grpc.StatusCode.UNKNOWN, stub.UnaryCall,
                             m.SimpleRequest(response_status=echo), timeout=CALL_TIMEOUT)
    check(error.details() == message, f"UnaryCall details {error.details()!r}")

    pipe = RequestPipe()
    pipe.add(m.StreamingOutputCallRequest(response_status=echo))
    pipe.close()
    try:
        list(stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT))
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.UNKNOWN, f"FullDuplexCall status {error.code()}")
        check(error.details() == message, f"FullDuplexCall details {error.details()!r}")
        return
    raise CaseFailure("FullDuplexCall succeeded")


def status_code_and_message(stub):
    _status_echo(stub, 2, "test status message")


def special_status_message(stub):
    echo = m.EchoStatus(code=2, message=SPECIAL_STATUS_MESSAGE)
    error = expect_rpc_error(grpc.StatusCode.UNKNOWN, stub.UnaryCall,
                             m.SimpleRequest(response_status=echo), timeout=CALL_TIMEOUT)
    check(error.details() == SPECIAL_STATUS_MESSAGE, f"details {error.details()!r}")


def unimplemented_method(stub):
    expect_rpc_error(grpc.StatusCode.UNIMPLEMENTED, stub.UnimplementedCall, m.Empty(), timeout=CALL_TIMEOUT)


def unimplemented_service(stub, channel):
    other = Stub(channel, "grpc.testing.UnimplementedService")
    expect_rpc_error(grpc.StatusCode.UNIMPLEMENTED, other.UnimplementedCall, m.Empty(), timeout=CALL_TIMEOUT)


ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")


def _check_echoed(initial, trailing, which):
    check(ECHO_INITIAL in list(initial or ()), f"{which}: initial metadata {initial}")
    check(ECHO_TRAILING in list(trailing or ()), f"{which}: trailing metadata {trailing}")


def custom_metadata(stub):
    metadata = (ECHO_INITIAL, ECHO_TRAILING)
    request = m.SimpleRequest(response_size=314159, payload=zeros(271828))
    response, call = stub.UnaryCall.with_call(request, metadata=metadata, timeout=CALL_TIMEOUT)
    check(len(response.payload.body) == 314159, "UnaryCall response size")
    _check_echoed(call.initial_metadata(), call.trailing_metadata(), "UnaryCall")

    duplex_request = m.StreamingOutputCallRequest(
        response_parameters=[m.ResponseParameters(size=314159)], payload=zeros(271828))
    responses = stub.FullDuplexCall(iter([duplex_request]), metadata=metadata, timeout=CALL_TIMEOUT)
    sizes = [len(r.payload.body) for r in responses]
    check(sizes == [314159], f"FullDuplexCall response sizes {sizes}")
    _check_echoed(responses.initial_metadata(), responses.trailing_metadata(), "FullDuplexCall")


def client_compressed_unary(stub):
    def request(expect):
        return m.SimpleRequest(expect_compressed=m.BoolValue(value=expect),
                               response_size=314159, payload=zeros(271828))

    # Feature probe: an uncompressed request that claims to be compressed must be refused.
    expect_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, stub.UnaryCall, request(True),
                     timeout=CALL_TIMEOUT, compression=grpc.Compression.NoCompression)
    response = stub.UnaryCall(request(True), timeout=CALL_TIMEOUT, compression=grpc.Compression.Gzip)
    check(len(response.payload.body) == 314159, "compressed call: response size")
    response = stub.UnaryCall(request(False), timeout=CALL_TIMEOUT, compression=grpc.Compression.NoCompression)
    check(len(response.payload.body) == 314159, "uncompressed call: response size")


def server_compressed_streaming(stub):
    # grpcio does not show per-message compression flags to Python; the sizes and contents are
    # checked, the flags are not.
    request = m.StreamingOutputCallRequest(response_parameters=[
        m.ResponseParameters(size=31415, compressed=m.BoolValue(value=True)),
        m.ResponseParameters(size=92653, compressed=m.BoolValue(value=False)),
    ])
    responses = list(stub.StreamingOutputCall(request, timeout=CALL_TIMEOUT))
    sizes = [len(r.payload.body) for r in responses]
    check(sizes == [31415, 92653], f"response sizes {sizes}")
    check(all(r.payload.body == b"\x00" * len(r.payload.body) for r in responses), "bodies not zeros")


CASES = {
    "empty_unary": empty_unary,
    "large_unary": large_unary,
    "client_streaming": client_streaming,
    "server_streaming": server_streaming,
    "ping_pong": ping_pong,
    "empty_stream": empty_stream,
    "cancel_after_begin": cancel_after_begin,
    "cancel_after_first_response": cancel_after_first_response,
    "timeout_on_sleeping_server": timeout_on_sleeping_server,
    "status_code_and_message": status_code_and_message,
    "special_status_message": special_status_message,
    "unimplemented_method": unimplemented_method,
    "unimplemented_service": unimplemented_service,
    "custom_metadata": custom_metadata,
    "client_compressed_unary": client_compressed_unary,
    "server_compressed_streaming": server_compressed_streaming,
}


def run_case(name, channel):
    stub = Stub(channel)
    case = CASES[name]
    if case is unimplemented_service:
        case(stub, channel)
    else:
        case(stub)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--test_case", required=True, help="a case name, a comma-separated list, or 'all'")
    args = parser.parse_args()

    names = list(CASES) if args.test_case == "all" else args.test_case.split(",")
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"unknown test case(s): {', '.join(unknown)}", file=sys.stderr)
        return 2

    failed = 0
    with grpc.insecure_channel(f"{args.server_host}:{args.server_port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=CALL_TIMEOUT)
        for name in names:
            try:
                run_case(name, channel)
                print(f"RESULT {name} PASS", flush=True)
            except Exception as error:  # one case's failure must not hide the others
                failed += 1
                reason = str(error) if isinstance(error, CaseFailure) else traceback.format_exc().strip()
                reason = reason.replace("\n", " | ")
                print(f"RESULT {name} FAIL {reason}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
