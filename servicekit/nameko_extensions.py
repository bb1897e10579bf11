"""Nameko building blocks every service uses: the `rpc` decorator that treats DomainError as
expected, entrypoint metrics, the per-service store, repository providers and the base class with
the `health` RPC. Only service processes import this module (it pulls in nameko/eventlet)."""
import contextlib
import functools
import logging
import time
import weakref

import eventlet
from nameko import exceptions as nameko_exceptions
from nameko.events import event_handler as nameko_event_handler
from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from nameko.rpc import MethodProxy, ReplyListener
from nameko.rpc import rpc as nameko_rpc
from nameko.timer import timer

from contracts import errors, events
from contracts.errors import DomainError
from servicekit import VERSION, event_inbox, idempotency, metrics
from servicekit.store import open_store, repository_for
from servicekit.worker_context import RequestIds, WorkerLog, entrypoint_kind, outcome_of

log = logging.getLogger(__name__)

# `@rpc` with DomainError declared expected: nameko then logs it as a normal outcome, not a crash.
rpc = functools.partial(nameko_rpc, expected_exceptions=(DomainError,))

# Let nameko rebuild a DomainError raised by another service as a DomainError (code, message and
# details intact) instead of a generic RemoteError.
nameko_exceptions.registry[nameko_exceptions.get_module_path(DomainError)] = DomainError

SERVICE_RPC_TIMEOUT = 5.0

# Reconnect to the broker every 1..5 s. nameko's consumer uses kombu's default backoff (2, 4, 6 ...
# up to 30 s between attempts) and offers no setting for it, so after a long broker outage a
# service could stay deaf for up to 30 s after the broker came back. nameko's RPC and event
# entrypoints share this one consumer class, so this is the one place to change it.
RECONNECT_MAX_INTERVAL = 5


@contextlib.contextmanager
def _establish_connection_promptly(self):
    with self.create_connection() as connection:
        connection.ensure_connection(
            self.on_connection_error, self.connect_max_retries,
            interval_start=1, interval_step=1, interval_max=RECONNECT_MAX_INTERVAL,
        )
        yield connection


QueueConsumer.establish_connection = _establish_connection_promptly


class EntrypointMetrics(DependencyProvider):
    """RED metrics for every entrypoint of the service, and the /metrics endpoint on METRICS_PORT.

    Label sets are created at setup so a freshly started service already exposes a histogram per
    entrypoint (dashboards and alerts see zeros, not missing series)."""

    def __init__(self):
        self._started = weakref.WeakKeyDictionary()

    def setup(self):
        service = self.container.service_name
        for entrypoint in self.container.entrypoints:
            kind = entrypoint_kind(entrypoint)
            metrics.ENTRYPOINT_LATENCY.labels(service, entrypoint.method_name, kind)
            for outcome in (metrics.SUCCESS, metrics.CLIENT_ERROR, metrics.SERVER_ERROR):
                metrics.ENTRYPOINT_CALLS.labels(service, entrypoint.method_name, kind, outcome)
        metrics.serve_metrics(self.container.config.get("METRICS_PORT"))

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        if started is None:
            return
        entrypoint = worker_ctx.entrypoint
        labels = (self.container.service_name, entrypoint.method_name, entrypoint_kind(entrypoint))
        outcome = outcome_of(exc_info)
        metrics.ENTRYPOINT_LATENCY.labels(*labels).observe(time.perf_counter() - started)
        metrics.ENTRYPOINT_CALLS.labels(*labels, outcome).inc()


class _SharedStores:
    """One store per running container, shared by all its repository providers and closed when
    the last of them stops."""

    def __init__(self):
        # Keyed by id(): extensions hold the container through a weakref proxy, which cannot
        # itself be weakly referenced; entries are removed when the container stops.
        self._stores = {}

    def acquire(self, container):
        entry = self._stores.get(id(container))
        if entry is None:
            entry = [open_store(container.service_name, container.config), 0]
            self._stores[id(container)] = entry
        entry[1] += 1
        return entry[0]

    def release(self, container):
        entry = self._stores.get(id(container))
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            entry[0].close()
            del self._stores[id(container)]


shared_stores = _SharedStores()


class ServiceStore(DependencyProvider):
    """Gives the entrypoint the service's store (for health checks and store-level operations)."""

    def setup(self):
        self.store = shared_stores.acquire(self.container)
        self.started_at = time.time()

    def stop(self):
        shared_stores.release(self.container)

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return ServiceStoreHandle(self.store, self.started_at)


class ServiceStoreHandle:
    """The store, plus when this service instance started (for health)."""

    def __init__(self, store, started_at):
        self.store = store
        self.started_at = started_at
        self.kind = store.kind

    def ping(self):
        return self.store.ping()

    def forget_deleted(self):
        return self.store.forget_deleted()


class RepositoryProvider(DependencyProvider):
    """Base for `Foo = FooRepositoryProvider()` attributes: subclasses name their two adapters."""

    sqlite_adapter = None
    mongo_adapter = None

    def setup(self):
        store = shared_stores.acquire(self.container)
        self.repository = repository_for(store, self.sqlite_adapter, self.mongo_adapter)

    def stop(self):
        shared_stores.release(self.container)

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.repository


class EventInbox(RepositoryProvider):
    """The service's event inbox (servicekit.event_inbox): deduplication and parked retries."""

    sqlite_adapter = event_inbox.SqliteEventInbox
    mongo_adapter = event_inbox.MongoEventInbox

    def get_dependency(self, worker_ctx):
        first_delay = self.container.config.get(
            "EVENT_RETRY_FIRST_DELAY", event_inbox.FIRST_RETRY_SECONDS)
        return InboxHandle(self.repository, self.container.service_name, float(first_delay))


class InboxHandle:
    def __init__(self, repository, service_name, first_delay=event_inbox.FIRST_RETRY_SECONDS):
        self.repository = repository
        self.service_name = service_name
        self.first_delay = first_delay

    def forget_user(self, user_id):
        return self.repository.forget_user(user_id)

    def record_erased(self, user_id):
        return self.repository.record_erased(user_id)

    def erased_among(self, payload):
        return self.repository.erased_among(payload)

    def _count(self, handler, outcome):
        metrics.EVENT_DELIVERIES.labels(self.service_name, handler, outcome).inc()

    def deliver(self, handler, payload, run):
        """Run a handler once per event: skip duplicates; park a failure for a later retry.
        Only if parking itself fails does this raise, and the handler is declared with
        requeue_on_error, so the broker delivers the event again: nothing is lost."""
        key = event_inbox.event_key(payload)
        if self.repository.is_processed(handler, key):
            self._count(handler, "duplicate")
            return None
        try:
            result = run()
        except Exception as exc:
            log.exception("%s.%s failed on event %s; parking it for retry",
                          self.service_name, handler, key)
            try:
                self.repository.park(handler, key, payload, repr(exc), attempts=1,
                                     retry_at=time.time() + event_inbox.retry_delay(1, self.first_delay))
            except Exception:
                log.exception("could not park event %s; returning it to the broker", key)
                eventlet.sleep(1)  # throttle redelivery while the store is failing
                raise exc from None
            self._count(handler, "parked")
            return None
        self.repository.record_processed(handler, key)
        self._count(handler, "handled")
        return result

    def retry_due(self, service):
        """Retry the parked events that are due, with the handler methods of `service`."""
        for handler, key, payload, attempts in self.repository.claim_due():
            method = getattr(type(service), handler, None)
            run = getattr(method, "handle_directly", None)
            try:
                if run is None:
                    raise LookupError("no event handler %r any more" % handler)
                run(service, payload)
            except Exception as exc:
                attempts += 1
                dead = attempts >= event_inbox.MAX_ATTEMPTS or run is None
                log.warning("retry %d of %s.%s on event %s failed: %r%s", attempts,
                            self.service_name, handler, key, exc,
                            "; giving up (dead)" if dead else "")
                self.repository.park(handler, key, payload, repr(exc), attempts,
                                     time.time() + event_inbox.retry_delay(attempts, self.first_delay),
                                     dead=dead)
                self._count(handler, "dead" if dead else "parked")
            else:
                self.repository.resolve(handler, key)
                self._count(handler, "retried")
                erase_again_if_late(service, method, payload)


def erase_again_if_late(service, method, payload):
    """An event naming someone already erased (it arrived, or was retried, after the erasure)
    may have stored something about them again: run the service's erasure once more. Its
    handlers are idempotent, so this costs nothing when the event stored nothing."""
    if getattr(method, "handles_event", None) == events.USER_ERASED.name:
        return
    for user_id in service.event_inbox.erased_among(payload):
        log.info("%s: an event named an erased person; erasing again", service.name)
        for name in dir(type(service)):
            handler = getattr(type(service), name, None)
            if getattr(handler, "handles_event", None) == events.USER_ERASED.name:
                handler.handle_directly(service, {"user_id": user_id, "municipality_id": None})


def event_handler(event, **options):
    """Subscribe a service method to a declared event (a contracts.events.EventType) through the
    service's inbox: at most one successful run per event_id, failures parked and retried with
    backoff instead of being acknowledged and lost. The method must be idempotent all the same
    (a crash between running and recording re-runs it)."""

    def decorate(method):
        @functools.wraps(method)
        def handle(self, payload):
            result = self.event_inbox.deliver(
                method.__name__, payload, functools.partial(method, self, payload)
            )
            erase_again_if_late(self, handle, payload)
            return result

        handle.handle_directly = method
        handle.handles_event = event.name
        return nameko_event_handler(
            event.source, event.name, requeue_on_error=True, **options
        )(handle)

    return decorate


class IdempotencyKeys(RepositoryProvider):
    """`self.idempotency.run(caller, "create_post", key, request, create)`: see
    servicekit.idempotency. Declare it on the services whose RPCs create things."""

    sqlite_adapter = idempotency.SqliteIdempotencyKeys
    mongo_adapter = idempotency.MongoIdempotencyKeys

    def get_dependency(self, worker_ctx):
        return IdempotentRuns(self.repository)


class IdempotentRuns:
    # Concurrent replays wait this long for the first request to finish, within the gateway's
    # 5 s RPC timeout; past it they get a conflict they may retry.
    WAIT_SECONDS = 4.0
    POLL_SECONDS = 0.02

    def __init__(self, repository):
        self.repository = repository

    def forget_user(self, user_id):
        return self.repository.forget_user(user_id)

    def run(self, caller, operation, key, request, create):
        """Return create()'s result, once per (operation, user, key): a replay with the same
        request gets the first result, a different request with the same key is refused (422).
        With no key, just create."""
        if key is None:
            return create()
        idempotency.validate_key(key)
        scope = "%s:%s" % (operation, caller.user_id or "anonymous")
        request_fingerprint = idempotency.fingerprint(request)
        deadline = time.monotonic() + self.WAIT_SECONDS
        while True:
            state, response = self.repository.begin(scope, key, request_fingerprint)
            if state == idempotency.NEW:
                try:
                    result = create()
                except BaseException:
                    # A refused or failed request created nothing: the key may be used again.
                    self.repository.abandon(scope, key)
                    raise
                self.repository.complete(scope, key, result)
                return result
            if state == idempotency.REPLAY:
                return response
            if state == idempotency.MISMATCH:
                raise idempotency.replay_mismatch()
            if time.monotonic() > deadline:
                raise errors.conflict("a request with this Idempotency-Key is still in progress")
            eventlet.sleep(self.POLL_SECONDS)


EVENT_RETRY_INTERVAL = 5  # seconds between looks at the parked events


class QuartierService:
    """Base of every Quartier service: metrics, the store, the event inbox and `health`."""

    name = None  # set by each service from contracts.services

    # Request ids for logs and onward calls, and a log line per call (servicekit.worker_context).
    request_ids = RequestIds()
    worker_log = WorkerLog()
    entrypoint_metrics = EntrypointMetrics()
    service_store = ServiceStore()
    event_inbox = EventInbox()

    @timer(interval=EVENT_RETRY_INTERVAL)
    def retry_parked_events(self):
        self.event_inbox.retry_due(self)

    @event_handler(events.USER_ERASED)
    def forget_erased_user(self, payload):
        """Erasure, for what every service keeps beside its own repositories: the person's
        idempotency records (stored responses hold their texts), parked events naming them; then
        the store's write-ahead log, which still holds deleted rows, is made final on disk.
        Each service's own user_erased handlers call `finish_erasure()` as they end too: whichever
        runs last leaves nothing behind."""
        user_id = payload["user_id"]
        self.event_inbox.record_erased(user_id)
        idempotency_keys = getattr(self, "idempotency", None)
        if idempotency_keys is not None:
            idempotency_keys.forget_user(user_id)
        self.event_inbox.forget_user(user_id)
        self.finish_erasure()

    def finish_erasure(self):
        self.service_store.forget_deleted()

    @rpc
    def health(self):
        """Version, store kind and uptime; raises if the store does not answer, so a service
        whose database is gone shows as down rather than ok."""
        self.service_store.ping()
        return {
            "service": self.name,
            "status": "ok",
            "version": VERSION,
            "store": self.service_store.kind,
            "uptime_s": round(time.time() - self.service_store.started_at, 1),
        }


class ServiceRpc(DependencyProvider):
    """Service-to-service calls with a timeout (nameko's RpcProxy has none, and a call to a dead
    service would hang the worker forever). Methods are named by contracts.rpc constants:

        neighbourhoods = ServiceRpc()
        ...
        self.neighbourhoods.call(rpc.neighbourhood.LOCATE, timeout=3, points=[...])

    Failures arrive as DomainError: the callee's own, TIMEOUT, or UNAVAILABLE."""

    reply_listener = ReplyListener()

    def __init__(self, default_timeout=SERVICE_RPC_TIMEOUT):
        self.default_timeout = default_timeout

    def get_dependency(self, worker_ctx):
        return ServiceRpcClient(worker_ctx, self.reply_listener, self.default_timeout)


class ServiceRpcClient:
    def __init__(self, worker_ctx, reply_listener, default_timeout):
        self._worker_ctx = worker_ctx
        self._reply_listener = reply_listener
        self._default_timeout = default_timeout

    def call(self, method, timeout=None, **kwargs):
        timeout = self._default_timeout if timeout is None else timeout
        proxy = MethodProxy(self._worker_ctx, method.service, method.name, self._reply_listener)
        timer = eventlet.Timeout(timeout)
        try:
            return proxy(**kwargs)
        except eventlet.Timeout as exc:
            if exc is not timer:
                raise
            raise DomainError(
                errors.TIMEOUT, "%s did not answer within %.1fs" % (method, timeout)
            ) from None
        except nameko_exceptions.UnknownService:
            raise DomainError(errors.UNAVAILABLE, "%s is not running" % method.service) from None
        except nameko_exceptions.RemoteError as exc:
            raise DomainError(errors.INTERNAL, "internal error in %s" % method.service) from exc
        finally:
            timer.cancel()
