"""Bearer-token authentication. The gateway only verifies (it holds the public key); the caller it
derives travels with every RPC so the owning service makes the real authorization decision."""
from flask import request

from contracts import errors
from contracts.caller import ANONYMOUS
from contracts.errors import DomainError
from servicekit.tokens import verify_access_token


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(public_key, required):
    """The Caller for this request: verified from the bearer token, or anonymous when the route
    allows it. A token that is present but invalid is always refused, even on open routes."""
    token = bearer_token()
    if token is None:
        if required:
            raise DomainError(errors.UNAUTHENTICATED, "a bearer access token is required")
        return ANONYMOUS
    return verify_access_token(token, public_key)


def require_role(caller, roles):
    """Coarse role check, the gateway's second line of defence; services check again."""
    if roles and caller.role not in roles:
        raise DomainError(errors.FORBIDDEN, "this route is for %s" % " or ".join(sorted(roles)))
