"""Every entrypoint call is counted by outcome and timed, labelled by service, entrypoint and
kind: what operators' dashboards and alerts read from /metrics."""
import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from prometheus_client import REGISTRY

from contracts import errors, events
from contracts.caller import SYSTEM_CALLER
from servicekit.nameko_extensions import QuartierService, rpc
from services.identity.service import IdentityService
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

CALLS = "quartier_entrypoint_calls_total"
DURATIONS = "quartier_entrypoint_duration_seconds_count"
OUTCOMES = ("success", "client_error", "server_error")


class MetricsProbe(QuartierService):
    """A service with one entrypoint per outcome (and one event handler)."""

    name = "metrics_probe"

    @rpc
    def succeed(self):
        return "fine"

    @rpc
    def refuse(self):
        raise errors.forbidden("not for you")

    @rpc
    def explode(self):
        raise RuntimeError("a bug")

    @event_handler(events.USER_ERASED.source, events.USER_ERASED.name)
    def on_user_erased(self, payload):
        return payload


def calls(service, entrypoint, kind, outcome):
    return REGISTRY.get_sample_value(CALLS, {
        "service": service, "entrypoint": entrypoint, "kind": kind, "outcome": outcome})


def timed(service, entrypoint, kind):
    return REGISTRY.get_sample_value(DURATIONS, {
        "service": service, "entrypoint": entrypoint, "kind": kind})


def snapshot(service, entrypoints):
    """{(entrypoint, kind, outcome): count} and {(entrypoint, kind): observations}, 0 if absent."""
    counted = {
        (entrypoint, kind, outcome): calls(service, entrypoint, kind, outcome) or 0.0
        for entrypoint, kind in entrypoints for outcome in OUTCOMES
    }
    durations = {(e, k): timed(service, e, k) or 0.0 for e, k in entrypoints}
    return counted, durations


def call_and_wait(container, cluster_rpc, method):
    """Call over RPC and wait until the worker is torn down (metrics are recorded after the
    reply is sent). Returns the error raised, if any."""
    with entrypoint_waiter(container, method, timeout=RPC_TIMEOUT):
        try:
            getattr(cluster_rpc.metrics_probe, method)()
        except RPC_ERRORS as error:
            return error
    return None


@pytest.fixture
def probe(start_service):
    return start_service(MetricsProbe)


PROBE_ENTRYPOINTS = [("succeed", "rpc"), ("refuse", "rpc"), ("explode", "rpc"),
                     ("on_user_erased", "event"), ("health", "rpc")]


def test_a_started_service_exposes_zeroed_series_for_every_entrypoint(probe):
    for entrypoint, kind in PROBE_ENTRYPOINTS:
        assert timed("metrics_probe", entrypoint, kind) is not None, entrypoint
        for outcome in OUTCOMES:
            assert calls("metrics_probe", entrypoint, kind, outcome) is not None


def test_each_outcome_is_counted_and_timed(probe, cluster_rpc):
    before_calls, before_timed = snapshot("metrics_probe", PROBE_ENTRYPOINTS)

    assert call_and_wait(probe, cluster_rpc, "succeed") is None
    assert call_and_wait(probe, cluster_rpc, "succeed") is None
    refused = call_and_wait(probe, cluster_rpc, "refuse")
    exploded = call_and_wait(probe, cluster_rpc, "explode")

    assert domain_error_code(refused) == errors.FORBIDDEN
    assert exploded.exc_type == "RuntimeError"
    after_calls, after_timed = snapshot("metrics_probe", PROBE_ENTRYPOINTS)
    increments = {key: after_calls[key] - before_calls[key] for key in after_calls
                  if after_calls[key] != before_calls[key]}
    assert increments == {
        ("succeed", "rpc", "success"): 2,
        ("refuse", "rpc", "client_error"): 1,
        ("explode", "rpc", "server_error"): 1,
    }
    observed = {key: after_timed[key] - before_timed[key] for key in after_timed
                if after_timed[key] != before_timed[key]}
    assert observed == {("succeed", "rpc"): 2, ("refuse", "rpc"): 1, ("explode", "rpc"): 1}


def test_event_handlers_are_counted_as_events(probe, rabbit_config):
    before = calls("metrics_probe", "on_user_erased", "event", "success")
    dispatch = event_dispatcher(rabbit_config)

    with entrypoint_waiter(probe, "on_user_erased", timeout=RPC_TIMEOUT):
        dispatch(events.USER_ERASED.source, events.USER_ERASED.name,
                 events.USER_ERASED.payload("user_erased:u1", user_id="u1", municipality_id="m1"))

    assert calls("metrics_probe", "on_user_erased", "event", "success") == before + 1


def test_a_real_service_labels_its_calls_with_its_own_name(start_service, cluster_rpc):
    identity = start_service(IdentityService)
    system = SYSTEM_CALLER.to_dict()
    before_ok = calls("identity", "list_municipalities", "rpc", "success")
    before_missing = calls("identity", "get_municipality", "rpc", "client_error")

    with entrypoint_waiter(identity, "list_municipalities", timeout=RPC_TIMEOUT):
        cluster_rpc.identity.list_municipalities(caller=system)
    with entrypoint_waiter(identity, "get_municipality", timeout=RPC_TIMEOUT):
        with pytest.raises(RPC_ERRORS) as missing:
            cluster_rpc.identity.get_municipality(caller=system, municipality_id="nope")

    assert domain_error_code(missing.value) == errors.NOT_FOUND
    assert calls("identity", "list_municipalities", "rpc", "success") == before_ok + 1
    assert calls("identity", "get_municipality", "rpc", "client_error") == before_missing + 1
