"""Message classes for the interop contracts, built at run time from a descriptor set.

Debian's python3-grpc-tools (1.14) generates code that Debian's python3-protobuf (4.21, C++
implementation) refuses to load, so instead of generated *_pb2 modules the peers compile the
.proto files with grpc_tools' protoc into a FileDescriptorSet (--include_imports) and build the
classes from it with google.protobuf.message_factory. That works with any protobuf runtime that
can read a descriptor set.
"""

import os
import tempfile

import grpc_tools
from grpc_tools import protoc
from google.protobuf import descriptor_pb2, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP_PROTOS = os.path.normpath(os.path.join(HERE, "..", "protos"))
REPO_PROTOS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "protos"))
WELL_KNOWN_PROTOS = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")

TEST_PROTOS = ["grpc/testing/test.proto"]
REFLECTION_PROTOS = ["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"]


def load_messages(proto_files):
    """Compiles proto_files (import paths under the interop and repository proto roots) and
    returns {full message name: class}."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        args = [
            "protoc",
            "-I" + INTEROP_PROTOS,
            "-I" + REPO_PROTOS,
            "-I" + WELL_KNOWN_PROTOS,
            "--include_imports",
            "--descriptor_set_out=" + out,
        ] + list(proto_files)
        if protoc.main(args) != 0:
            raise RuntimeError("protoc failed for " + " ".join(proto_files))
        with open(out, "rb") as f:
            file_set = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    return message_factory.GetMessages(list(file_set.file))


class TestingMessages:
    """The grpc.testing message classes as attributes (Empty, SimpleRequest, ...)."""

    def __init__(self):
        classes = load_messages(TEST_PROTOS)
        for full_name, cls in classes.items():
            if full_name.startswith("grpc.testing."):
                setattr(self, full_name[len("grpc.testing."):], cls)


def serializer(cls):
    return lambda message: message.SerializeToString()


def deserializer(cls):
    return cls.FromString
