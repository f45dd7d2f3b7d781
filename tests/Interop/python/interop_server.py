#!/usr/bin/python3
"""grpc.testing.TestService on Debian's python3-grpcio (C-core): the peer server our interop
client is tested against. Behaviour follows the server features of the gRPC interop test
descriptions (doc/interop-test-descriptions.md), except CompressedRequest, which grpcio cannot
observe (see unary_call).

Usage: /usr/bin/python3 interop_server.py --port N   (0 picks a free port)
Prints "listening on PORT" once it accepts connections; stops on SIGTERM / SIGINT / stdin EOF
when --exit_on_stdin_eof is given (so a test host that dies cannot leave it running).
"""

import argparse
import signal
import sys
import threading
import time
from concurrent import futures

import grpc

from interop_protos import TestingMessages

m = TestingMessages()

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"


def _echo_metadata(context):
    """Echo Metadata: the initial key back as a header, the trailing key back as a trailer."""
    initial = []
    trailing = []
    for key, value in context.invocation_metadata():
        if key == ECHO_INITIAL:
            initial.append((key, value))
        elif key == ECHO_TRAILING:
            trailing.append((key, value))
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def _payload(size):
    return m.Payload(body=b"\x00" * size)


def _abort_with(echo_status, context):
    """Echo Status: end the call with the requested code and message."""
    code = next((c for c in grpc.StatusCode if c.value[0] == echo_status.code), grpc.StatusCode.UNKNOWN)
    context.abort(code, echo_status.message)


class TestService:
    def empty_call(self, request, context):
        _echo_metadata(context)
        return m.Empty()

    def unary_call(self, request, context):
        _echo_metadata(context)
        if request.HasField("response_status") and request.response_status.code != 0:
            _abort_with(request.response_status, context)
        # CompressedRequest (expect_compressed) is not checked: C-core neither shows Python the
        # per-message compressed flag nor leaves grpc-encoding in the call metadata, so this
        # server cannot tell; clients run client_compressed_unary against it without the probe.
        if request.response_compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        else:
            context.set_compression(grpc.Compression.NoCompression)
        return m.SimpleResponse(payload=_payload(request.response_size))

    def streaming_output_call(self, request, context):
        _echo_metadata(context)
        yield from self._respond(request, context)

    def streaming_input_call(self, request_iterator, context):
        _echo_metadata(context)
        total = 0
        for request in request_iterator:
            total += len(request.payload.body)
        return m.StreamingInputCallResponse(aggregated_payload_size=total)

    def full_duplex_call(self, request_iterator, context):
        _echo_metadata(context)
        for request in request_iterator:
            yield from self._respond(request, context)

    def half_duplex_call(self, request_iterator, context):
        _echo_metadata(context)
        requests = list(request_iterator)
        for request in requests:
            yield from self._respond(request, context)

    def _respond(self, request, context):
        if request.HasField("response_status") and request.response_status.code != 0:
            _abort_with(request.response_status, context)
        if any(p.compressed.value for p in request.response_parameters):
            context.set_compression(grpc.Compression.Gzip)
        for parameters in request.response_parameters:
            if parameters.interval_us > 0:
                time.sleep(parameters.interval_us / 1e6)
            if not parameters.compressed.value:
                context.disable_next_message_compression()
            yield m.StreamingOutputCallResponse(payload=_payload(parameters.size))


def _handlers(service):
    def ser(message):
        return message.SerializeToString()

    return grpc.method_handlers_generic_handler(
        "grpc.testing.TestService",
        {
            "EmptyCall": grpc.unary_unary_rpc_method_handler(
                service.empty_call, m.Empty.FromString, ser),
            "UnaryCall": grpc.unary_unary_rpc_method_handler(
                service.unary_call, m.SimpleRequest.FromString, ser),
            "StreamingOutputCall": grpc.unary_stream_rpc_method_handler(
                service.streaming_output_call, m.StreamingOutputCallRequest.FromString, ser),
            "StreamingInputCall": grpc.stream_unary_rpc_method_handler(
                service.streaming_input_call, m.StreamingInputCallRequest.FromString, ser),
            "FullDuplexCall": grpc.stream_stream_rpc_method_handler(
                service.full_duplex_call, m.StreamingOutputCallRequest.FromString, ser),
            "HalfDuplexCall": grpc.stream_stream_rpc_method_handler(
                service.half_duplex_call, m.StreamingOutputCallRequest.FromString, ser),
            # UnimplementedCall is deliberately absent: C-core answers UNIMPLEMENTED.
        },
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--exit_on_stdin_eof", action="store_true")
    args = parser.parse_args()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((_handlers(TestService()),))
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    if port == 0:
        print(f"cannot listen on {args.host}:{args.port}", file=sys.stderr, flush=True)
        return 1
    server.start()
    print(f"listening on {port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def watch_stdin():
            sys.stdin.read()
            stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    stop.wait()
    server.stop(grace=1).wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
