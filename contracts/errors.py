"""Error codes that cross process boundaries, and the one table mapping them to HTTP and gRPC.

A service raises `DomainError(code, message)`; nameko serialises it as
`{"exc_path": "contracts.errors.DomainError", "exc_args": [code, message, details], ...}` and the
gateway's RPC client rebuilds it. Any other exception from a service is an internal error.
"""
import json

INVALID = "invalid"
UNAUTHENTICATED = "unauthenticated"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
CONFLICT = "conflict"
PAYLOAD_TOO_LARGE = "payload_too_large"
UNPROCESSABLE = "unprocessable"
RATE_LIMITED = "rate_limited"
INTERNAL = "internal"
UNAVAILABLE = "unavailable"
TIMEOUT = "timeout"

# code -> (HTTP status, gRPC status name). gRPC names are grpc.StatusCode member names, kept as
# strings so this module imports nothing.
STATUS = {
    INVALID: (400, "INVALID_ARGUMENT"),
    UNAUTHENTICATED: (401, "UNAUTHENTICATED"),
    FORBIDDEN: (403, "PERMISSION_DENIED"),
    NOT_FOUND: (404, "NOT_FOUND"),
    METHOD_NOT_ALLOWED: (405, "UNIMPLEMENTED"),
    CONFLICT: (409, "ALREADY_EXISTS"),
    PAYLOAD_TOO_LARGE: (413, "INVALID_ARGUMENT"),
    UNPROCESSABLE: (422, "FAILED_PRECONDITION"),
    RATE_LIMITED: (429, "RESOURCE_EXHAUSTED"),
    INTERNAL: (500, "INTERNAL"),
    UNAVAILABLE: (503, "UNAVAILABLE"),
    TIMEOUT: (504, "DEADLINE_EXCEEDED"),
}

HTTP_STATUS_CODE = {status: code for code, (status, _) in STATUS.items()}


def http_status(code):
    return STATUS.get(code, STATUS[INTERNAL])[0]


def grpc_status_name(code):
    return STATUS.get(code, STATUS[INTERNAL])[1]


class DomainError(Exception):
    """An expected failure with a code from this module, safe to show to the caller."""

    def __init__(self, code, message, details=None):
        if code not in STATUS:
            raise ValueError("unknown error code %r" % (code,))
        # On the wire (nameko) exception args become strings, so details travel JSON-encoded and
        # are decoded here when a DomainError is rebuilt from them: numbers stay numbers. No
        # details argument at all when there are none (a None would arrive as the text "None").
        if isinstance(details, str):
            try:
                details = json.loads(details)
            except ValueError:
                pass
        wire = (code, message) if details is None else (
            code, message, json.dumps(details, default=str, sort_keys=True))
        super().__init__(*wire)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self):
        return "%s: %s" % (self.code, self.message)

    def to_dict(self):
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


def invalid(message, details=None):
    return DomainError(INVALID, message, details)


def not_found(message="not found"):
    return DomainError(NOT_FOUND, message)


def forbidden(message="forbidden"):
    return DomainError(FORBIDDEN, message)


def conflict(message, details=None):
    return DomainError(CONFLICT, message, details)
