"""The Flask app factory: settings, request ids, body limit, metrics, errors, routes."""
import logging
import re
import time
import uuid
from dataclasses import dataclass

from flask import Flask, g, request

from contracts import errors
from contracts.errors import DomainError
from gateway.http import errors as http_errors
from gateway.http.api import api
from gateway.http import web_app
from gateway.http.routes import meta
from servicekit import metrics

log = logging.getLogger(__name__)

# Route modules register their operations on `api` when imported.
from gateway.http.routes import municipalities  # noqa: E402,F401
from gateway.http.routes import auth  # noqa: E402,F401
from gateway.http.routes import city  # noqa: E402,F401
from gateway.http.routes import me  # noqa: E402,F401
from gateway.http.routes import neighbourhoods  # noqa: E402,F401
from gateway.http.routes import participation  # noqa: E402,F401
from gateway.http.routes import announcements, feed  # noqa: E402,F401
from gateway.http.routes import chat, notifications  # noqa: E402,F401
from gateway.http.routes import calendar, organisations  # noqa: E402,F401
from gateway.http.routes import web_config  # noqa: E402,F401
from gateway.http.routes import api_keys  # noqa: E402,F401
from gateway.http.routes import helpers  # noqa: E402,F401
from gateway.http.routes import moderation  # noqa: E402,F401
from gateway.http.routes import translations  # noqa: E402,F401
from gateway.http.routes import notification_settings  # noqa: E402,F401
from gateway.http.routes import password_reset  # noqa: E402,F401

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass
class GatewaySettings:
    rpc: object  # servicekit.rpc_client.RpcClient or anything with call / call_async
    public_key: object
    rpc_timeout: float = 5.0
    health_timeout: float = 1.5
    max_body_bytes: int = 64 * 1024
    # gateway.http.revocations.SessionRevocations, or None to trust tokens until they expire.
    revocations: object = None
    # gateway.http.client_address.TrustedProxies: who resolves the client address for the
    # per-client limits; None uses the socket address.
    trusted_proxies: object = None
    # The built web app (web/dist) served at /; None serves none (and keeps the plain API page).
    web_dist: str = None
    # The map tile server the web app's Content-Security-Policy lets images come from.
    tile_origin: str = web_app.DEFAULT_TILE_ORIGIN


def create_app(settings: GatewaySettings):
    app = Flask("quartier-gateway")
    app.config["QUARTIER"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    http_errors.register_error_handlers(app)
    api.register_routes(app)
    meta.register_documents(app, api.operations)
    web_app.register(app, settings.web_dist, settings.tile_origin)
    # Routes that declare a larger body limit (by endpoint); every other one has the default.
    body_limits = {
        operation.operation_id: operation.max_body_bytes
        for operation in api.operations if operation.max_body_bytes
    }

    @app.before_request
    def start_request():
        g.started = time.perf_counter()
        supplied = request.headers.get("X-Request-Id", "")
        # Keep a caller's id so one request can be followed across systems; never trust junk.
        g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
        limit = body_limits.get(request.endpoint, settings.max_body_bytes)
        # Also bounds a body sent without Content-Length (chunked) while it is read.
        request.max_content_length = limit
        length = request.content_length
        if length is not None and length > limit:
            raise DomainError(errors.PAYLOAD_TOO_LARGE, "request body exceeds %d bytes" % limit)

    @app.after_request
    def finish_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        if "started" in g:
            metrics.HTTP_LATENCY.labels(request.method, route).observe(
                time.perf_counter() - g.started
            )
        return response

    return app
