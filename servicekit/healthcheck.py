"""Health probes for containers (docker compose healthchecks, Kubernetes exec probes):

    python -m servicekit.healthcheck identity            # the service answers its health RPC
    python -m servicekit.healthcheck --http http://127.0.0.1:8080/healthz
    python -m servicekit.healthcheck --grpc 127.0.0.1:50051

Exit 0 when healthy, 1 otherwise, with one line saying why; every probe gives up after --timeout
seconds, so a hung dependency fails the probe instead of hanging it.

A service's health RPC goes through the broker to the service's shared queue, so it proves that
*an* instance of the service answers, not necessarily the one in this container; the metrics port
(an HTTP GET of /metrics) is the per-instance liveness signal."""
import argparse
import os
import sys
import urllib.error
import urllib.request

from contracts import rpc, services
from contracts.errors import DomainError

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_TIMEOUT = 3.0


def check_service(name, amqp_uri, timeout):
    from servicekit.rpc_client import RpcClient

    client = RpcClient(amqp_uri, default_timeout=timeout, client_name="healthcheck")
    try:
        client.start(wait=timeout)
        reply = client.call(rpc.HEALTH[name], timeout=timeout)
    except DomainError as exc:
        return False, "%s: %s (%s)" % (name, exc.message, exc.code)
    finally:
        client.stop()
    if not isinstance(reply, dict) or reply.get("status") != "ok":
        return False, "%s: reported %r" % (name, reply)
    return True, "%s: ok (version %s, store %s, up %ss)" % (
        name, reply.get("version"), reply.get("store"), reply.get("uptime_s"))


def check_http(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return True, "%s: %d" % (url, response.status)
    except urllib.error.HTTPError as exc:
        return False, "%s: %d" % (url, exc.code)
    except (urllib.error.URLError, OSError) as exc:
        return False, "%s: %s" % (url, getattr(exc, "reason", exc))


def check_grpc(target, timeout):
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError as exc:
            return False, "%s: %s" % (target, exc.code().name)
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return status == "SERVING", "%s: %s" % (target, status)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m servicekit.healthcheck",
                                     description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("service", nargs="?", choices=services.ALL)
    target.add_argument("--http", metavar="URL")
    target.add_argument("--grpc", metavar="HOST:PORT")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    if args.http:
        healthy, line = check_http(args.http, args.timeout)
    elif args.grpc:
        healthy, line = check_grpc(args.grpc, args.timeout)
    else:
        amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
        healthy, line = check_service(args.service, amqp_uri, args.timeout)
    print(line)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
