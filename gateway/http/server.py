"""`python -m gateway.http.server`: the HTTP gateway under waitress (threaded, not monkey-patched).

GATEWAY_CONFIG points at another YAML; every value in the default one is overridable by env."""
import logging
import os
import signal
import sys

from waitress.server import create_server

from gateway.http import request_log
from gateway.http.api import api
from gateway.http.app import GatewaySettings, create_app
from gateway.http.client_address import parse_trusted_proxies
from gateway.http.revocations import SessionRevocations
from servicekit import logs
from servicekit.config import load_config, var_dir
from servicekit.metrics import serve_metrics
from servicekit.rpc_client import RpcClient
from servicekit.tokens import load_public_key

DEFAULT_CONFIG = os.path.join(os.path.dirname(__file__), "config.yaml")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def largest_body_limit(default_limit):
    return max([default_limit] + [op.max_body_bytes for op in api.operations if op.max_body_bytes])


def main():
    config = load_config(os.environ.get("GATEWAY_CONFIG", DEFAULT_CONFIG))
    logs.configure("gateway", config.get("LOG_LEVEL", "INFO"), quiet=("pika",),
                   request_filter=request_log.FlaskRequestIdFilter)
    request_log.log_requests()
    log = logging.getLogger("gateway")
    rpc_client = RpcClient(
        config["AMQP_URI"], default_timeout=float(config["RPC_TIMEOUT"]), client_name="gateway"
    ).start()
    if not rpc_client.connected:
        log.warning("broker not reachable yet; answering 503 until it is")
    revocations = SessionRevocations(
        rpc_client, interval=float(config["REVOCATION_POLL_SECONDS"])).start()
    settings = GatewaySettings(
        rpc=rpc_client,
        revocations=revocations,
        public_key=load_public_key(var_dir(config)),
        rpc_timeout=float(config["RPC_TIMEOUT"]),
        health_timeout=float(config["HEALTH_TIMEOUT"]),
        max_body_bytes=int(config["MAX_BODY_BYTES"]),
        trusted_proxies=parse_trusted_proxies(config.get("TRUSTED_PROXIES")),
        web_dist=os.path.join(REPO_ROOT, config["WEB_DIST"]),
        tile_origin=config["MAP_TILE_ORIGIN"],
    )
    app = create_app(settings)
    serve_metrics(config.get("METRICS_PORT"))
    server = create_server(
        app, host=config["HOST"], port=int(config["PORT"]), threads=int(config["THREADS"]),
        # waitress refuses bodies over this before Flask sees them, so it is the largest limit any
        # route declares; the app enforces each route's own limit (64 KiB unless declared).
        max_request_body_size=largest_body_limit(settings.max_body_bytes), ident="quartier",
        channel_timeout=30,
        # waitress drops X-Forwarded-* headers unless it trusts the peer itself; with trusted
        # proxies configured, gateway.http.client_address reads them instead (it takes CIDRs).
        clear_untrusted_proxy_headers=settings.trusted_proxies.none,
    )

    def shutdown(signum, _frame):
        log.info("signal %s: stopping", signum)
        server.close()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    log.info("gateway on http://%s:%s", config["HOST"], server.effective_port)
    try:
        server.run()
    except (OSError, ValueError):
        pass  # raised by the closed socket map when shutting down
    finally:
        revocations.stop()
        rpc_client.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
