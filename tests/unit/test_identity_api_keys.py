"""API keys of municipal systems: the key format and its checks (pure), and the repository contract
on every adapter (SQLite, mongomock, MongoDB with MONGO_URI), plus the population counts the
city's statistics read from identity."""
import pytest

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MUNICIPAL_SYSTEM, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from servicekit.store import repository_for
from services.identity import accounts, api_keys
from services.identity.addresses import Household
from services.identity.repositories.accounts import MongoAccounts, SqliteAccounts
from services.identity.repositories.api_keys import MongoApiKeys, SqliteApiKeys
from services.identity.repositories.households import MongoHouseholds, SqliteHouseholds


@pytest.fixture
def key_repo(store):
    return repository_for(store, SqliteApiKeys, MongoApiKeys)


# -- the key itself ----------------------------------------------------------------------------

def test_a_key_carries_a_public_id_and_a_256_bit_secret_of_which_only_the_hash_is_kept():
    key, record = api_keys.new_key("m1", "register", "admin-1", 100.0)
    key_id, secret = api_keys.parse(key)
    assert key_id == record.key_id and len(key_id) == 16
    assert len(secret) == 43  # 32 bytes, URL-safe base64
    assert secret not in repr(record.to_dict()) and key not in repr(record.public())
    assert "secret_hash" not in record.public()
    assert api_keys.matches(record, secret)
    assert not api_keys.matches(record, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    other, _ = api_keys.new_key("m1", "register", "admin-1", 100.0)
    assert other != key


@pytest.mark.parametrize("junk", [None, "", "Bearer x", "qk_zz_abc", "qk_" + "a" * 16 + "_short",
                                  12, "qk_%s_%s" % ("a" * 16, "!" * 43)])
def test_malformed_keys_are_refused_before_any_lookup(junk):
    assert api_keys.parse(junk) is None


def test_only_admins_of_the_municipality_manage_its_keys():
    api_keys.authorize_manager(Caller("a", ADMIN, "m1"), "m1")
    api_keys.authorize_manager(SYSTEM_CALLER, "m1")
    for caller in (Caller("a", ADMIN, "m2"), Caller("s", CITY_STAFF, "m1"),
                   Caller("r", RESIDENT, "m1"), Caller("k", MUNICIPAL_SYSTEM, "m1")):
        with pytest.raises(DomainError) as refused:
            api_keys.authorize_manager(caller, "m1")
        assert refused.value.code == errors.FORBIDDEN


def test_a_key_needs_a_name_of_at_most_100_characters():
    assert api_keys.check_name("  GIS  ") == "GIS"
    for bad in ("", "   ", "x" * 101, None, 3):
        with pytest.raises(DomainError) as refused:
            api_keys.check_name(bad)
        assert refused.value.details == {"name": "1 to 100 characters naming the system that "
                                                 "uses the key"}


def test_an_authenticated_key_acts_as_a_municipal_system_of_its_municipality():
    _, record = api_keys.new_key("m1", "ticketing", "admin-1", 100.0)
    identity = api_keys.authenticated(record)
    assert identity == {"key_id": record.key_id, "municipality_id": "m1", "name": "ticketing",
                        "role": MUNICIPAL_SYSTEM, "user_id": "apikey:" + record.key_id}


# -- repository contract -----------------------------------------------------------------------

def test_keys_are_found_by_their_id_and_listed_per_municipality_in_creation_order(key_repo):
    records = []
    for n in range(5):
        _, record = api_keys.new_key("m1", "system %d" % n, "admin-1", 100.0 + n // 2)
        key_repo.add(record)
        records.append(record)
    _, elsewhere = api_keys.new_key("m2", "other", "admin-2", 50.0)
    key_repo.add(elsewhere)
    assert key_repo.get(records[3].key_id) == records[3]
    assert key_repo.get("0" * 16) is None
    expected = sorted(records, key=lambda r: (r.created_at, r.key_id))
    first = key_repo.page("m1", limit=3)
    rest = key_repo.page("m1", after=(first[-1].created_at, first[-1].key_id), limit=3)
    assert first + rest == expected
    assert key_repo.count("m1") == 5 and key_repo.count("m2") == 1


def test_a_key_is_revoked_once_and_keeps_who_revoked_it_first(key_repo):
    _, record = api_keys.new_key("m1", "GIS", "admin-1", 100.0)
    key_repo.add(record)
    assert key_repo.replace_if_active(api_keys.revoked(record, "admin-1", 200.0))
    assert not key_repo.replace_if_active(api_keys.revoked(record, "admin-2", 300.0))
    stored = key_repo.get(record.key_id)
    assert (stored.status, stored.revoked_by, stored.revoked_at) == (api_keys.REVOKED,
                                                                     "admin-1", 200.0)


# -- population counts for the city's statistics -------------------------------------------------

def test_population_counts_per_neighbourhood(store):
    households = repository_for(store, SqliteHouseholds, MongoHouseholds)
    account_repo = repository_for(store, SqliteAccounts, MongoAccounts)
    placed = [Household("m1", "h%d" % n, "a%d" % n, "Rue", str(n), "7000", "Mons", 50.4, 3.9,
                        "n1" if n < 3 else "n2") for n in range(5)]
    placed.append(Household("m2", "h9", "a9", "Rue", "9", "1000", "Lux", 49.6, 6.1, "n9"))
    households.upsert_many(placed)
    assert households.count_by_neighbourhood("m1") == {"n1": 3, "n2": 2}

    def resident(email, household, now=1.0):
        account = accounts.new_account("m1", email, "hash", RESIDENT, "Ana", "fr", now,
                                       household=household)
        assert account_repo.add(account)
        return account

    resident("a@x.be", placed[0])
    resident("b@x.be", placed[0])  # two adults of one household
    resident("c@x.be", placed[1])
    gone = resident("d@x.be", placed[3])
    account_repo.replace(accounts.erased(gone, 5.0), gone.version)
    account_repo.add(accounts.new_account("m1", "staff@x.be", "hash", CITY_STAFF, "Staff", "fr",
                                          1.0))
    assert account_repo.residents_by_neighbourhood("m1") == {"n1": (3, 2)}
    assert account_repo.residents_by_neighbourhood("m2") == {}
