"""The gateway's request logging: the Flask request's id on every log line written while serving
it, and one access line per request (method, path, status, duration, request id).

Hooked on Flask's signals rather than inside the app factory, so logging stays the business of the
process that configures it (gateway.http.server); tests that build the app log nothing extra."""
import logging
import time

from flask import g, has_request_context, request, request_finished

from servicekit import logs

log = logging.getLogger("quartier.access")

# Probes hit these every few seconds; their lines would bury the real traffic.
QUIET_PATHS = frozenset({"/healthz"})


class FlaskRequestIdFilter(logs.RequestIdFilter):
    """The id the gateway chose for the request being served (g.request_id, see app.py)."""

    def request_id(self):
        if has_request_context():
            request_id = g.get("request_id")
            if request_id:
                return request_id
        return super().request_id()


# Path parameters that name a person: logged as the route's placeholder, never as the id, so
# that the access log (kept beyond any erasure) does not say who blocked whom.
PERSON_PARAMETERS = frozenset({"user_id"})


def logged_path():
    """The request's path, with any person's id replaced by its placeholder ("{user_id}")."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in PERSON_PARAMETERS and isinstance(value, str) and value:
            path = path.replace(value, "{%s}" % name)
    return path


def _log_response(sender, response, **_extra):
    started = g.get("started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    route = request.url_rule.rule if request.url_rule else "unmatched"
    level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
    path = logged_path()
    log.log(
        level, "%s %s %s", request.method, path, response.status_code,
        extra={"method": request.method, "path": path, "route": route,
               "status": response.status_code, "duration_ms": duration_ms},
    )


def log_requests():
    """Write an access line for every request of every Flask app in this process."""
    request_finished.connect(_log_response)
