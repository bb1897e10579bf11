"""The one import point for the Python code generated from contracts/proto by `make proto`.

protoc writes modules that import each other by their proto package path
(`from quartier.platform.v1 import platform_pb2`), so the generated directory has to be a root on
`sys.path`. This module puts it there once (appended, so it can never shadow an installed package)
and re-exports the modules. Everything else imports `from gateway.grpc.protos import ...`, never
`gateway.grpc.generated...` by file path: the same .proto imported under two module names would be
registered twice in protobuf's descriptor pool.
"""
import os
import sys

GENERATED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated")

if GENERATED_DIR not in sys.path:
    sys.path.append(GENERATED_DIR)

try:
    from quartier.municipal.v1 import municipal_pb2, municipal_pb2_grpc
    from quartier.platform.v1 import platform_pb2, platform_pb2_grpc
except ModuleNotFoundError as exc:
    if not (exc.name or "").startswith("quartier"):
        raise
    raise ModuleNotFoundError(
        "generated gRPC code not found in %s: run `make proto`" % GENERATED_DIR, name=exc.name
    ) from exc

__all__ = ["GENERATED_DIR", "municipal_pb2", "municipal_pb2_grpc", "platform_pb2",
           "platform_pb2_grpc"]
