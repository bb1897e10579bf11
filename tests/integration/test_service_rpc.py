"""Service-to-service calls (servicekit ServiceRpc): a callee's DomainError arrives intact, a
service that is not running is UNAVAILABLE at once, and a slow one is a TIMEOUT — never a hang."""
import time

import eventlet
import pytest

from contracts import errors, rpc
from contracts.caller import SYSTEM_CALLER
from contracts.errors import DomainError
from contracts.rpc import RpcMethod
from servicekit.nameko_extensions import ServiceRpc
from servicekit.nameko_extensions import rpc as rpc_entrypoint
from services.identity.service import IdentityService

SLOW = RpcMethod("slowpoke", "wait")
ABSENT = RpcMethod("absent_service", "anything")


class Slowpoke:
    name = "slowpoke"

    @rpc_entrypoint
    def wait(self, seconds):
        eventlet.sleep(seconds)
        return "late"


class Relay:
    """Calls another service on behalf of the test and reports what happened."""

    name = "relay"
    others = ServiceRpc(default_timeout=0.5)

    @rpc_entrypoint
    def relay(self, routing_key, **kwargs):
        service, method = routing_key.split(".")
        started = time.monotonic()
        try:
            result = self.others.call(RpcMethod(service, method), **kwargs)
            outcome = {"result": result}
        except DomainError as exc:
            outcome = {"code": exc.code, "message": exc.message}
        outcome["seconds"] = time.monotonic() - started
        return outcome


@pytest.fixture
def relay(start_service, cluster_rpc):
    start_service(Relay)
    return cluster_rpc.relay


def test_a_callees_domain_error_arrives_with_its_code(relay, start_service):
    start_service(IdentityService)
    outcome = relay.relay(rpc.identity.GET_MUNICIPALITY.routing_key,
                          caller=SYSTEM_CALLER.to_dict(), municipality_id="nowhere")
    assert outcome["code"] == errors.NOT_FOUND
    assert outcome["message"] == "municipality not found"


def test_a_successful_call_returns_the_callees_result(relay, start_service):
    start_service(IdentityService)
    outcome = relay.relay(rpc.identity.HEALTH.routing_key)
    assert outcome["result"]["service"] == "identity"


def test_a_service_that_is_not_running_is_unavailable_at_once(relay):
    outcome = relay.relay(ABSENT.routing_key)
    assert outcome["code"] == errors.UNAVAILABLE
    assert outcome["seconds"] < 0.5


def test_a_slow_service_is_a_timeout_after_the_deadline(relay, start_service):
    start_service(Slowpoke)
    outcome = relay.relay(SLOW.routing_key, seconds=3)
    assert outcome["code"] == errors.TIMEOUT
    assert 0.5 <= outcome["seconds"] < 1.5
