"""Routes about the platform itself: health, the OpenAPI document, the API page."""
import concurrent.futures

from flask import Response, current_app, jsonify

from contracts import rpc, services
from contracts.errors import DomainError
from gateway.http.api import api
from gateway.http.openapi import build_document, render_docs_page


def service_health(rpc_client, timeout):
    """Ask every service for its health at once; a service that errors or does not answer within
    `timeout` is down. With the broker unreachable every call fails at once, so this never waits
    longer than `timeout` in total."""
    pending = {
        name: rpc_client.call_async(rpc.HEALTH[name], timeout=timeout) for name in services.ALL
    }
    states = {}
    for name, call in pending.items():
        try:
            answer = call.result()
            states[name] = "ok" if answer and answer.get("status") == "ok" else "down"
        except (DomainError, concurrent.futures.CancelledError):
            states[name] = "down"
    return states


HEALTH = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "services": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": ["ok", "down"]},
        },
    },
}


@api.operation(
    "GET", "/healthz", tag="platform", auth=False, summary="Health of every service",
    response=HEALTH, errors=(503,),
)
def healthz(ctx):
    """200 when all seven services answer their health check, else 503 naming the ones down."""
    settings = current_app.config["QUARTIER"]
    states = service_health(ctx.rpc, settings.health_timeout)
    healthy = all(state == "ok" for state in states.values())
    return {"status": "ok" if healthy else "degraded", "services": states}, (
        200 if healthy else 503
    )


def openapi_document():
    return jsonify(current_app.config["QUARTIER_OPENAPI"])


def docs_page():
    return Response(
        render_docs_page(current_app.config["QUARTIER_OPENAPI"]), mimetype="text/html"
    )


def register_documents(app, operations):
    app.config["QUARTIER_OPENAPI"] = build_document(operations)
    app.add_url_rule("/api/v1/openapi.json", "openapi", openapi_document, methods=["GET"])
    app.add_url_rule("/api/v1/docs", "docs", docs_page, methods=["GET"])
