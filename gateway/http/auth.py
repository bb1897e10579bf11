"""Bearer-token authentication. The gateway only verifies (it holds the public key); the caller it
derives travels with every RPC so the owning service makes the real authorization decision."""
from flask import request

from contracts import errors
from contracts.caller import ANONYMOUS
from contracts.errors import DomainError
from servicekit.tokens import access_token_claims, caller_from_claims


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(public_key, required, revocations=None):
    """The Caller for this request: verified from the bearer token, or anonymous when the route
    allows it. A token that is present but invalid is always refused, even on open routes, and so
    is one whose session has ended (logout, refresh-token reuse, erasure)."""
    token = bearer_token()
    if token is None:
        if required:
            raise DomainError(errors.UNAUTHENTICATED, "a bearer access token is required")
        return ANONYMOUS
    claims = access_token_claims(token, public_key)
    if revocations is not None and claims.get("sid") and revocations.is_revoked(claims["sid"]):
        raise DomainError(errors.UNAUTHENTICATED, "this session has ended; sign in again")
    return caller_from_claims(claims)


def require_role(caller, roles):
    """Coarse role check, the gateway's second line of defence; services check again."""
    if roles and caller.role not in roles:
        raise DomainError(errors.FORBIDDEN, "this route is for %s" % " or ".join(sorted(roles)))
