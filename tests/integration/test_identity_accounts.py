"""Identity's accounts on a real broker, with a stand-in neighbourhood service answering `locate`:
the register import, letters, registration, login lockout, refresh rotation and reuse, the code
limit per client, profile changes and erasure, co-resident invitations."""
import jwt
import pytest
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events, services
from contracts.caller import RESIDENT, SYSTEM_CALLER, Caller
from services.identity.service import IdentityService
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

SYSTEM = SYSTEM_CALLER.to_dict()
PASSWORD = "a long passphrase 1"
HEADER = "address_id,street,number,postcode,locality,latitude,longitude,household_id\n"
REGISTER = HEADER + (
    "A1,Rue Haute,12,7000,Mons,50.45,3.90,H1\n"
    "A2,Rue Basse,4,7000,Mons,50.46,4.10,H2\n"
    "A3,Far Away,1,7000,Mons,61.00,4.10,H3\n"
    "A4,Rue Neuve,,7000,Mons,50.46,4.10,H4\n"
)


class FakeNeighbourhoods:
    """The neighbourhood service's `locate` contract: west and east of longitude 4, nothing
    north of latitude 60. Records what it was asked."""

    name = services.NEIGHBOURHOOD
    asked = []

    @rpc
    def locate(self, caller, municipality_id, points):
        FakeNeighbourhoods.asked.append((caller["role"], municipality_id, len(points)))
        return [None if lat > 60 else ("nb-west" if lon < 4 else "nb-east")
                for lon, lat in points]


class IdentityEvents:
    name = "test_identity_listener"

    @event_handler(services.IDENTITY, events.USER_REGISTERED.name)
    def on_registered(self, payload):
        return payload

    @event_handler(services.IDENTITY, events.USER_UPDATED.name)
    def on_updated(self, payload):
        return payload

    @event_handler(services.IDENTITY, events.USER_ERASED.name)
    def on_erased(self, payload):
        return payload


@pytest.fixture
def listener(start_service):
    return start_service(IdentityEvents, max_workers=1)


@pytest.fixture
def identity(start_service, cluster_rpc, listener):
    FakeNeighbourhoods.asked = []
    start_service(FakeNeighbourhoods)
    start_service(IdentityService)
    return cluster_rpc.identity


def error_of(call, **kwargs):
    with pytest.raises(RPC_ERRORS) as raised:
        call(**kwargs)
    domain_error_code(raised.value)
    return raised.value


@pytest.fixture
def city(identity):
    """A municipality with an admin, a staff member and the register imported."""
    municipality = identity.create_municipality(caller=SYSTEM, slug="mons", name="Mons")
    admin = identity.create_staff_account(
        caller=SYSTEM, municipality_id=municipality["id"], email="admin@mons.example",
        role="admin", display_name="Admin", password=PASSWORD)["account"]
    admin_caller = Caller(user_id=admin["id"], role="admin",
                          municipality_id=municipality["id"]).to_dict()
    staff = identity.create_staff_account(
        caller=admin_caller, municipality_id=municipality["id"], email="staff@mons.example",
        role="city_staff", display_name="Staff")
    staff_caller = Caller(user_id=staff["account"]["id"], role="city_staff",
                          municipality_id=municipality["id"]).to_dict()
    report = identity.import_addresses(caller=staff_caller, municipality_id=municipality["id"],
                                       csv_text=REGISTER)
    return {"id": municipality["id"], "admin": admin_caller, "staff": staff_caller,
            "staff_password": staff["initial_password"], "report": report}


def letters(identity, city, **kwargs):
    answer = identity.issue_invitations(caller=city["staff"], municipality_id=city["id"],
                                        **kwargs)
    return {letter["household_id"]: letter["invitation_code"] for letter in answer["letters"]}


def register(identity, code, email, client_id="10.0.0.1", name="Ana Silva"):
    return identity.register(caller={}, invitation_code=code, email=email, password=PASSWORD,
                             display_name=name, language="fr", client_id=client_id)


def test_register_import_places_households_and_reports_rejected_rows(identity, city):
    report = city["report"]

    assert (report["received"], report["created"], report["unchanged"]) == (4, 2, 0)
    assert report["rejected"] == [
        {"line": 4, "address_id": "A3",
         "reason": "the address lies outside every neighbourhood of the municipality"},
        {"line": 5, "address_id": "A4", "reason": "missing number"},
    ]
    assert FakeNeighbourhoods.asked == [("system", city["id"], 3)]
    again = identity.import_addresses(caller=city["staff"], municipality_id=city["id"],
                                      csv_text=REGISTER)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    resident = Caller(user_id="r", role=RESIDENT, municipality_id=city["id"]).to_dict()
    assert error_of(identity.import_addresses, caller=resident, municipality_id=city["id"],
                    csv_text=REGISTER).code == errors.FORBIDDEN


def test_a_code_registers_one_resident_in_the_households_neighbourhood(identity, listener, city):
    codes = letters(identity, city)
    assert sorted(codes) == ["H1", "H2"]
    # A second run skips households whose letter is still pending.
    assert letters(identity, city) == {}

    with entrypoint_waiter(listener, "on_registered", timeout=RPC_TIMEOUT) as event:
        tokens = register(identity, codes["H1"].lower(), "Ana@Example.org")

    me = identity.get_me(caller=Caller(user_id=tokens["user"]["id"], role=RESIDENT).to_dict())
    assert (me["neighbourhood_id"], me["household_id"], me["street"], me["verified"],
            me["email"]) == ("nb-west", "H1", "Rue Haute", True, "ana@example.org")
    assert event.get()["neighbourhood_id"] == "nb-west"
    assert event.get()["street"] == "Rue Haute"
    assert event.get()["display_name"] == "Ana Silva"
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    assert error_of(register, identity=identity, code=codes["H1"],
                    email="ben@example.org").code == errors.CONFLICT
    statuses = identity.list_invitations(caller=city["staff"], municipality_id=city["id"])
    assert [(i["household_id"], i["letter"]) for i in statuses["items"]] == [
        ("H1", "used"), ("H2", "pending")]


def test_a_reissued_letter_replaces_the_old_code(identity, city):
    old = letters(identity, city)["H2"]
    new = letters(identity, city, household_ids=["H2", "nope"])["H2"]

    assert error_of(register, identity=identity, code=old,
                    email="ben@example.org").code == errors.UNPROCESSABLE
    assert register(identity, new, "ben@example.org")["user"]["household_id"] == "H2"


def test_the_sixth_wrong_code_within_an_hour_is_refused_for_that_client_only(identity, city):
    codes = letters(identity, city)
    for _ in range(5):
        assert error_of(register, identity=identity, code="AAAA-AAAA", email="x@example.org",
                        client_id="10.0.0.66").code == errors.INVALID

    refused = error_of(register, identity=identity, code=codes["H1"], email="x@example.org",
                       client_id="10.0.0.66")
    assert refused.code == errors.RATE_LIMITED
    # Numbers in error details cross nameko as strings.
    assert 3500 < int(refused.details["retry_after"]) <= 3600
    assert register(identity, codes["H1"], "x@example.org", client_id="10.0.0.67")


def test_ten_failed_logins_lock_the_account_and_unknown_emails_look_the_same(identity, city):
    wrong = error_of(identity.login, caller={}, email="staff@mons.example", password="nope" * 3)
    unknown = error_of(identity.login, caller={}, email="ghost@mons.example",
                       password="nope" * 3)
    assert (wrong.code, wrong.message) == (unknown.code, unknown.message)
    assert wrong.code == errors.UNAUTHENTICATED
    for _ in range(9):
        error_of(identity.login, caller={}, email="staff@mons.example", password="nope" * 3)

    locked = error_of(identity.login, caller={}, email="staff@mons.example",
                      password=city["staff_password"])
    assert locked.code == errors.RATE_LIMITED
    assert "minutes" in locked.message
    # Another account is not affected.
    assert identity.login(caller={}, email="admin@mons.example", password=PASSWORD)


def test_refresh_rotates_and_reuse_ends_the_whole_chain(identity, city):
    first = identity.login(caller={}, email="admin@mons.example", password=PASSWORD)
    second = identity.refresh(caller={}, refresh_token=first["refresh_token"])
    other_device = identity.login(caller={}, email="admin@mons.example", password=PASSWORD)

    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"]
    reused = error_of(identity.refresh, caller={}, refresh_token=first["refresh_token"])
    assert reused.code == errors.UNAUTHENTICATED and "already used" in reused.message
    # The newer token of that chain is dead too; another device's chain is not.
    assert error_of(identity.refresh, caller={},
                    refresh_token=second["refresh_token"]).code == errors.UNAUTHENTICATED
    third = identity.refresh(caller={}, refresh_token=other_device["refresh_token"])
    identity.logout(caller={}, refresh_token=third["refresh_token"])
    assert error_of(identity.refresh, caller={},
                    refresh_token=third["refresh_token"]).code == errors.UNAUTHENTICATED


def test_profile_changes_are_whitelisted_and_erasure_ends_the_account(identity, listener, city):
    codes = letters(identity, city)
    tokens = register(identity, codes["H1"], "ana@example.org")
    me = Caller(user_id=tokens["user"]["id"], role=RESIDENT, municipality_id=city["id"],
                household_id="H1", neighbourhood_id="nb-west").to_dict()

    refused = error_of(identity.update_me, caller=me,
                       changes={"display_name": "Hacker", "neighbourhood_id": "nb-east"})
    assert refused.code == errors.INVALID and "neighbourhood_id" in refused.details
    assert identity.get_me(caller=me)["display_name"] == "Ana Silva"
    with entrypoint_waiter(listener, "on_updated", timeout=RPC_TIMEOUT) as updated:
        assert identity.update_me(caller=me, changes={"bio": "Gardener"})["bio"] == "Gardener"
    assert updated.get()["changes"] == {"bio": "Gardener"}
    assert identity.export_user(caller=me)["account"]["email"] == "ana@example.org"

    with entrypoint_waiter(listener, "on_erased", timeout=RPC_TIMEOUT) as erased:
        identity.erase_me(caller=me)

    assert erased.get()["user_id"] == me["user_id"]
    assert error_of(identity.login, caller={}, email="ana@example.org",
                    password=PASSWORD).code == errors.UNAUTHENTICATED
    assert error_of(identity.refresh, caller={},
                    refresh_token=tokens["refresh_token"]).code == errors.UNAUTHENTICATED
    assert error_of(identity.export_user, caller=me).code == errors.UNAUTHENTICATED


def test_adults_invite_co_residents_up_to_the_household_cap(identity, city):
    codes = letters(identity, city)
    first = register(identity, codes["H1"], "p1@example.org")["user"]
    adult = Caller(user_id=first["id"], role=RESIDENT, municipality_id=city["id"],
                   household_id="H1", neighbourhood_id="nb-west").to_dict()
    invited = [identity.invite_co_resident(caller=adult)["invitation_code"] for _ in range(3)]

    assert error_of(identity.invite_co_resident, caller=adult).code == errors.CONFLICT
    joined = register(identity, invited[0], "p2@example.org")["user"]
    assert (joined["household_id"], joined["neighbourhood_id"]) == ("H1", "nb-west")
    staff = Caller(**dict(city["staff"])).to_dict()
    assert error_of(identity.invite_co_resident, caller=staff).code in (
        errors.FORBIDDEN, errors.UNAUTHENTICATED)


def test_a_retried_registration_answers_like_the_first_and_announces_again(
        identity, listener, city):
    code = letters(identity, city)["H2"]
    first = register(identity, code, "ana@example.org")

    with entrypoint_waiter(listener, "on_registered", timeout=RPC_TIMEOUT) as event:
        retried = register(identity, code, "ana@example.org")

    assert retried["user"]["id"] == first["user"]["id"]
    assert event.get()["event_id"] == "user_registered:" + first["user"]["id"]
    # Knowing the code and the e-mail is not enough: the password must match too.
    assert error_of(identity.register, caller={}, invitation_code=code,
                    email="ana@example.org", password="another long passphrase",
                    display_name="Ana", language="fr", client_id="10.0.0.1").code == \
        errors.CONFLICT


def test_a_password_change_needs_the_current_one_and_ends_every_other_session(identity, city):
    laptop = identity.login(caller={}, email="admin@mons.example", password=PASSWORD)
    phone = identity.login(caller={}, email="admin@mons.example", password=PASSWORD)

    assert error_of(identity.change_password, caller=city["admin"],
                    current_password="not it at all", new_password="a brand new phrase"
                    ).code == errors.FORBIDDEN
    changed = identity.change_password(caller=city["admin"], current_password=PASSWORD,
                                       new_password="a brand new phrase")

    for old in (laptop, phone):
        assert error_of(identity.refresh, caller={},
                        refresh_token=old["refresh_token"]).code == errors.UNAUTHENTICATED
    assert identity.refresh(caller={}, refresh_token=changed["refresh_token"])
    assert error_of(identity.login, caller={}, email="admin@mons.example",
                    password=PASSWORD).code == errors.UNAUTHENTICATED
    assert identity.login(caller={}, email="admin@mons.example", password="a brand new phrase")


def test_under_attack_the_owner_signs_in_with_their_device_token_and_changes_the_password(
        identity, city):
    """Failures from clients without a device token lock those clients out, not the owner's
    device, and not the owner's password change."""
    device = identity.login(caller={}, email="admin@mons.example", password=PASSWORD,
                            client_id="192.0.2.1")["device_token"]
    for n in range(10):
        assert error_of(identity.login, caller={}, email="admin@mons.example",
                        password="guess %d" % n, client_id="203.0.113.%d" % n
                        ).code == errors.UNAUTHENTICATED
    assert error_of(identity.login, caller={}, email="admin@mons.example", password=PASSWORD,
                    client_id="192.0.2.1").code == errors.RATE_LIMITED

    signed_in = identity.login(caller={}, email="admin@mons.example", password=PASSWORD,
                               device_token=device, client_id="192.0.2.1")
    assert signed_in["user"]["email"] == "admin@mons.example"
    assert signed_in["device_token"] != device
    assert identity.change_password(caller=city["admin"], current_password=PASSWORD,
                                    new_password="a brand new phrase")


def test_ended_sessions_are_listed_for_the_gateways_and_access_tokens_name_them(identity, city):
    first = identity.login(caller={}, email="admin@mons.example", password=PASSWORD)
    second = identity.refresh(caller={}, refresh_token=first["refresh_token"])
    session_id = jwt.decode(second["access_token"], options={"verify_signature": False})["sid"]
    assert jwt.decode(first["access_token"], options={"verify_signature": False})["sid"] == \
        session_id  # one chain, one session

    error_of(identity.refresh, caller={}, refresh_token=first["refresh_token"])  # reuse

    listed = identity.revoked_sessions(caller=SYSTEM, since=0)
    assert listed["session_ids"] == [session_id]
    assert error_of(identity.revoked_sessions, caller=city["admin"],
                    since=0).code == errors.FORBIDDEN


def test_a_corrected_register_entry_carries_over_to_the_households_members(
        identity, listener, city):
    codes = letters(identity, city)
    tokens = register(identity, codes["H1"], "ana@example.org")
    me = Caller(user_id=tokens["user"]["id"], role=RESIDENT).to_dict()
    corrected = REGISTER.replace("A1,Rue Haute,12,7000,Mons,50.45,3.90,H1",
                                 "A1,Rue Haute-Ville,12,7000,Mons,50.45,4.20,H1")

    with entrypoint_waiter(listener, "on_updated", timeout=RPC_TIMEOUT) as updated:
        report = identity.import_addresses(caller=city["staff"], municipality_id=city["id"],
                                           csv_text=corrected)

    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert updated.get()["changes"] == {"street": "Rue Haute-Ville", "neighbourhood_id": "nb-east"}
    profile = identity.get_me(caller=me)
    assert (profile["street"], profile["neighbourhood_id"]) == ("Rue Haute-Ville", "nb-east")
