"""Business metrics count facts once: a municipality created counts one, its idempotent replay
counts nothing (operators compare these with what municipalities report)."""
from prometheus_client import REGISTRY

from contracts.caller import SYSTEM_CALLER
from services.identity.service import IdentityService

CREATED = "quartier_municipalities_created_total"


def created_so_far():
    return REGISTRY.get_sample_value(CREATED) or 0.0


def test_a_new_municipality_counts_once_and_its_replay_not_at_all(start_service, cluster_rpc):
    start_service(IdentityService)
    before = created_so_far()
    for _attempt in range(2):  # the second is a client's retry of the same request
        cluster_rpc.identity.create_municipality(
            caller=SYSTEM_CALLER.to_dict(), slug="metrics-town", name="Metrics Town")
    assert created_so_far() == before + 1


# The identity account tests' register, letters and stand-in neighbourhood service.
from tests.integration.test_identity_accounts import (  # noqa: E402,F401 (fixtures)
    city, identity, letters, listener, register,
)

REGISTRATIONS = "quartier_registrations_total"


def test_a_registration_counts_once_for_its_municipality(identity, city):
    def registrations():
        return REGISTRY.get_sample_value(REGISTRATIONS, {"municipality": city["id"]}) or 0.0

    code = letters(identity, city)["H1"]
    register(identity, code, "ana@example.org")
    register(identity, code, "ana@example.org")  # the client's retry: same account, no new one
    assert registrations() == 1
