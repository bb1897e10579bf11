"""The broker goes away and comes back: the gateway says 503 within seconds instead of hanging,
and every process reconnects on its own, with no restart.

The machine's RabbitMQ is shared, so the outage is staged with a TCP proxy between this module's
own platform and the broker (tests/e2e/tcp_proxy.py): cutting it looks, from the platform, exactly
like a broker that died (connections dropped, new ones refused). The tests run in file order and
share one outage (module fixture)."""
import time

import pytest

from tests.e2e import stack
from tests.e2e.stack import record_timing, wait_until
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.timeout(150)

UNAVAILABLE_WITHIN = 5.0
RECOVERED_WITHIN = 30.0


@pytest.fixture(scope="module")
def broker_proxy():
    broker = stack.Broker.from_uri(stack.AMQP_URI)
    proxy = TcpProxy(broker.host, broker.port).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def proxied_platform(rabbit_admin, broker_proxy, tmp_path_factory):
    """A platform of its own whose every AMQP connection goes through the proxy."""
    with stack.platform_of_its_own(rabbit_admin, tmp_path_factory, "proxied", "127.0.0.1", broker_proxy.port) as running:
        yield running


@pytest.fixture(scope="module")
def broker_cut(proxied_platform, broker_proxy):
    pids = proxied_platform.pids()
    # Every process holds a connection through the proxy before we pull the plug.
    assert broker_proxy.connection_count >= len(pids)
    broker_proxy.cut()
    outage = {"cut_at": time.monotonic(), "pids": pids}
    yield outage
    broker_proxy.restore()


def _healthz_503_all_down(platform):
    response = platform.get("/healthz", timeout=UNAVAILABLE_WITHIN)
    return response.status_code == 503 and set(response.json()["services"].values()) == {"down"}


def _api_json_503_unavailable(platform):
    response = platform.get_municipality(timeout=UNAVAILABLE_WITHIN)
    return (response.status_code == 503
            and response.headers["Content-Type"].startswith("application/json")
            and response.json()["error"]["code"] == "unavailable")


def _grpc_not_serving(platform):
    return platform.platform.grpc_health("") == "NOT_SERVING"


def test_http_and_grpc_answer_unavailable_within_5s_of_losing_the_broker(proxied_platform,
                                                                          broker_cut):
    """Polled together, so each time is when that answer first appeared. The gRPC process polls
    the services every GRPC_HEALTH_INTERVAL (2 s) and answers health checks from the last poll,
    so it lags the gateway's /healthz by up to one interval."""
    checks = {
        "/healthz 503, every service down": _healthz_503_all_down,
        "GET municipality: JSON 503 unavailable": _api_json_503_unavailable,
        "gRPC health NOT_SERVING": _grpc_not_serving,
    }
    seen = {}

    def all_seen():
        for what, check in checks.items():
            if what not in seen and check(proxied_platform):
                seen[what] = time.monotonic() - broker_cut["cut_at"]
        return len(seen) == len(checks)

    remaining = broker_cut["cut_at"] + UNAVAILABLE_WITHIN - time.monotonic()
    try:
        wait_until(all_seen, timeout=max(remaining, 0.1),
                   describe=lambda _: "missing: %s" % sorted(set(checks) - set(seen)))
    finally:
        for what, seconds in seen.items():
            record_timing("broker cut -> " + what, seconds)
    assert max(seen.values()) <= UNAVAILABLE_WITHIN


def test_every_process_reconnects_within_30s_of_the_broker_returning(
        proxied_platform, broker_proxy, broker_cut):
    broker_proxy.restore()

    def recovered():
        return (proxied_platform.get("/healthz").status_code == 200
                and proxied_platform.platform.grpc_health("") == "SERVING")

    def still_down(_):
        return "still down: /healthz %s, gRPC %s" % (
            proxied_platform.platform.http_health(), proxied_platform.platform.grpc_health(""))

    seconds, _ = wait_until(recovered, timeout=RECOVERED_WITHIN, interval=0.25,
                            describe=still_down)
    record_timing("broker restored -> /healthz 200 and gRPC SERVING", seconds)
    assert proxied_platform.get_municipality().status_code == 200
    # Recovered by reconnecting, not by restarting anything.
    assert proxied_platform.pids() == broker_cut["pids"]
    assert proxied_platform.platform.unexpected_exits() == {}
    assert broker_proxy.connection_count >= len(broker_cut["pids"])
