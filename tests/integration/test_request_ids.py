"""One request id follows a request through a service, the service-to-service RPCs it makes and
the events it dispatches, so the logs of every service involved can be joined on it."""
import logging
import time

import eventlet

from nameko.events import EventDispatcher, event_handler
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter

from contracts.rpc import RpcMethod
from servicekit import logs, request_context
from servicekit.nameko_extensions import ServiceRpc
from servicekit.nameko_extensions import rpc as rpc_entrypoint
from servicekit.worker_context import RequestIds, WorkerLog
from tests.integration.helpers import RPC_TIMEOUT

BACK_SEEN = RpcMethod("back", "seen")
HANDLED = []  # request ids the event handler ran under


class Front:
    name = "front"
    request_ids = RequestIds()
    worker_log = WorkerLog()
    back = ServiceRpc()
    dispatch = EventDispatcher()

    @rpc_entrypoint
    def start(self):
        seen_by_back = self.back.call(BACK_SEEN)
        self.dispatch("touched", {"n": 1})
        return {"front": request_context.current(), "back": seen_by_back}


class Back:
    name = "back"
    request_ids = RequestIds()

    @rpc_entrypoint
    def seen(self):
        return request_context.current()

    @event_handler("front", "touched")
    def on_touched(self, payload):
        HANDLED.append(request_context.current())


class Records(logging.Handler):
    """Keeps what the JSON formatter would write for each record, filter applied."""

    def __init__(self):
        super().__init__()
        self.addFilter(logs.RequestIdFilter())
        self.setFormatter(logs.JsonFormatter("test"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def _start(start_service):
    """Start both services; returns Back's container (the one whose handler the tests await)."""
    HANDLED.clear()
    back = start_service(Back)
    start_service(Front)
    return back


def test_the_callers_request_id_reaches_the_callee_and_the_event_handler(
        start_service, rabbit_config):
    back = _start(start_service)
    records = Records()
    worker_logger = logging.getLogger("quartier.worker")
    level = worker_logger.level
    worker_logger.setLevel(logging.INFO)
    worker_logger.addHandler(records)
    try:
        with ClusterRpcProxy(rabbit_config, timeout=RPC_TIMEOUT,
                             context_data={"request_id": "req-from-gateway"}) as proxy:
            with entrypoint_waiter(back, "on_touched", timeout=RPC_TIMEOUT):
                seen = proxy.front.start()
        assert seen == {"front": "req-from-gateway", "back": "req-from-gateway"}
        assert HANDLED == ["req-from-gateway"]
        # The worker's own log line for the call carries the id too (it is written just after
        # the reply went out, hence the wait).
        _wait_for(lambda: any('"request_id": "req-from-gateway"' in line and "front.start" in line
                              for line in records.lines), lambda: records.lines)
    finally:
        worker_logger.removeHandler(records)
        worker_logger.setLevel(level)


def _wait_for(condition, describe, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, describe()
        eventlet.sleep(0.05)


def test_a_request_without_an_id_gets_one_that_still_follows_it(start_service, rabbit_config):
    back = _start(start_service)
    with ClusterRpcProxy(rabbit_config, timeout=RPC_TIMEOUT) as proxy:
        with entrypoint_waiter(back, "on_touched", timeout=RPC_TIMEOUT):
            seen = proxy.front.start()
    assert seen["front"] and seen["front"] == seen["back"] == HANDLED[0]


def test_a_junk_id_is_replaced_rather_than_written_to_the_logs(start_service, rabbit_config):
    _start(start_service)
    junk = 'x" injected\nline'
    with ClusterRpcProxy(rabbit_config, timeout=RPC_TIMEOUT,
                         context_data={"request_id": junk}) as proxy:
        seen = proxy.back.seen()
    assert seen and seen != junk
