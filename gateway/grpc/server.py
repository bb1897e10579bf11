"""The gRPC process: municipal systems' entry to Quartier, beside the HTTP gateway.

    python -m gateway.grpc.server          (config: gateway/grpc/config.yaml, or $GRPC_CONFIG)

Plain grpcio on threads, never eventlet (grpcio hangs under monkey patching), so nothing here
imports nameko: services are reached through the same pika RPC client as the HTTP gateway.
Serves the Platform and Municipal services, the standard health service (kept current by a poller) and server
reflection (so grpcurl and similar tools work without the .proto files).
"""
import logging
import logging.config
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health as grpc_health
from grpc_health.v1 import health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from gateway.grpc.api_keys import ApiKeyAuthenticator
from gateway.grpc.health import HealthPoller, probe_timeout
from gateway.grpc.interceptors import MetricsInterceptor
from gateway.grpc.municipal import MunicipalServicer
from gateway.grpc.protos import municipal_pb2, municipal_pb2_grpc, platform_pb2, platform_pb2_grpc
from gateway.grpc.request_log import RequestLogInterceptor
from gateway.grpc.servicers import PlatformServicer
from servicekit.config import load_config
from servicekit.metrics import serve_metrics
from servicekit.rpc_client import RpcClient

log = logging.getLogger(__name__)

DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.yaml")
PLATFORM_SERVICE = platform_pb2.DESCRIPTOR.services_by_name["Platform"].full_name
MUNICIPAL_SERVICE = municipal_pb2.DESCRIPTOR.services_by_name["Municipal"].full_name


def load(path=None):
    return load_config(path or os.environ.get("GRPC_CONFIG") or DEFAULT_CONFIG)


def build_server(config, rpc_client):
    """A ready-to-start server with every servicer registered and its port bound, plus the health
    poller to start beside it. `rpc_client` is anything with RpcClient's call/call_async, so tests
    inject a fake and need no broker. Returns (server, bound port, health poller)."""
    rpc_timeout = float(config["RPC_TIMEOUT"])
    server = grpc.server(
        ThreadPoolExecutor(max_workers=int(config["MAX_WORKERS"]), thread_name_prefix="grpc"),
        interceptors=[RequestLogInterceptor(), MetricsInterceptor()],
    )
    health_servicer = grpc_health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    platform_pb2_grpc.add_PlatformServicer_to_server(
        PlatformServicer(rpc_client, rpc_timeout), server
    )
    municipal_pb2_grpc.add_MunicipalServicer_to_server(
        MunicipalServicer(
            rpc_client, rpc_timeout,
            ApiKeyAuthenticator(rpc_client, rpc_timeout,
                                cache_seconds=float(config.get("API_KEY_CACHE_SECONDS", 5))),
            max_streams=int(config["MAX_WORKERS"]) // 2),
        server,
    )
    reflection.enable_server_reflection(
        (PLATFORM_SERVICE, MUNICIPAL_SERVICE, grpc_health.SERVICE_NAME, reflection.SERVICE_NAME),
        server,
    )
    poller = HealthPoller(
        rpc_client,
        health_servicer,
        interval=float(config["HEALTH_INTERVAL"]),
        timeout=probe_timeout(rpc_timeout),
        aggregate_names=(grpc_health.OVERALL_HEALTH, PLATFORM_SERVICE, MUNICIPAL_SERVICE),
    )
    port = _bind(server, config)
    return server, port, poller


def _bind(server, config):
    host = str(config["GRPC_HOST"])
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host  # IPv6 literal
    address = "%s:%s" % (host, config["GRPC_PORT"])
    credentials = server_credentials(config)
    if credentials is None:
        return server.add_insecure_port(address)
    return server.add_secure_port(address, credentials)


def server_credentials(config):
    """TLS credentials from the configured PEM files, or None for a plaintext port."""
    cert, key, client_ca = (
        config.get("GRPC_TLS_CERT"), config.get("GRPC_TLS_KEY"), config.get("GRPC_TLS_CLIENT_CA")
    )
    if not cert and not key:
        if client_ca:
            raise ValueError("GRPC_TLS_CLIENT_CA needs GRPC_TLS_CERT and GRPC_TLS_KEY")
        return None
    if not (cert and key):
        raise ValueError("TLS needs both GRPC_TLS_CERT and GRPC_TLS_KEY")
    root_certificates = _read(client_ca) if client_ca else None
    return grpc.ssl_server_credentials(
        [(_read(key), _read(cert))],
        root_certificates=root_certificates,
        require_client_auth=root_certificates is not None,
    )


def _transport(config):
    if not config.get("GRPC_TLS_CERT"):
        return "plaintext"
    return "mutual TLS" if config.get("GRPC_TLS_CLIENT_CA") else "TLS"


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def main():
    config = load()
    if config.get("LOGGING"):
        logging.config.dictConfig(config["LOGGING"])
    else:
        logging.basicConfig(level=logging.INFO)

    rpc_client = RpcClient(
        config["AMQP_URI"], default_timeout=float(config["RPC_TIMEOUT"]), client_name="grpc"
    ).start()
    server, port, poller = build_server(config, rpc_client)
    serve_metrics(config["METRICS_PORT"])

    stop_requested = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop_requested.set())

    server.start()
    poller.start()
    log.info("gRPC (%s) on %s:%s", _transport(config), config["GRPC_HOST"], port)
    stop_requested.wait()

    # Health first, so load balancers stop sending calls; then let in-flight calls finish (they
    # still need the RPC client); then close the broker connection.
    grace = float(config["SHUTDOWN_GRACE"])
    log.info("stopping: in-flight calls get %.0fs to finish", grace)
    poller.stop()
    server.stop(grace).wait()
    rpc_client.stop()
    log.info("stopped")


if __name__ == "__main__":
    main()
