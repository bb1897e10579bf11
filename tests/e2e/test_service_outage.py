"""A crashed service: the gateway says so at once, requests that need it fail fast with a clear
JSON error instead of hanging, and the service comes back on restart without touching the
gateway. The tests run in file order and share one crash (module fixture); each also makes sense
alone."""
import time

import pytest

from contracts import services
from deploy.local.processes import GATEWAY, GRPC
from tests.e2e.stack import E2E_RPC_TIMEOUT, record_timing, wait_until

pytestmark = pytest.mark.timeout(120)

REPORTED_DOWN_WITHIN = 5.0
HEALTHY_AGAIN_WITHIN = 30.0


@pytest.fixture(scope="module")
def identity_crash(platform):
    """Identity killed with SIGKILL (a crash, no goodbye to the broker). Afterwards identity is
    running again, whatever the tests did, so later modules find a whole platform."""
    platform.platform.wait_healthy(HEALTHY_AGAIN_WITHIN)
    assert platform.get_municipality().status_code == 200
    gateways = {name: platform.pids()[name] for name in (GATEWAY, GRPC)}
    platform.platform.kill(services.IDENTITY)
    crash = {"killed_at": time.monotonic(), "gateway_pids": gateways}
    yield crash
    if platform.platform.processes[services.IDENTITY].poll() is not None:
        platform.platform.start_process(services.IDENTITY)
    platform.platform.wait_healthy(HEALTHY_AGAIN_WITHIN)


def _healthz_names_identity_down(platform):
    response = platform.get("/healthz", timeout=REPORTED_DOWN_WITHIN)
    body = response.json()
    if response.status_code == 503 and body["services"][services.IDENTITY] == "down":
        return body
    return None


def test_healthz_turns_503_naming_identity_down_within_5s(platform, identity_crash):
    remaining = identity_crash["killed_at"] + REPORTED_DOWN_WITHIN - time.monotonic()
    _, body = wait_until(lambda: _healthz_names_identity_down(platform),
                         timeout=max(remaining, 0.1))
    record_timing("identity killed -> /healthz 503",
                  time.monotonic() - identity_crash["killed_at"])
    assert body["status"] == "degraded"
    # Only identity is down: the others are still reported ok.
    assert {n: s for n, s in body["services"].items() if n != services.IDENTITY} == {
        n: "ok" for n in services.ALL if n != services.IDENTITY}


def test_request_needing_identity_fails_fast_with_a_json_503_or_504(platform, identity_crash):
    started = time.monotonic()
    response = platform.get_municipality(timeout=E2E_RPC_TIMEOUT + 5)
    took = time.monotonic() - started
    record_timing("identity down: GET municipality -> %d" % response.status_code, took)
    assert response.status_code in (503, 504)
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] in ("unavailable", "timeout") and error["message"]
    assert took <= E2E_RPC_TIMEOUT + 1


def test_restarted_identity_is_served_again_without_restarting_the_gateways(platform,
                                                                            identity_crash):
    platform.platform.start_process(services.IDENTITY)

    def healthy():
        response = platform.get("/healthz")
        return response.status_code == 200 and platform.platform.grpc_health("") == "SERVING"

    seconds, _ = wait_until(healthy, timeout=HEALTHY_AGAIN_WITHIN)
    record_timing("identity restarted -> /healthz 200 and gRPC SERVING", seconds)
    assert platform.get_municipality().status_code == 200
    assert {name: platform.pids()[name] for name in (GATEWAY, GRPC)} == \
        identity_crash["gateway_pids"]
    assert platform.platform.unexpected_exits() == {}
