"""The login buckets (services/identity/throttle.py) on identity's attempts store, every adapter
(SQLite, mongomock, MongoDB with MONGO_URI): a device token's failures, the account's untrusted
clients' and the client address's are counted apart and survive the process that counted them,
so several identity instances judge alike."""
import time

import pytest

from contracts.errors import DomainError

from servicekit.store import repository_for
from services.identity import throttle
from services.identity.repositories.attempts import MongoAttempts, SqliteAttempts

EMAIL = "owner@lockout.example"


@pytest.fixture
def attempt_repo(store):
    return repository_for(store, SqliteAttempts, MongoAttempts)


def locked(repo, buckets, now):
    refused = []
    for window, key in buckets:
        failures, oldest = repo.window(key, window.since(now))
        try:
            window.refuse_if_exhausted(failures, oldest, now)
        except DomainError:
            refused.append(window.locked_outcome)
    return refused


def test_an_attack_from_untrusted_clients_leaves_the_owners_device_unlocked(attempt_repo, store):
    now = time.time()
    untrusted = throttle.login_buckets(EMAIL, None, "203.0.113.7")
    for n in range(throttle.LOGIN_FAILURES.limit):
        for _, key in untrusted:
            attempt_repo.record(key, now - 60 + n)

    owner = throttle.login_buckets(EMAIL, "owners-device-nonce", "198.51.100.1")
    assert locked(attempt_repo, untrusted, now) == [throttle.REFUSED_ACCOUNT_LOCKED]
    assert locked(attempt_repo, owner, now) == []
    # Another instance (a new repository on the same store) sees the same.
    again = repository_for(store, SqliteAttempts, MongoAttempts)
    assert locked(again, untrusted, now) == [throttle.REFUSED_ACCOUNT_LOCKED]


def test_a_device_tokens_failures_lock_that_token_alone(attempt_repo):
    now = time.time()
    stolen = throttle.login_buckets(EMAIL, "stolen-nonce", "203.0.113.7")
    for n in range(throttle.DEVICE_LOGIN_FAILURES.limit):
        for _, key in stolen:
            attempt_repo.record(key, now - 60 + n)

    assert locked(attempt_repo, stolen, now) == [throttle.REFUSED_DEVICE_LOCKED]
    assert locked(attempt_repo, throttle.login_buckets(EMAIL, "kept-nonce", None), now) == []
    assert locked(attempt_repo, throttle.login_buckets(EMAIL, None, "203.0.113.7"), now) == []


def test_one_address_spraying_many_accounts_is_locked_for_any_account(attempt_repo):
    now = time.time()
    window = throttle.CLIENT_LOGIN_FAILURES
    for n in range(window.limit):
        for _, key in throttle.login_buckets("victim-%d@x.example" % n, None, "2001:db8::%x" % n):
            attempt_repo.record(key, now - 60)

    # Every address of the /64 is one client; an address elsewhere is not.
    assert locked(attempt_repo, throttle.login_buckets("new@x.example", None, "2001:db8::ffff"),
                  now) == [throttle.REFUSED_CLIENT_LOCKED]
    assert locked(attempt_repo, throttle.login_buckets("new@x.example", None, "2001:db9::1"),
                  now) == []
