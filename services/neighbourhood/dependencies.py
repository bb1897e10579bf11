"""Neighbourhood's dependency providers: its repository and the inbox that makes event handling
idempotent without losing messages."""
import logging
import uuid

from contracts.errors import DomainError
from servicekit.nameko_extensions import RepositoryProvider
from services.neighbourhood.repository import (
    MongoInbox, MongoNeighbourhoods, SqliteInbox, SqliteNeighbourhoods,
)

log = logging.getLogger(__name__)

# Handlers are declared with requeue_on_error: a failure puts the message back on the queue. After
# this many failed attempts it is parked instead, so one poison message cannot spin forever.
MAX_ATTEMPTS = 5


class Neighbourhoods(RepositoryProvider):
    sqlite_adapter = SqliteNeighbourhoods
    mongo_adapter = MongoNeighbourhoods


class EventInbox(RepositoryProvider):
    sqlite_adapter = SqliteInbox
    mongo_adapter = MongoInbox

    def get_dependency(self, worker_ctx):
        return Inbox(self.repository)


class Inbox:
    def __init__(self, repository):
        self.repository = repository

    def handle(self, event, payload, apply):
        """Run `apply(payload)` once per event_id; on success record the id.

        `apply` must itself be idempotent: a crash after it ran and before the id was recorded
        replays it. A DomainError means the message itself is wrong (retrying cannot help): it is
        parked at once. Anything else is raised so nameko requeues the message, until
        MAX_ATTEMPTS failures park it. Parked messages stay in the store for an operator."""
        event_id = payload.get("event_id") if isinstance(payload, dict) else None
        if not isinstance(event_id, str) or not event_id:
            self._park("unidentified:" + uuid.uuid4().hex, event, payload, "no event_id")
            return
        if self.repository.handled(event_id):
            return
        try:
            apply(payload)
        except DomainError as exc:
            self._park(event_id, event, payload, str(exc))
        except Exception as exc:
            attempts = self.repository.record_failure(event_id)
            if attempts < MAX_ATTEMPTS:
                log.warning("%s %s failed (attempt %d of %d), requeued: %r",
                            event.name, event_id, attempts, MAX_ATTEMPTS, exc)
                raise
            self._park(event_id, event, payload, "failed %d times: %r" % (attempts, exc))
            return
        self.repository.mark_handled(event_id, event.name)

    def _park(self, event_id, event, payload, reason):
        log.error("parked %s %s: %s", event.name, event_id, reason)
        self.repository.park(event_id, event.name, payload, reason)
        # A parked message counts as handled: its replay must not run it half-way again.
        self.repository.mark_handled(event_id, event.name)
