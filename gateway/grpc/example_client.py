"""A minimal Quartier gRPC client: checks the server's health, then asks for the platform status.

    python -m gateway.grpc.example_client --target 127.0.0.1:50051
    python -m gateway.grpc.example_client --target quartier.example:443 --ca ca.pem \\
        --cert client.pem --key client-key.pem          (TLS; mutual TLS with --cert/--key)

To start your own client from this file: generate stubs from Quartier's .proto files,
    python -m grpc_tools.protoc -I contracts/proto --python_out=. --grpc_python_out=. \\
        contracts/proto/quartier/platform/v1/platform.proto
then import `from quartier.platform.v1 import platform_pb2, platform_pb2_grpc` instead of
`gateway.grpc.protos`. The health stubs come with the `grpcio-health-checking` package.

Habits worth copying: one channel for the whole program (it multiplexes calls and reconnects on
its own), a deadline (`timeout=`) on every call, and error handling on `grpc.RpcError`, whose
trailing metadata carries Quartier's exact error code under `quartier-error-code`.

For the municipal API (API key, statistics, register import, incident stream) see
gateway/grpc/municipal_example.py.

Exit status: 0 all ok, 1 platform degraded, 2 the call failed.
"""
import argparse
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.grpc.protos import platform_pb2, platform_pb2_grpc

PLATFORM_SERVICE = "quartier.platform.v1.Platform"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="host:port of the server")
    parser.add_argument("--timeout", type=float, default=3.0, help="deadline per call, seconds")
    parser.add_argument("--ca", help="PEM of the CA that signed the server certificate (TLS)")
    parser.add_argument("--cert", help="PEM client certificate (mutual TLS)")
    parser.add_argument("--key", help="PEM client private key (mutual TLS)")
    parser.add_argument("--service", action="append", default=[],
                        help="only this service (repeatable), e.g. --service identity")
    return parser.parse_args(argv)


def open_channel(args):
    if not (args.ca or args.cert):
        return grpc.insecure_channel(args.target)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(args.ca),
        private_key=_read(args.key),
        certificate_chain=_read(args.cert),
    )
    return grpc.secure_channel(args.target, credentials)


def _read(path):
    if not path:
        return None
    with open(path, "rb") as handle:
        return handle.read()


def print_health(channel, timeout):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", PLATFORM_SERVICE):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        print("health %-32s %s" % (service or "(overall)", status))


def print_platform_status(channel, timeout, services):
    platform = platform_pb2_grpc.PlatformStub(channel)
    reply = platform.GetStatus(platform_pb2.GetStatusRequest(services=services), timeout=timeout)
    print("platform: %s" % reply.status)
    for entry in reply.services:
        if entry.status == "ok":
            print("  %-14s ok    %s, %s store, up %.0fs" % (
                entry.name, entry.version, entry.store, entry.uptime_s))
        else:
            print("  %-14s down  %s" % (entry.name, entry.detail))
    return reply.status == "ok"


def main(argv=None):
    args = parse_args(argv)
    with open_channel(args) as channel:
        try:
            print_health(channel, args.timeout)
            all_ok = print_platform_status(channel, args.timeout, args.service)
        except grpc.RpcError as error:
            code = dict(error.trailing_metadata() or ()).get("quartier-error-code", "")
            print("call failed: %s %s %s" % (error.code().name, code, error.details()),
                  file=sys.stderr)
            return 2
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
