"""Identity's repositories (accounts, sessions, attempts, households, invitations), one contract run
on every adapter through the shared `store` fixture (SQLite, mongomock, MongoDB with MONGO_URI)."""
import threading
import time

import pytest

from contracts.caller import CITY_STAFF, RESIDENT
from servicekit.store import repository_for
from services.identity import accounts, invitations, sessions
from services.identity.addresses import Household
from services.identity.repositories.accounts import MongoAccounts, SqliteAccounts
from services.identity.repositories.attempts import MongoAttempts, SqliteAttempts
from services.identity.repositories.households import (
    CONFLICT, CREATED, UNCHANGED, UPDATED, MongoHouseholds, SqliteHouseholds,
)
from services.identity.repositories.invitations import (
    DuplicateCode, MongoInvitations, SqliteInvitations,
)
from services.identity.repositories.sessions import MongoSessions, SqliteSessions

SECRET = b"s" * 32


@pytest.fixture
def account_repo(store):
    return repository_for(store, SqliteAccounts, MongoAccounts)


@pytest.fixture
def session_repo(store):
    return repository_for(store, SqliteSessions, MongoSessions)


@pytest.fixture
def attempt_repo(store):
    return repository_for(store, SqliteAttempts, MongoAttempts)


@pytest.fixture
def household_repo(store):
    return repository_for(store, SqliteHouseholds, MongoHouseholds)


@pytest.fixture
def invitation_repo(store):
    return repository_for(store, SqliteInvitations, MongoInvitations)


def household(household_id="H1", address_id="A1", street="Rue Haute", municipality_id="m1",
              neighbourhood_id="nb-1"):
    return Household(municipality_id=municipality_id, household_id=household_id,
                     address_id=address_id, street=street, number="12", postcode="7000",
                     locality="Mons", latitude=50.45, longitude=3.95,
                     neighbourhood_id=neighbourhood_id)


def resident(email, household_id="H1"):
    return accounts.new_account("m1", email, "hash", RESIDENT, "Ana", "fr", now=1.0,
                                household=household(household_id))


# -- accounts ---------------------------------------------------------------------------------

def test_accounts_are_found_by_id_and_email_and_emails_are_unique(account_repo):
    ana = resident("ana@example.org")

    assert account_repo.add(ana) is True
    assert account_repo.get(ana.id) == ana
    assert account_repo.by_email("ana@example.org") == ana
    assert account_repo.add(resident("ana@example.org")) is False
    assert account_repo.get("nobody") is None and account_repo.by_email("x@y.z") is None


def test_replace_is_conditional_on_the_version_read(account_repo):
    ana = resident("ana@example.org")
    account_repo.add(ana)
    renamed = accounts.with_changes(ana, {"display_name": "Ana S."})

    assert account_repo.replace(renamed, expected_version=ana.version) is True
    # A second writer that read the old version loses instead of overwriting.
    assert account_repo.replace(accounts.with_changes(ana, {"bio": "x"}), ana.version) is False
    assert account_repo.get(ana.id).display_name == "Ana S."


def test_erased_accounts_free_their_email_and_leave_the_household_count(account_repo):
    ana, ben = resident("ana@example.org"), resident("ben@example.org")
    account_repo.add(ana)
    account_repo.add(ben)
    account_repo.add(accounts.new_account("m1", "staff@example.org", "h", CITY_STAFF, "S", "fr",
                                          now=1.0))
    assert account_repo.household_adults("m1", "H1") == 2

    assert account_repo.replace(accounts.erased(ana, 5.0), ana.version)
    assert account_repo.replace(accounts.erased(ben, 5.0), ben.version)  # two tombstones coexist

    assert account_repo.household_adults("m1", "H1") == 0
    assert account_repo.by_email("ana@example.org") is None
    assert account_repo.get(ana.id).erased_at == 5.0
    assert account_repo.add(resident("ana@example.org")) is True


# -- sessions ---------------------------------------------------------------------------------

def test_a_refresh_token_is_spent_once_even_by_concurrent_refreshes(session_repo):
    _, record = sessions.new_refresh_token("u1", now=100.0)
    session_repo.add(record)
    wins = []

    def spend():
        wins.append(session_repo.spend(record.token_hash, 150.0))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(wins) == [False] * 7 + [True]
    stored = session_repo.get(record.token_hash)
    assert (stored.status, stored.spent_at) == (sessions.ROTATED, 150.0)


def test_expired_tokens_cannot_be_spent(session_repo):
    _, record = sessions.new_refresh_token("u1", now=100.0)
    session_repo.add(record)

    assert session_repo.spend(record.token_hash, record.expires_at) is False


def test_revoking_a_chain_ends_every_token_of_it_and_only_it(session_repo):
    _, first = sessions.new_refresh_token("u1", now=100.0)
    _, second = sessions.new_refresh_token("u1", now=200.0, family_id=first.family_id)
    _, other = sessions.new_refresh_token("u1", now=300.0)
    for record in (first, second, other):
        session_repo.add(record)

    session_repo.revoke_family(first.family_id, at=400.0)

    assert session_repo.family_revoked(first.family_id)
    assert not session_repo.family_revoked(other.family_id)
    assert session_repo.get(second.token_hash).status == sessions.REVOKED
    assert session_repo.spend(second.token_hash, 250.0) is False
    assert session_repo.get(other.token_hash).status == sessions.ACTIVE
    session_repo.revoke_user("u1", at=500.0)
    assert [r.status for r in session_repo.of_user("u1")] == [sessions.REVOKED] * 3


def test_ended_chains_are_listed_by_when_they_ended_for_the_gateways(session_repo):
    t = time.time()
    chains = []
    for _ in range(3):
        _, record = sessions.new_refresh_token("u1", now=t - 100)
        session_repo.add(record)
        chains.append(record.family_id)
    _, someone_else = sessions.new_refresh_token("u2", now=t - 100)
    session_repo.add(someone_else)

    session_repo.revoke_family(chains[0], at=t - 50)
    session_repo.revoke_family(chains[0], at=t - 10)  # ended once: keeps its first time
    session_repo.revoke_user("u1", at=t - 20)

    listed = session_repo.revoked_since(t - 60)
    assert listed[0] == chains[0] and set(listed) == set(chains)  # oldest first
    assert set(session_repo.revoked_since(t - 30)) == {chains[1], chains[2]}
    assert session_repo.revoked_since(t) == []
    assert someone_else.family_id not in session_repo.revoked_since(0)


# -- attempts ---------------------------------------------------------------------------------

def test_attempts_are_counted_in_their_window_per_key(attempt_repo):
    # Real clock values: MongoDB's TTL index drops attempts a day after they happened.
    t = time.time()
    for at in (t - 300, t - 200, t - 100):
        attempt_repo.record("login:ana", at)
    attempt_repo.record("login:ben", t - 150)

    assert attempt_repo.window("login:ana", since=t - 250) == (2, t - 200)
    assert attempt_repo.window("login:ana", since=t - 3600) == (3, t - 300)
    assert attempt_repo.window("login:nobody", since=0.0) == (0, None)
    attempt_repo.clear("login:ana")
    assert attempt_repo.window("login:ana", since=0.0) == (0, None)
    assert attempt_repo.window("login:ben", since=0.0) == (1, t - 150)


# -- households -------------------------------------------------------------------------------

def test_reimporting_a_register_is_idempotent_and_reports_each_outcome(household_repo):
    first = household_repo.upsert_many([household("H1", "A1"), household("H2", "A2")])
    again = household_repo.upsert_many([
        household("H1", "A1"), household("H2", "A2", street="Rue Neuve"),
        household("H3", "A1")])

    assert first == [CREATED, CREATED]
    assert again == [UNCHANGED, UPDATED, CONFLICT]  # A1 belongs to H1
    assert household_repo.count("m1") == 2
    assert household_repo.get("m1", "H2").street == "Rue Neuve"
    assert household_repo.get("m2", "H1") is None


def test_households_are_paged_by_id_per_municipality(household_repo):
    household_repo.upsert_many([household("H%02d" % i, "A%02d" % i) for i in range(5)])
    household_repo.upsert_many([household("H00", "A00", municipality_id="m2")])

    first = household_repo.page("m1", limit=3)
    rest = household_repo.page("m1", after=first[-1].household_id, limit=3)

    assert [h.household_id for h in first + rest] == ["H00", "H01", "H02", "H03", "H04"]
    assert len(household_repo.page("m2")) == 1


# -- invitations ------------------------------------------------------------------------------

def issue(household_id="H1", kind=invitations.HOUSEHOLD, now=0.0, days=30):
    return invitations.issue(SECRET, "m1", household_id, kind, "staff", now, days)


def test_a_code_is_used_once_even_by_concurrent_registrations(invitation_repo):
    _, record = issue()
    invitation_repo.add(record)
    wins = []

    def use(user_id):
        wins.append((user_id, invitation_repo.use(record.code_hash, user_id, 10.0)))

    threads = [threading.Thread(target=use, args=("u%d" % i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [user for user, won in wins if won]
    assert len(winners) == 1
    stored = invitation_repo.by_hash(record.code_hash)
    assert (stored.status, stored.used_by) == (invitations.USED, winners[0])


def test_expired_codes_cannot_be_used_and_a_failed_registration_releases_its_code(
        invitation_repo):
    _, record = issue(days=1)
    invitation_repo.add(record)

    assert invitation_repo.use(record.code_hash, "u1", record.expires_at) is False
    assert invitation_repo.use(record.code_hash, "u1", 10.0) is True
    invitation_repo.release(record.code_hash, "someone else")
    assert invitation_repo.by_hash(record.code_hash).status == invitations.USED
    invitation_repo.release(record.code_hash, "u1")
    assert invitation_repo.by_hash(record.code_hash).status == invitations.ACTIVE


def test_reissuing_supersedes_the_households_earlier_letter_only(invitation_repo):
    _, old = issue("H1", now=0.0)
    _, other = issue("H2", now=0.0)
    _, co_resident = issue("H1", kind=invitations.CO_RESIDENT, now=0.0)
    for record in (old, other, co_resident):
        invitation_repo.add(record)
    _, new = issue("H1", now=5.0)

    invitation_repo.add(new, supersede=True)

    assert invitation_repo.by_hash(old.code_hash).status == invitations.SUPERSEDED
    assert invitation_repo.use(old.code_hash, "u1", 10.0) is False
    assert invitation_repo.by_hash(other.code_hash).status == invitations.ACTIVE
    assert invitation_repo.by_hash(co_resident.code_hash).status == invitations.ACTIVE
    latest = invitation_repo.latest_letters("m1", ["H1", "H2", "H3"])
    assert {h: r.code_hash for h, r in latest.items()} == {"H1": new.code_hash,
                                                           "H2": other.code_hash}


def test_pending_counts_unused_unexpired_codes_and_withdrawal_ends_a_persons_codes(
        invitation_repo):
    _, first = issue("H1", kind=invitations.CO_RESIDENT, now=0.0, days=1)
    _, second = issue("H1", kind=invitations.CO_RESIDENT, now=0.0, days=10)
    invitation_repo.add(first)
    invitation_repo.add(second)

    assert invitation_repo.pending("m1", "H1", invitations.CO_RESIDENT, now=10.0) == 2
    assert invitation_repo.pending("m1", "H1", invitations.CO_RESIDENT, now=2 * 86400.0) == 1
    invitation_repo.withdraw_issued_by("staff")
    assert invitation_repo.pending("m1", "H1", invitations.CO_RESIDENT, now=10.0) == 0


def test_a_duplicate_code_hash_is_reported_not_overwritten(invitation_repo):
    _, record = issue()
    invitation_repo.add(record)

    with pytest.raises(DuplicateCode):
        invitation_repo.add(record)


def test_the_active_members_of_a_household_are_listed(account_repo):
    ana, ben, other = resident("ana@example.org"), resident("ben@example.org"), \
        resident("cy@example.org", household_id="H2")
    for account in (ana, ben, other):
        account_repo.add(account)
    account_repo.replace(accounts.erased(ben, 5.0), ben.version)

    assert [a.id for a in account_repo.in_household("m1", "H1")] == [ana.id]
    assert account_repo.in_household("m2", "H1") == []


def test_erasure_leaves_no_session_of_the_person_and_codes_that_name_no_one(
        session_repo, invitation_repo):
    _, mine = sessions.new_refresh_token("u1", now=100.0)
    _, theirs = sessions.new_refresh_token("u2", now=100.0)
    session_repo.add(mine)
    session_repo.add(theirs)
    session_repo.revoke_user("u1", at=200.0)
    session_repo.forget_user("u1")
    assert session_repo.of_user("u1") == [] and len(session_repo.of_user("u2")) == 1

    _, letter = issue()
    invitation_repo.add(letter)
    invitation_repo.use(letter.code_hash, "u1", 10.0)
    _, handed_out = invitations.issue(SECRET, "m1", "H1", invitations.CO_RESIDENT, "u1", 20.0,
                                      30)
    invitation_repo.add(handed_out)
    invitation_repo.withdraw_issued_by("u1")
    invitation_repo.forget_person("u1", accounts.ERASED_PERSON)
    invitation_repo.forget_person("u1", accounts.ERASED_PERSON)  # idempotent

    used = invitation_repo.by_hash(letter.code_hash)
    withdrawn = invitation_repo.by_hash(handed_out.code_hash)
    assert (used.status, used.used_by) == (invitations.USED, "erased")
    assert (withdrawn.status, withdrawn.issued_by) == (invitations.SUPERSEDED, "erased")
