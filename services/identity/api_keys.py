"""API keys of a municipality's own systems (population register, GIS, ticketing) for the gRPC API.

A key reads `qk_<key id>_<secret>`: the key id (64 random bits, hex) is public and names the
record, so a lookup is one primary-key read, not a scan over hashes; the secret is 256 random bits
and only its SHA-256 is stored. A plain hash is enough here (unlike passwords): nobody can guess
256 random bits, so a slow hash would only cost every call CPU. Comparison is constant-time.

Admins of the municipality create, list and revoke its keys; the secret is shown once, at
creation. A revoked key stays listed (who revoked it, when) and never works again.
"""
import hashlib
import hmac
import re
import secrets
from dataclasses import asdict, dataclass, replace
from typing import Optional

from contracts import errors
from contracts.caller import ADMIN, MUNICIPAL_SYSTEM, Caller
from servicekit import text as normalised

PREFIX = "qk"
KEY_ID_BYTES = 8
SECRET_BYTES = 32
NAME_MAX = 100
# Bounds what a municipality can pile up; revoked keys count (they stay listed for audit).
KEYS_PER_MUNICIPALITY_MAX = 100
_KEY_PATTERN = re.compile(r"^qk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")

ACTIVE = "active"
REVOKED = "revoked"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    municipality_id: str
    name: str
    secret_hash: str
    created_by: str
    created_at: float
    revoked_at: Optional[float] = None
    revoked_by: Optional[str] = None

    @property
    def status(self):
        return REVOKED if self.revoked_at is not None else ACTIVE

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__ if name in data})

    def public(self):
        """What admins see in listings: never the secret nor its hash."""
        return {"key_id": self.key_id, "municipality_id": self.municipality_id,
                "name": self.name, "status": self.status, "created_by": self.created_by,
                "created_at": self.created_at, "revoked_at": self.revoked_at,
                "revoked_by": self.revoked_by}


def secret_hash(secret):
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def new_key(municipality_id, name, created_by, now):
    """(the key in clear, to be shown once; the record to store)."""
    key_id = secrets.token_hex(KEY_ID_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    record = ApiKey(key_id=key_id, municipality_id=municipality_id, name=name,
                    secret_hash=secret_hash(secret), created_by=created_by, created_at=now)
    return "%s_%s_%s" % (PREFIX, key_id, secret), record


def parse(presented):
    """(key id, secret) of a well-formed key, or None: junk is refused before any lookup."""
    if not isinstance(presented, str):
        return None
    match = _KEY_PATTERN.match(presented)
    return (match.group(1), match.group(2)) if match else None


def matches(record, secret):
    return record is not None and hmac.compare_digest(record.secret_hash, secret_hash(secret))


def check_name(name):
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        raise errors.invalid("invalid API key", details={
            "name": "1 to %d characters naming the system that uses the key" % NAME_MAX})
    # shown in the dashboard's key list: names' rules (no control, bidi or invisible-only)
    problem = normalised.text_problem(name, NAME_MAX)
    if problem:
        raise errors.invalid("invalid API key", details={"name": problem})
    return name.strip()


def authorize_manager(caller: Caller, municipality_id):
    """Only the municipality's admins manage its keys (the platform too: seed, CLI)."""
    if caller.is_system:
        return
    if caller.role != ADMIN or not caller.municipality_id \
            or caller.municipality_id != municipality_id:
        raise errors.forbidden("only admins of this municipality manage its API keys")


def revoked(record, by, now):
    return replace(record, revoked_at=now, revoked_by=by)


def unauthenticated():
    # One answer for malformed, unknown, wrong-secret and revoked keys: a caller learns nothing
    # about which key ids exist.
    return errors.DomainError(errors.UNAUTHENTICATED, "unknown or revoked API key")


def authenticated(record):
    """What the gRPC process learns about a valid key: whom to act as, never the hash."""
    return {"key_id": record.key_id, "municipality_id": record.municipality_id,
            "name": record.name, "role": MUNICIPAL_SYSTEM, "user_id": caller_id(record.key_id)}


def caller_id(key_id):
    """The user id a key acts under: distinct from every account id (those are uuid4 hex), so
    what a system creates is attributed to its key."""
    return "apikey:%s" % key_id
