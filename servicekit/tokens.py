"""Access tokens: short-lived JWTs signed with Ed25519 (EdDSA), algorithm pinned on verification,
issuer, audience and expiry required.

Why asymmetric: identity signs, while the gateway and the gRPC process only verify, so they hold
the public key alone. Keys come from the environment (QUARTIER_JWT_PRIVATE_KEY /
QUARTIER_JWT_PUBLIC_KEY, PEM) or, on one machine, from a key generated once into var/keys/.
"""
import os
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts import errors
from contracts.caller import Caller
from contracts.errors import DomainError
from servicekit import keyfiles

ALGORITHM = "EdDSA"
ISSUER = "quartier-identity"
AUDIENCE = "quartier-api"
ACCESS_TOKEN_TTL = 15 * 60
KEY_FILE = os.path.join("keys", "jwt-ed25519.pem")


def _key_path(var_dir):
    return os.path.join(var_dir, KEY_FILE)


def load_private_key(var_dir):
    """The signing key: from QUARTIER_JWT_PRIVATE_KEY, else var/keys/ (created once, mode 0600).
    Creation is race-safe: O_EXCL means two processes starting together agree on one key."""
    pem = os.environ.get("QUARTIER_JWT_PRIVATE_KEY")
    if pem:
        return serialization.load_pem_private_key(pem.encode(), password=None)
    return serialization.load_pem_private_key(
        keyfiles.read_or_create(_key_path(var_dir), _new_private_key_pem), password=None)


def _new_private_key_pem():
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def load_public_key(var_dir):
    """The verification key: from QUARTIER_JWT_PUBLIC_KEY, else derived from the one-machine key."""
    pem = os.environ.get("QUARTIER_JWT_PUBLIC_KEY")
    if pem:
        return serialization.load_pem_public_key(pem.encode())
    return load_private_key(var_dir).public_key()


def issue_access_token(private_key, caller: Caller, ttl=ACCESS_TOKEN_TTL, now=None,
                       session_id=None):
    """`session_id` (claim `sid`) names the login session the token belongs to, so a gateway can
    refuse tokens of a session that ended before they expire."""
    now = int(now if now is not None else time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": caller.user_id,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "role": caller.role,
        "mun": caller.municipality_id,
        "nbh": caller.neighbourhood_id,
        "hh": caller.household_id,
    }
    if session_id:
        claims["sid"] = session_id
    return jwt.encode(claims, private_key, algorithm=ALGORITHM)


def verify_access_token(token, public_key, leeway=5):
    """Return the Caller a valid token names; any defect is UNAUTHENTICATED with no detail that
    would help forge one."""
    return caller_from_claims(access_token_claims(token, public_key, leeway))


def access_token_claims(token, public_key, leeway=5):
    """The claims of a valid token (same checks as verify_access_token)."""
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],  # pinned: `none`, HS256 with the public key, etc. are refused
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=leeway,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise DomainError(errors.UNAUTHENTICATED, "access token expired") from None
    except jwt.PyJWTError:
        raise DomainError(errors.UNAUTHENTICATED, "invalid access token") from None
    return claims


def caller_from_claims(claims):
    return Caller(
        user_id=claims["sub"],
        role=claims.get("role"),
        municipality_id=claims.get("mun"),
        neighbourhood_id=claims.get("nbh"),
        household_id=claims.get("hh"),
    )
