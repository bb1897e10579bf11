"""Identity over a real broker: admins create, list and revoke their municipality's API keys; the
gRPC process (a system caller) authenticates them; a key never crosses municipalities."""
import pytest

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MUNICIPAL_SYSTEM, SYSTEM_CALLER, Caller
from services.identity.service import IdentityService
from tests.integration.helpers import RPC_ERRORS, domain_error_code

SYSTEM = SYSTEM_CALLER.to_dict()


@pytest.fixture
def identity(start_service, cluster_rpc):
    start_service(IdentityService)
    return cluster_rpc.identity


def municipality(identity, slug):
    return identity.create_municipality(caller=SYSTEM, slug=slug, name=slug.title())["id"]


def admin_of(municipality_id, role=ADMIN):
    return Caller(user_id="admin-" + municipality_id[:6], role=role,
                  municipality_id=municipality_id).to_dict()


def error_code(call, **kwargs):
    with pytest.raises(RPC_ERRORS) as raised:
        call(**kwargs)
    return domain_error_code(raised.value)


def test_a_key_is_shown_once_authenticates_as_its_municipality_and_stops_when_revoked(identity):
    mons = municipality(identity, "mons")
    admin = admin_of(mons)
    created = identity.create_api_key(caller=admin, name="population register")
    key = created["api_key"]
    assert key.startswith("qk_") and created["key"]["status"] == "active"

    who = identity.authenticate_api_key(caller=SYSTEM, api_key=key)
    assert who["municipality_id"] == mons and who["role"] == MUNICIPAL_SYSTEM

    listed = identity.list_api_keys(caller=admin)["items"]
    assert [k["name"] for k in listed] == ["population register"]
    assert key not in repr(listed) and "secret_hash" not in listed[0]

    revoked = identity.revoke_api_key(caller=admin, key_id=created["key"]["key_id"])
    assert revoked["key"]["status"] == "revoked"
    assert error_code(identity.authenticate_api_key, caller=SYSTEM,
                      api_key=key) == errors.UNAUTHENTICATED
    # Revoking again is harmless and keeps the first revocation.
    again = identity.revoke_api_key(caller=admin, key_id=created["key"]["key_id"])
    assert again["key"]["revoked_at"] == revoked["key"]["revoked_at"]


def test_keys_stay_inside_their_municipality_and_with_its_admins(identity):
    mons, lux = municipality(identity, "mons"), municipality(identity, "luxembourg")
    created = identity.create_api_key(caller=admin_of(mons), name="GIS")
    key_id = created["key"]["key_id"]
    assert error_code(identity.revoke_api_key, caller=admin_of(lux),
                      key_id=key_id) == errors.NOT_FOUND
    assert identity.list_api_keys(caller=admin_of(lux))["items"] == []
    assert error_code(identity.create_api_key, caller=admin_of(mons, CITY_STAFF),
                      name="GIS") == errors.FORBIDDEN
    # Only the platform's own processes may check keys.
    assert error_code(identity.authenticate_api_key, caller=admin_of(mons),
                      api_key=created["api_key"]) == errors.FORBIDDEN
    assert error_code(identity.authenticate_api_key, caller=SYSTEM,
                      api_key="qk_" + "0" * 16 + "_" + "A" * 43) == errors.UNAUTHENTICATED


def test_a_replayed_creation_makes_no_second_key_and_never_repeats_the_secret(identity):
    mons = municipality(identity, "mons")
    first = identity.create_api_key(caller=admin_of(mons), name="ticketing",
                                    idempotency_key="k-1")
    replay = identity.create_api_key(caller=admin_of(mons), name="ticketing",
                                     idempotency_key="k-1")
    assert replay["key"] == first["key"] and replay["api_key"] is None
    assert len(identity.list_api_keys(caller=admin_of(mons))["items"]) == 1
