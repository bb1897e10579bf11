"""What every nameko worker carries for observability: the request id it serves (taken from the
message that started it, so one id follows a request through RPC calls and events) and one log
line per entrypoint call. Service processes only (imports nameko)."""
import logging
import time
import weakref

from nameko.containers import WorkerContext
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer

from contracts.errors import DomainError
from servicekit import metrics, request_context

log = logging.getLogger("quartier.worker")

# nameko turns a message header `nameko.<key>` into worker_ctx.data[<key>] and writes
# worker_ctx.data back out as `nameko.<key>` headers on every RPC request and event the worker
# sends. The gateway's RPC client sends `nameko.request_id`.
REQUEST_ID_KEY = "request_id"

# Entrypoints polled every few seconds (probes' health checks, the gateways' ended-sessions poll):
# logging each call would drown the real ones.
QUIET_ENTRYPOINTS = frozenset({"health", "revoked_sessions"})
# Timers are housekeeping that runs every few seconds; their successes are not news.
QUIET_KINDS = frozenset({"timer"})


def _with_request_id(init):
    """Give every worker context an acceptable request id the moment it is built. A provider's
    worker_setup would be too late: nameko's EventDispatcher computes its message headers when it
    is injected, before any worker_setup runs, so a worker without an id would dispatch events
    without one. A caller's junk id is replaced here too, before anything logs or forwards it."""

    def init_with_request_id(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.data[REQUEST_ID_KEY] = request_context.accept(self.data.get(REQUEST_ID_KEY))

    return init_with_request_id


if not getattr(WorkerContext.__init__, "quartier_request_id", False):
    WorkerContext.__init__ = _with_request_id(WorkerContext.__init__)
    WorkerContext.__init__.quartier_request_id = True


def entrypoint_kind(entrypoint):
    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    return type(entrypoint).__name__.lower()


def outcome_of(exc_info):
    if exc_info is None:
        return metrics.SUCCESS
    if isinstance(exc_info[1], DomainError):
        return metrics.CLIENT_ERROR
    return metrics.SERVER_ERROR


class RequestIds(DependencyProvider):
    """Binds the worker's request id (the caller's, or a fresh one for a timer or an old client:
    see _with_request_id) for everything the worker logs. The id is in the worker's context
    data, which nameko sends along as headers, so the RPC calls and events it makes carry it."""

    def __init__(self):
        self._tokens = weakref.WeakKeyDictionary()

    def worker_setup(self, worker_ctx):
        # worker_setup and worker_teardown run in the worker's own greenlet, whose context this is.
        self._tokens[worker_ctx] = request_context.bind(worker_ctx.data[REQUEST_ID_KEY])

    def worker_teardown(self, worker_ctx):
        token = self._tokens.pop(worker_ctx, None)
        if token is not None:
            request_context.unbind(token)


class WorkerLog(DependencyProvider):
    """One INFO line per entrypoint call: which, how it ended, how long it took (health checks and
    timers at DEBUG)."""

    def __init__(self):
        self._started = weakref.WeakKeyDictionary()

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        if started is None:
            return
        entrypoint = worker_ctx.entrypoint
        name = "%s.%s" % (self.container.service_name, entrypoint.method_name)
        kind = entrypoint_kind(entrypoint)
        outcome = outcome_of(exc_info)
        quiet = entrypoint.method_name in QUIET_ENTRYPOINTS or kind in QUIET_KINDS
        level = logging.DEBUG if quiet else logging.INFO
        if outcome == metrics.SERVER_ERROR:
            level = logging.ERROR  # nameko logged the traceback already
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.log(
            level, "%s %s %s in %.1f ms", kind, name, outcome, duration_ms,
            extra={"entrypoint": name, "kind": kind, "outcome": outcome,
                   "duration_ms": duration_ms},
        )
