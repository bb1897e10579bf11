"""Every failure leaves the gateway as `{"error": {"code", "message"[, "details"]}}` with the status
from the one table in contracts.errors; nothing leaks a stack trace."""
import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from contracts import errors
from contracts.errors import DomainError

log = logging.getLogger(__name__)

# Werkzeug raises these for routing and parsing problems before our code runs.
_HTTP_MESSAGES = {
    400: "malformed request",
    404: "no such route",
    405: "method not allowed on this route",
    413: "request body too large",
}
RETRY_AFTER_SECONDS = "5"


def error_response(error: DomainError):
    response = jsonify({"error": error.to_dict()})
    response.status_code = errors.http_status(error.code)
    if error.code in (errors.UNAVAILABLE, errors.RATE_LIMITED):
        # A service that knows when trying again makes sense (a login lockout) says so.
        retry_after = (error.details or {}).get("retry_after") if isinstance(
            error.details, dict) else None
        response.headers["Retry-After"] = str(retry_after or RETRY_AFTER_SECONDS)
    if error.code == errors.UNAUTHENTICATED:
        response.headers["WWW-Authenticate"] = 'Bearer realm="quartier"'
    return response


def http_exception_response(exc: HTTPException):
    code = errors.HTTP_STATUS_CODE.get(exc.code, errors.INTERNAL if exc.code >= 500 else errors.INVALID)
    message = _HTTP_MESSAGES.get(exc.code, exc.description or exc.name)
    response = error_response(DomainError(code, message))
    response.status_code = exc.code
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected(exc):
    log.exception("unhandled error: %r", exc)
    return error_response(DomainError(errors.INTERNAL, "internal error"))


def register_error_handlers(app):
    app.register_error_handler(DomainError, error_response)
    app.register_error_handler(HTTPException, http_exception_response)
    app.register_error_handler(Exception, _unexpected)
