"""Ended sessions, so the gateway refuses their access tokens at once.

Access tokens are verified locally (no call per request) and live 15 minutes. Logout, the reuse of
a spent refresh token, a password change or an erasure end a session in identity; this poller asks
identity every few seconds which sessions ended lately and keeps their ids until the tokens they
could have issued have expired. Every gateway process polls for itself, so the limit holds across
processes. If identity does not answer, the last known list stays in force (and tokens still
expire), so an identity outage never locks everyone out."""
import logging
import threading
import time

from contracts import rpc
from contracts.caller import SYSTEM_CALLER
from contracts.errors import DomainError
from servicekit.tokens import ACCESS_TOKEN_TTL

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 2.0
# Overlap between polls, so a revocation stored while a poll was answered is not missed.
OVERLAP_SECONDS = 5.0
KEEP_SECONDS = ACCESS_TOKEN_TTL + 60


class SessionRevocations:
    def __init__(self, rpc_client, interval=DEFAULT_INTERVAL, clock=time.time):
        self._rpc = rpc_client
        self._interval = interval
        self._clock = clock
        self._revoked = {}  # session id -> when we learnt of it
        self._lock = threading.Lock()
        self._since = None
        self._stopping = threading.Event()
        self._thread = None

    def is_revoked(self, session_id):
        with self._lock:
            return session_id in self._revoked

    def refresh(self):
        """One poll; True when identity answered."""
        now = self._clock()
        since = self._since if self._since is not None else now - KEEP_SECONDS
        try:
            answer = self._rpc.call(rpc.identity.REVOKED_SESSIONS, timeout=self._interval * 2,
                                    caller=SYSTEM_CALLER.to_dict(), since=since)
        except DomainError as exc:
            log.debug("revoked sessions not refreshed: %s", exc)
            return False
        with self._lock:
            for session_id in answer["session_ids"]:
                self._revoked.setdefault(session_id, now)
            for session_id, learnt in list(self._revoked.items()):
                if learnt < now - KEEP_SECONDS:
                    del self._revoked[session_id]
        self._since = float(answer["as_of"]) - OVERLAP_SECONDS
        return True

    def _run(self):
        while not self._stopping.is_set():
            self.refresh()
            self._stopping.wait(self._interval)

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="session-revocations",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
