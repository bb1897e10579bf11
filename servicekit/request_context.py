"""The id of the request being served, for log lines and for the calls made on its behalf.

A ContextVar, so it is private to each thread (gateway, gRPC), greenlet (nameko workers: greenlet
gives every greenlet its own context) or task. Whoever starts serving a request binds it; the log
formatter and the RPC client read it from here, so nothing in between has to pass it along."""
import contextlib
import contextvars
import re
import uuid

_CURRENT = contextvars.ContextVar("quartier_request_id", default=None)

# What a caller may send us as an id: short and printable, so it cannot forge log lines or
# headers. Anything else is replaced by a fresh id.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def new_request_id():
    return uuid.uuid4().hex


def accept(supplied):
    """The caller's id if it is acceptable, else a new one."""
    if isinstance(supplied, str) and _ACCEPTABLE.match(supplied):
        return supplied
    return new_request_id()


def current():
    """The id of the request this thread/greenlet is serving, or None."""
    return _CURRENT.get()


def bind(request_id):
    """Make `request_id` current; returns a token for `unbind`."""
    return _CURRENT.set(request_id)


def unbind(token):
    _CURRENT.reset(token)


@contextlib.contextmanager
def bound(request_id):
    token = bind(request_id)
    try:
        yield request_id
    finally:
        unbind(token)
