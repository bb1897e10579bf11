"""Identity's account rules: password hashing and policy, who creates which account, what a person
may change about themselves, and what erasure leaves behind."""
import pytest

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from services.identity import accounts, passwords
from services.identity.addresses import Household


def code_of(call, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    return raised.value


def household(neighbourhood_id="n-1"):
    return Household(municipality_id="m1", household_id="H-1", address_id="A-1",
                     street="Rue Haute", number="12", postcode="7000", locality="Mons",
                     latitude=50.45, longitude=3.95, neighbourhood_id=neighbourhood_id)


def resident(**overrides):
    account = accounts.new_account("m1", "ana@example.org", "hash", RESIDENT, "Ana Silva", "pt",
                                   now=1000.0, household=household())
    return accounts.with_changes(account, overrides) if overrides else account


def test_passwords_are_hashed_with_argon2id_at_the_owasp_parameters():
    stored = passwords.hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in stored
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse battery!")
    # Two hashes of one password differ (salted), and a garbage hash is just a mismatch.
    assert passwords.hash_password("correct horse battery") != stored
    assert not passwords.verify_password("not-a-hash", "correct horse battery")
    assert not passwords.verify_password(None, "correct horse battery")


def test_weaker_hashes_are_flagged_for_upgrade():
    weak = passwords.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x" * 12)

    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("x" * 12))


@pytest.mark.parametrize("password, problem", [
    ("short", "10 to 128"), ("p" * 129, "10 to 128"), ("aaaaaaaaaaaa", "predictable"),
    ("ana@example.org", "e-mail"), (None, "required"),
])
def test_password_policy(password, problem):
    assert problem in passwords.password_problem(password, "ana@example.org")


def test_a_long_passphrase_is_fine():
    assert passwords.password_problem("tram stop by the old mill", "ana@example.org") is None


def test_new_account_problems_are_reported_per_field_and_email_is_normalised():
    error = code_of(accounts.validate_new_account, "no-at-sign", "short", " ", "xx")

    assert error.code == errors.INVALID
    assert set(error.details) == {"email", "password", "display_name", "language"}
    assert accounts.validate_new_account(
        "  Ana@Example.ORG ", "a long passphrase", "Ana", "fr") == "ana@example.org"


def test_a_resident_account_takes_household_neighbourhood_and_street_from_the_register():
    account = resident()

    assert (account.household_id, account.neighbourhood_id, account.street) == (
        "H-1", "n-1", "Rue Haute")
    assert account.verified is True
    assert account.caller() == Caller(user_id=account.id, role=RESIDENT, municipality_id="m1",
                                      neighbourhood_id="n-1", household_id="H-1")
    assert "password_hash" not in account.profile()


@pytest.mark.parametrize("caller, role, allowed", [
    (Caller(user_id="a", role=ADMIN, municipality_id="m1"), CITY_STAFF, True),
    (Caller(user_id="a", role=ADMIN, municipality_id="m1"), MODERATOR, True),
    (Caller(user_id="a", role=ADMIN, municipality_id="m1"), ADMIN, False),
    (Caller(user_id="a", role=ADMIN, municipality_id="m2"), CITY_STAFF, False),
    (Caller(user_id="s", role=CITY_STAFF, municipality_id="m1"), MODERATOR, False),
    (Caller(user_id="r", role=RESIDENT, municipality_id="m1"), CITY_STAFF, False),
    (SYSTEM_CALLER, ADMIN, True),
])
def test_admins_create_staff_of_their_municipality_and_only_the_platform_creates_admins(
        caller, role, allowed):
    if allowed:
        accounts.authorize_staff_account(caller, "m1", role)
    else:
        assert code_of(accounts.authorize_staff_account, caller, "m1", role).code == \
            errors.FORBIDDEN


def test_staff_accounts_cannot_be_residents():
    error = code_of(accounts.authorize_staff_account, SYSTEM_CALLER, "m1", RESIDENT)

    assert error.code == errors.INVALID


def test_profile_changes_keep_only_what_changes():
    account = resident()

    assert accounts.profile_changes(account, {"display_name": " Ana S. ", "language": "pt",
                                              "bio": "Gardener"}) == {
        "display_name": "Ana S.", "bio": "Gardener"}


@pytest.mark.parametrize("field", ["role", "neighbourhood_id", "household_id", "verified",
                                   "email", "municipality_id"])
def test_a_protected_field_refuses_the_whole_change_and_is_named(field):
    error = code_of(accounts.profile_changes, resident(), {"display_name": "Ana S.",
                                                           field: "admin"})

    assert error.code == errors.INVALID
    assert error.details == {field: "cannot be changed"}


def test_unknown_fields_and_bad_values_are_refused():
    assert code_of(accounts.profile_changes, resident(), {"nickname": "x"}).details == {
        "nickname": "unknown field"}
    assert set(code_of(accounts.profile_changes, resident(),
                       {"language": "xx", "display_name": "", "bio": "b" * 501}).details) == {
        "language", "display_name", "bio"}
    assert code_of(accounts.profile_changes, resident(), {}).code == errors.INVALID


def test_erasure_keeps_only_the_id():
    account = resident()

    tombstone = accounts.erased(account, now=2000.0)

    assert tombstone.id == account.id
    assert not tombstone.active
    assert (tombstone.email, tombstone.password_hash, tombstone.display_name, tombstone.street) \
        == (None, None, "", None)
    assert code_of(accounts.require_active, tombstone).code == errors.UNAUTHENTICATED


def test_events_carry_what_consumers_need_with_stable_ids():
    account = resident()

    event, payload = accounts.user_registered(account)
    assert event == events.USER_REGISTERED
    assert payload["street"] == "Rue Haute" and payload["neighbourhood_id"] == "n-1"
    assert "12" not in payload.values()  # never the house number
    assert payload["event_id"] == accounts.user_registered(account)[1]["event_id"]

    changed = accounts.with_changes(account, {"bio": "hi"})
    assert accounts.user_updated(changed, {"bio": "hi"})[1]["event_id"] != \
        accounts.user_updated(accounts.with_changes(changed, {"bio": "yo"}), {"bio": "yo"})[1][
            "event_id"]
    assert accounts.user_erased(account)[1] == {
        "user_id": account.id, "municipality_id": "m1",
        "event_id": "user_erased:" + account.id, "schema_version": 1}


def test_a_corrected_register_entry_changes_street_and_neighbourhood_only_when_they_differ():
    account = resident()

    assert accounts.household_changes(account, household()) == {}
    moved = household(neighbourhood_id="n-2")
    assert accounts.household_changes(account, moved) == {"neighbourhood_id": "n-2"}
