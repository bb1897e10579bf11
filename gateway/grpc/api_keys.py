"""Who a municipal system is: the API key in its call's metadata (`authorization: Bearer <key>`),
checked by identity (the owner of the keys) and remembered here for a few seconds.

Why a cache: a system streaming incident reports or importing a register in many calls would
otherwise cost identity one RPC per call. Why only CACHE_SECONDS (5 s): a revoked key must stop
working soon; within that window a revocation may not be seen yet by this process (documented in
the proto and docs/operations.md). Refusals are cached too (so a flood of wrong keys costs
identity little), but never an outage: identity being down is UNAVAILABLE, not a verdict.
The cache is keyed by a hash of the key, bounded in size, and holds no secret.
"""
import hashlib
import threading
import time

from contracts import errors, rpc
from contracts.caller import MUNICIPAL_SYSTEM, SYSTEM_CALLER, Caller
from contracts.errors import DomainError

CACHE_SECONDS = 5.0
CACHE_MAX_ENTRIES = 10_000
AUTHORIZATION_KEY = "authorization"
BEARER = "bearer "
KEY_MAX = 200


def unauthenticated(message):
    return DomainError(errors.UNAUTHENTICATED, message)


def presented_key(metadata):
    """The key of `authorization: Bearer <key>`, or None."""
    for name, value in metadata or ():
        if name.lower() == AUTHORIZATION_KEY and isinstance(value, str) \
                and value[:len(BEARER)].lower() == BEARER:
            key = value[len(BEARER):].strip()
            return key if 0 < len(key) <= KEY_MAX else None
    return None


class ApiKeyAuthenticator:
    def __init__(self, rpc_client, timeout, cache_seconds=None, clock=time.monotonic):
        self._rpc_client = rpc_client
        self._timeout = float(timeout)
        self._cache_seconds = float(CACHE_SECONDS if cache_seconds is None else cache_seconds)
        self._clock = clock
        self._cache = {}  # sha256(key) -> (valid until, identity dict or None for refused)
        self._lock = threading.Lock()

    def identify(self, metadata, timeout=None):
        """The identity of the key in `metadata` ({"key_id", "municipality_id", "user_id", ...});
        UNAUTHENTICATED without a key or for an unknown or revoked one."""
        key = presented_key(metadata)
        if key is None:
            raise unauthenticated("an API key is required: metadata authorization: Bearer <key>")
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        now = self._clock()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            identity = cached[1]
        else:
            identity = self._ask_identity(key, timeout)
            self._remember(digest, identity, now)
        if identity is None:
            raise unauthenticated("unknown or revoked API key")
        return identity

    def caller_for(self, metadata, municipality_id, timeout=None):
        """The caller a request acts as: a municipal system of the key's municipality. A request
        naming another municipality is PERMISSION_DENIED (the key is valid, the reach is not)."""
        identity = self.identify(metadata, timeout)
        if not municipality_id:
            raise errors.invalid("municipality_id is required",
                                 {"municipality_id": "the id of your municipality"})
        if municipality_id != identity["municipality_id"]:
            raise errors.forbidden("this API key belongs to another municipality")
        return Caller(user_id=identity["user_id"], role=MUNICIPAL_SYSTEM,
                      municipality_id=identity["municipality_id"])

    def _ask_identity(self, key, timeout):
        try:
            return self._rpc_client.call(
                rpc.identity.AUTHENTICATE_API_KEY,
                timeout=self._timeout if timeout is None else min(timeout, self._timeout),
                caller=SYSTEM_CALLER.to_dict(), api_key=key)
        except DomainError as exc:
            if exc.code == errors.UNAUTHENTICATED:
                return None
            raise

    def _remember(self, digest, identity, now):
        with self._lock:
            if len(self._cache) >= CACHE_MAX_ENTRIES:
                for stale in [d for d, (until, _) in self._cache.items() if until <= now]:
                    del self._cache[stale]
                if len(self._cache) >= CACHE_MAX_ENTRIES:
                    self._cache.clear()
            self._cache[digest] = (now + self._cache_seconds, identity)
