"""Sessions: rotating refresh tokens in chains ("families").

A login starts a chain; every refresh spends the presented token and hands out the next one of the
same chain. A spent token presented again means two parties hold the chain (a thief and the owner),
and nobody can tell which is which: the whole chain is revoked, so both must sign in again.

Refresh tokens are 256 random bits, so a fast hash (SHA-256) is enough to keep the stored ones
useless to whoever reads the database; a slow hash is only needed for guessable secrets."""
import hashlib
import secrets
import uuid
from dataclasses import asdict, dataclass, replace
from typing import Optional

from contracts import errors
from contracts.errors import DomainError
from servicekit.tokens import ACCESS_TOKEN_TTL

REFRESH_TOKEN_BYTES = 32
REFRESH_TOKEN_TTL = 30 * 24 * 3600  # a chain idle this long ends; each rotation renews it
# How far back ended sessions matter: an access token of an older one has expired anyway.
REVOCATION_WINDOW = ACCESS_TOKEN_TTL + 60

ACTIVE = "active"
ROTATED = "rotated"
REVOKED = "revoked"

ROTATE = "rotate"
REUSE = "reuse"


@dataclass(frozen=True)
class RefreshToken:
    token_hash: str
    family_id: str
    user_id: str
    status: str
    issued_at: float
    expires_at: float
    spent_at: Optional[float] = None

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__ if name in data})


def hash_refresh_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_refresh_token(user_id, now, family_id=None):
    """(the token to hand out once, the record to store). Without a family, a new chain starts."""
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    record = RefreshToken(
        token_hash=hash_refresh_token(token),
        family_id=family_id or uuid.uuid4().hex,
        user_id=user_id,
        status=ACTIVE,
        issued_at=now,
        expires_at=now + REFRESH_TOKEN_TTL,
    )
    return token, record


def unauthenticated(message):
    return DomainError(errors.UNAUTHENTICATED, message)


def refresh_decision(record: Optional[RefreshToken], now):
    """ROTATE when `record` may be spent now, REUSE when it was spent before (the caller revokes
    the chain, then refuses); anything else is refused outright."""
    if record is None:
        raise unauthenticated("invalid refresh token")
    if record.status == ROTATED:
        return REUSE
    if record.status == REVOKED:
        raise unauthenticated("this session has ended; sign in again")
    if record.expires_at <= now:
        raise unauthenticated("refresh token expired; sign in again")
    return ROTATE


def reuse_refused():
    return unauthenticated("refresh token already used: the session was ended everywhere for "
                           "safety; sign in again")


def token_response(access_token, refresh_token, account):
    return {
        "token_type": "Bearer",
        "access_token": access_token,
        "expires_in": ACCESS_TOKEN_TTL,
        "refresh_token": refresh_token,
        "refresh_expires_in": REFRESH_TOKEN_TTL,
        "user": account.profile(),
    }


def describe_for_export(records):
    """Sessions as the account holder may see them: when, not the secrets."""
    return [{"session_id": r.family_id, "issued_at": r.issued_at, "expires_at": r.expires_at,
             "status": r.status} for r in records]


def spent(record: RefreshToken, now):
    return replace(record, status=ROTATED, spent_at=now)
