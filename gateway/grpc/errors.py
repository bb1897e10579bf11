"""Service errors and deadlines at the gRPC boundary.

The code -> status table lives in `contracts.errors` (shared with the HTTP gateway); this module
only applies it to a call: `DomainError` -> gRPC status, and the caller's deadline -> the timeout of
the RPCs made on its behalf, so a municipal system's deadline holds end to end.
"""
import functools
import json
import logging

import grpc

from contracts import errors
from contracts.errors import DomainError

log = logging.getLogger(__name__)

# Several codes share one gRPC status (`invalid` and `payload_too_large` are both
# INVALID_ARGUMENT), so the exact code and any details travel in trailing metadata as well.
ERROR_CODE_KEY = "quartier-error-code"
ERROR_DETAILS_KEY = "quartier-error-details"


def status_code(code):
    """The grpc.StatusCode for a Quartier error code (unknown codes are internal errors)."""
    return grpc.StatusCode[errors.grpc_status_name(code)]


def abort_with(context, exc):
    """End the call with the status matching `exc`. Like `context.abort`, this raises."""
    metadata = [(ERROR_CODE_KEY, exc.code)]
    if exc.details:
        # JSON in ASCII: metadata values that are not `-bin` must be printable ASCII.
        metadata.append((ERROR_DETAILS_KEY, json.dumps(exc.details, ensure_ascii=True)))
    context.set_trailing_metadata(metadata)
    context.abort(status_code(exc.code), exc.message)


def rpc_timeout(context, ceiling):
    """Seconds an RPC made for this call may take: `ceiling`, or less if the caller's deadline is
    nearer. Waiting past the deadline is wasted work: the caller has already given up."""
    remaining = context.time_remaining()
    if remaining is None:
        return ceiling
    return max(0.0, min(remaining, ceiling))


def maps_domain_errors(method):
    """Decorate a servicer method so a `DomainError` ends the call with its mapped status, and any
    other exception with INTERNAL and a generic message (the traceback goes to our log, not to
    the caller; grpcio would otherwise send the exception text)."""

    @functools.wraps(method)
    def servicer_method(self, request, context):
        try:
            return method(self, request, context)
        except DomainError as exc:
            abort_with(context, exc)
        except Exception:
            if context.code() is not None:
                raise  # the method chose its status (context.abort raises): keep it
            log.exception("%s failed", method.__qualname__)
            abort_with(context, DomainError(errors.INTERNAL, "internal error"))

    return servicer_method
