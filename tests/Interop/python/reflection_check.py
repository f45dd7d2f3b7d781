#!/usr/bin/python3
"""Server reflection checked from a real peer (Debian's python3-grpcio, C-core), against both
grpc.reflection.v1 and grpc.reflection.v1alpha ServerReflection (doc/server-reflection.md).

Usage: /usr/bin/python3 reflection_check.py --server_host H --server_port P
Prints one line per check, "RESULT <version>.<check> PASS|FAIL <reason>"; exit code 0 only when
every check passed. The expectations are those of the interop server (TestService + InteropProbe).
"""

import argparse
import sys
import traceback

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

from interop_protos import REFLECTION_PROTOS, load_messages

TIMEOUT = 20.0
NOT_FOUND = 5

EXPECTED_SERVICES = {
    "grpc.testing.TestService",
    "streamgrpc.interop.v1.InteropProbe",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
}

TEST_SERVICE_METHODS = [
    "EmptyCall", "UnaryCall", "StreamingOutputCall", "StreamingInputCall",
    "FullDuplexCall", "HalfDuplexCall", "UnimplementedCall",
]


class CheckFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailure(message)


class ReflectionClient:
    """One ServerReflectionInfo stream per request, for the given protocol version."""

    def __init__(self, channel, classes, version):
        self.version = version
        package = f"grpc.reflection.{version}"
        self._request = classes[f"{package}.ServerReflectionRequest"]
        response = classes[f"{package}.ServerReflectionResponse"]
        self._call = channel.stream_stream(
            f"/{package}.ServerReflection/ServerReflectionInfo",
            lambda m: m.SerializeToString(), response.FromString)

    def ask(self, **request_fields):
        request = self._request(**request_fields)
        responses = list(self._call(iter([request]), timeout=TIMEOUT))
        check(len(responses) == 1, f"{len(responses)} responses to one request")
        response = responses[0]
        check(response.original_request == request, "original_request does not echo the request")
        return response

    def files(self, **request_fields):
        response = self.ask(**request_fields)
        kind = response.WhichOneof("message_response")
        check(kind == "file_descriptor_response",
              f"expected file_descriptor_response, got {kind}: {response}")
        return [descriptor_pb2.FileDescriptorProto.FromString(b)
                for b in response.file_descriptor_response.file_descriptor_proto]


def by_name(files):
    names = [f.name for f in files]
    check(len(names) == len(set(names)), f"a file came back twice: {names}")
    return {f.name: f for f in files}


def check_closed(files, first):
    """The first file is the one asked for, and every dependency of every returned file came
    back too, under its exact import path; the set loads into a fresh descriptor pool."""
    files_by_name = by_name(files)
    check(files[0].name == first, f"first file is {files[0].name}, expected {first}")
    for f in files:
        for dependency in f.dependency:
            check(dependency in files_by_name, f"{f.name} imports {dependency}, which did not come back")
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dependency in files_by_name[name].dependency:
            add(dependency)
        pool.Add(files_by_name[name])
        added.add(name)

    for name in files_by_name:
        add(name)
    return pool


def list_services(client):
    response = client.ask(list_services="*")
    check(response.WhichOneof("message_response") == "list_services_response", f"response {response}")
    names = {s.name for s in response.list_services_response.service}
    missing = EXPECTED_SERVICES - names
    check(not missing, f"services {sorted(names)} lack {sorted(missing)}")


def file_containing_symbol_service(client):
    files = client.files(file_containing_symbol="grpc.testing.TestService")
    pool = check_closed(files, "grpc/testing/test.proto")
    names = set(by_name(files))
    check({"grpc/testing/empty.proto", "grpc/testing/messages.proto"} <= names, f"files {sorted(names)}")
    check(list(by_name(files)["grpc/testing/test.proto"].dependency)
          == ["grpc/testing/empty.proto", "grpc/testing/messages.proto"], "test.proto dependencies")
    service = pool.FindServiceByName("grpc.testing.TestService")
    methods = [m.name for m in service.methods]
    check(methods == TEST_SERVICE_METHODS, f"methods {methods}")
    full_duplex = service.methods_by_name["FullDuplexCall"]
    check(full_duplex.input_type.full_name == "grpc.testing.StreamingOutputCallRequest", "FullDuplexCall input")


def file_containing_symbol_method(client):
    files = client.files(file_containing_symbol="grpc.testing.TestService.UnaryCall")
    check_closed(files, "grpc/testing/test.proto")


def file_containing_symbol_message(client):
    files = client.files(file_containing_symbol="grpc.testing.SimpleRequest")
    pool = check_closed(files, "grpc/testing/messages.proto")
    request = pool.FindMessageTypeByName("grpc.testing.SimpleRequest")
    check(request.fields_by_name["response_size"].number == 2, "SimpleRequest.response_size number")


def transitive_well_known_types(client):
    files = client.files(file_containing_symbol="streamgrpc.interop.v1.InteropProbe")
    pool = check_closed(files, "streamgrpc/interop/v1/probe_service.proto")
    names = set(by_name(files))
    expected = {
        "google/protobuf/empty.proto",
        "streamgrpc/interop/v1/server_info.proto",
        # transitive: imported by server_info.proto only
        "google/protobuf/timestamp.proto",
        "google/protobuf/duration.proto",
    }
    check(expected <= names, f"files {sorted(names)} lack {sorted(expected - names)}")
    info = pool.FindMessageTypeByName("streamgrpc.interop.v1.ServerInfo")
    check(info.fields_by_name["started_at"].message_type.full_name == "google.protobuf.Timestamp", "started_at type")


def file_by_filename(client):
    files = client.files(file_by_filename="streamgrpc/interop/v1/server_info.proto")
    check_closed(files, "streamgrpc/interop/v1/server_info.proto")
    names = set(by_name(files))
    check({"google/protobuf/timestamp.proto", "google/protobuf/duration.proto"} <= names, f"files {sorted(names)}")


def file_by_filename_well_known(client):
    files = client.files(file_by_filename="google/protobuf/timestamp.proto")
    check_closed(files, "google/protobuf/timestamp.proto")
    check(files[0].package == "google.protobuf", f"package {files[0].package}")


def unknown_symbol(client):
    response = client.ask(file_containing_symbol="no.such.Service")
    check(response.WhichOneof("message_response") == "error_response", f"response {response}")
    check(response.error_response.error_code == NOT_FOUND, f"error_code {response.error_response.error_code}")


def unknown_file(client):
    response = client.ask(file_by_filename="no/such/file.proto")
    check(response.WhichOneof("message_response") == "error_response", f"response {response}")
    check(response.error_response.error_code == NOT_FOUND, f"error_code {response.error_response.error_code}")


CHECKS = [
    list_services,
    file_containing_symbol_service,
    file_containing_symbol_method,
    file_containing_symbol_message,
    transitive_well_known_types,
    file_by_filename,
    file_by_filename_well_known,
    unknown_symbol,
    unknown_file,
]
VERSIONS = ["v1", "v1alpha"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    args = parser.parse_args()

    classes = load_messages(REFLECTION_PROTOS)
    failed = 0
    with grpc.insecure_channel(f"{args.server_host}:{args.server_port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
        for version in VERSIONS:
            client = ReflectionClient(channel, classes, version)
            for check_function in CHECKS:
                name = f"{version}.{check_function.__name__}"
                try:
                    check_function(client)
                    print(f"RESULT {name} PASS", flush=True)
                except Exception as error:
                    failed += 1
                    if isinstance(error, CheckFailure):
                        reason = str(error)
                    elif isinstance(error, grpc.RpcError):
                        reason = f"{error.code()}: {error.details()}"
                    else:
                        reason = traceback.format_exc().strip()
                    print(f"RESULT {name} FAIL {reason}".replace("\n", " | "), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
