"""Message classes and call stubs for StreamGrpc's public contracts, built at run time.

The .proto files are compiled with protoc into a FileDescriptorSet (--include_imports) and the
classes are built from it with google.protobuf.message_factory. Generated *_pb2 modules are not
used: Debian's python3-grpc-tools (1.14) generates code that Debian's python3-protobuf (4.21, C++
implementation) refuses to load, while a descriptor set loads on any protobuf runtime.

The compiler is Debian's protobuf-compiler (protoc 3.21, the release of python3-protobuf), not
grpc_tools.protoc: Debian's grpc_tools bundles protoc 3.5.1, which predates proto3 `optional`
(jobs.proto and llm.proto use it) and stops with "Explicit 'optional' labels are disallowed".
grpc_tools still supplies the well-known types (google/protobuf/*.proto).

Proto roots, first match wins: tests/Interop/protos (our copies of the health and reflection
contracts, so the peers do not depend on the service keeping its own), the repository's protos/
(streamgrpc/v1/*.proto, the contracts under test), google/api/*.proto (the HTTP annotations the
contracts import) from the folder named by STREAMGRPC_GOOGLE_API_PROTOS (the harness passes the
Google.Api.CommonProtos NuGet package's content/protos), and grpc_tools' well-known types.
"""

import glob
import os
import shutil
import subprocess
import tempfile

import grpc
import grpc_tools
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP_PROTOS = os.path.normpath(os.path.join(HERE, "..", "protos"))
REPO_PROTOS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "protos"))
WELL_KNOWN_PROTOS = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")


def google_api_protos():
    """The folder holding google/api/annotations.proto, from STREAMGRPC_GOOGLE_API_PROTOS."""
    folder = os.environ.get("STREAMGRPC_GOOGLE_API_PROTOS", "")
    if not os.path.isfile(os.path.join(folder, "google", "api", "annotations.proto")):
        raise RuntimeError("STREAMGRPC_GOOGLE_API_PROTOS must name a folder with google/api/annotations.proto "
                           "(the Google.Api.CommonProtos NuGet package's content/protos); got " + repr(folder))
    return folder

HEALTH_PROTO = "grpc/health/v1/health.proto"
REFLECTION_PROTOS = ["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"]


def contract_protos():
    """The public contracts: every protos/streamgrpc/v1/*.proto, as import paths."""
    paths = sorted(glob.glob(os.path.join(REPO_PROTOS, "streamgrpc", "v1", "*.proto")))
    if not paths:
        raise RuntimeError("no .proto files under " + os.path.join(REPO_PROTOS, "streamgrpc", "v1"))
    return [os.path.relpath(p, REPO_PROTOS).replace(os.sep, "/") for p in paths]


def compile_protos(proto_files):
    """Runs protoc over proto_files and returns the FileDescriptorProtos, dependencies first."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        protoc = shutil.which("protoc", path="/usr/bin") or shutil.which("protoc")
        if protoc is None:
            raise RuntimeError("protoc not found; install the peers with scripts/install-peers.sh")
        args = [
            protoc,
            "-I" + INTEROP_PROTOS,
            "-I" + REPO_PROTOS,
            "-I" + google_api_protos(),
            "-I" + WELL_KNOWN_PROTOS,
            "--include_imports",
            "--descriptor_set_out=" + out,
        ] + list(proto_files)
        result = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"protoc failed for {' '.join(proto_files)}: {result.stderr.strip()}")
        with open(out, "rb") as f:
            return list(descriptor_pb2.FileDescriptorSet.FromString(f.read()).file)


def message_classes(files):
    """{full message name: class} for the files (in dependency order)."""
    if hasattr(message_factory, "GetMessageClassesForFiles"):  # protobuf >= 4.22
        pool = descriptor_pool.DescriptorPool()
        for f in files:
            pool.Add(f)
        return message_factory.GetMessageClassesForFiles([f.name for f in files], pool)
    return message_factory.GetMessages(files)


class Stub:
    """Callables for every method of one service, named like the methods, built from the
    service's descriptor: unary methods return the response, server-streaming methods the
    call object (an iterator of responses that can be cancelled)."""

    def __init__(self, channel, full_name, service_proto, classes):
        self.full_name = full_name
        for method in service_proto.method:
            path = f"/{full_name}/{method.name}"
            request = classes[method.input_type.lstrip(".")]
            response = classes[method.output_type.lstrip(".")]
            if method.client_streaming and method.server_streaming:
                factory = channel.stream_stream
            elif method.server_streaming:
                factory = channel.unary_stream
            elif method.client_streaming:
                factory = channel.stream_unary
            else:
                factory = channel.unary_unary
            setattr(self, method.name, factory(path, request_serializer=request.SerializeToString,
                                               response_deserializer=response.FromString))


class Contracts:
    """Everything compiled once: the streamgrpc contracts, health and reflection."""

    def __init__(self):
        self.contract_files = contract_protos()
        self.files = compile_protos(self.contract_files + [HEALTH_PROTO] + REFLECTION_PROTOS)
        self.files_by_name = {f.name: f for f in self.files}
        self.classes = message_classes(self.files)
        # Full service name -> (file, ServiceDescriptorProto), for every service compiled.
        self.services = {}
        for f in self.files:
            for service in f.service:
                self.services[f"{f.package}.{service.name}"] = (f, service)

    def public_services(self):
        """Full names of the services of protos/streamgrpc/v1, in file order."""
        return [name for name, (f, _) in self.services.items() if f.name in self.contract_files]

    def message(self, full_name):
        """The class of a top-level message. Nested messages (LineFilter.Substring) are passed
        as dicts to their parent's constructor, which builds them with the parent's classes."""
        return self.classes[full_name]

    def stub(self, channel, full_name):
        _, service = self.services[full_name]
        return Stub(channel, full_name, service, self.classes)

    def enum_value(self, enum_full_name, value_name):
        """The number of an enum value, e.g. ("streamgrpc.v1.ImportFormat", "IMPORT_FORMAT_CSV")."""
        package, _, name = enum_full_name.rpartition(".")
        for f in self.files:
            if f.package != package:
                continue
            for enum in f.enum_type:
                if enum.name == name:
                    for value in enum.value:
                        if value.name == value_name:
                            return value.number
        raise KeyError(f"{enum_full_name}.{value_name}")


def status_name(code):
    """'DEADLINE_EXCEEDED' for grpc.StatusCode.DEADLINE_EXCEEDED."""
    return code.name if isinstance(code, grpc.StatusCode) else str(code)
