"""The seven services' health, asked over RPC: on demand (Platform.GetStatus) and continuously, to
keep the standard `grpc.health.v1` service current for load balancers and orchestrators."""
import logging
import threading
from dataclasses import dataclass

from grpc_health.v1 import health_pb2

from contracts import rpc, services
from contracts.errors import DomainError

log = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"

# A health answer slower than this means the service is in trouble, whatever RPC_TIMEOUT allows
# for real work; it also bounds how stale the health service can get behind one hung service.
PROBE_TIMEOUT_CAP = 1.5

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    ok: bool
    version: str = ""
    store: str = ""
    uptime_s: float = 0.0
    detail: str = ""

    @property
    def status(self):
        return OK if self.ok else DOWN


def probe_timeout(rpc_timeout):
    return min(float(rpc_timeout), PROBE_TIMEOUT_CAP)


def health_service_name(service):
    """The name a service's status has in the grpc.health.v1 service, e.g. "quartier.identity"."""
    return "quartier.%s" % service


def check_services(rpc_client, names, timeout):
    """Ask each named service for its health. Every call goes out before any answer is awaited,
    so a check takes as long as the slowest service, not the sum of all."""
    pending = [(name, rpc_client.call_async(rpc.HEALTH[name], timeout=timeout)) for name in names]
    return [_health_from(name, call) for name, call in pending]


def _health_from(name, call):
    try:
        reply = call.result()
    except DomainError as exc:
        return ServiceHealth(name, ok=False, detail=exc.message)
    reply = reply if isinstance(reply, dict) else {}
    if reply.get("status") != OK:
        return ServiceHealth(name, ok=False, detail="reported status %r" % reply.get("status"))
    return ServiceHealth(
        name,
        ok=True,
        version=str(reply.get("version") or ""),
        store=str(reply.get("store") or ""),
        uptime_s=float(reply.get("uptime_s") or 0.0),
    )


class HealthPoller:
    """Polls every service's `health` RPC every `interval` seconds and publishes the outcome to a
    grpc_health HealthServicer: each service under `quartier.<name>`, and the `aggregate_names`
    (the overall "" and the process's own gRPC services) SERVING only while all seven are ok."""

    def __init__(self, rpc_client, health_servicer, interval, timeout, aggregate_names=("",),
                 names=services.ALL):
        self.health_servicer = health_servicer
        self._rpc_client = rpc_client
        self._interval = float(interval)
        self._timeout = float(timeout)
        self._aggregate_names = tuple(aggregate_names)
        self._names = tuple(names)
        self._last_ok = {}
        self._stopping = threading.Event()
        self._thread = None
        # Nothing has answered yet: not serving until the first round says otherwise.
        for name in self._names:
            self.health_servicer.set(health_service_name(name), NOT_SERVING)
        for name in self._aggregate_names:
            self.health_servicer.set(name, NOT_SERVING)

    def poll_once(self):
        results = check_services(self._rpc_client, self._names, self._timeout)
        self._publish(results)
        return results

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="health-poller", daemon=True)
            self._thread.start()
        return self

    def stop(self):
        """Stop polling and report NOT_SERVING for good: without polling the statuses would go
        stale, and a process shutting down should be drained by its load balancer."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self._timeout + 1)
        self.health_servicer.enter_graceful_shutdown()

    def _run(self):
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except Exception:  # a bug here must not silently freeze the last published status
                log.exception("health poll failed")
                failed = [ServiceHealth(name, ok=False, detail="poll failed") for name in self._names]
                self._publish(failed)
            self._stopping.wait(self._interval)

    def _publish(self, results):
        for result in results:
            self._log_change(result)
            self.health_servicer.set(
                health_service_name(result.name), SERVING if result.ok else NOT_SERVING
            )
        overall = SERVING if results and all(r.ok for r in results) else NOT_SERVING
        for name in self._aggregate_names:
            self.health_servicer.set(name, overall)

    def _log_change(self, result):
        # Only transitions (and services down from the start) are logged: a service down for an
        # hour must not fill the log.
        previous = self._last_ok.get(result.name)
        self._last_ok[result.name] = result.ok
        if not result.ok and previous is not False:
            log.warning("%s is down: %s", result.name, result.detail)
        elif result.ok and previous is False:
            log.info("%s is back", result.name)
