"""Refresh-token rules and login/code limits: rotation, reuse detection, expiry, sliding windows."""
import pytest

from contracts import errors
from contracts.errors import DomainError
from services.identity import sessions
from services.identity.throttle import CODE_FAILURES, LOGIN_FAILURES


def test_refresh_tokens_carry_256_random_bits_and_only_their_hash_is_stored():
    token, record = sessions.new_refresh_token("u1", now=100.0)

    assert len(token) >= 43  # 32 bytes, URL-safe base64
    assert token not in record.to_dict().values()
    assert record.token_hash == sessions.hash_refresh_token(token)
    assert record.expires_at == 100.0 + sessions.REFRESH_TOKEN_TTL
    assert sessions.new_refresh_token("u1", now=100.0)[0] != token


def test_rotation_stays_in_the_chain_and_a_login_starts_a_new_one():
    _, first = sessions.new_refresh_token("u1", now=100.0)
    _, second = sessions.new_refresh_token("u1", now=200.0, family_id=first.family_id)

    assert second.family_id == first.family_id
    assert sessions.new_refresh_token("u1", now=100.0)[1].family_id != first.family_id


def test_an_active_token_rotates_a_spent_one_is_reuse():
    _, record = sessions.new_refresh_token("u1", now=100.0)

    assert sessions.refresh_decision(record, now=150.0) == sessions.ROTATE
    assert sessions.refresh_decision(sessions.spent(record, 150.0), now=160.0) == sessions.REUSE


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired"])
def test_unknown_revoked_or_expired_tokens_are_refused(state):
    _, record = sessions.new_refresh_token("u1", now=100.0)
    record, now = {
        "unknown": (None, 150.0),
        "revoked": (record.__class__(**dict(record.to_dict(), status=sessions.REVOKED)), 150.0),
        "expired": (record, record.expires_at),
    }[state]

    with pytest.raises(DomainError) as raised:
        sessions.refresh_decision(record, now)
    assert raised.value.code == errors.UNAUTHENTICATED


def test_login_lockout_after_ten_failures_within_fifteen_minutes():
    now = 10_000.0
    LOGIN_FAILURES.refuse_if_exhausted(9, now - 100, now)  # 9 failures: still allowed

    with pytest.raises(DomainError) as raised:
        LOGIN_FAILURES.refuse_if_exhausted(10, now - 100, now)

    assert raised.value.code == errors.RATE_LIMITED
    # The lock lasts until the oldest failure leaves the 15-minute window.
    assert raised.value.details == {"retry_after": 15 * 60 - 100}
    assert "14 minutes" in raised.value.message
    assert LOGIN_FAILURES.since(now) == now - 15 * 60


def test_five_failed_codes_per_hour_then_rate_limited():
    now = 50_000.0
    CODE_FAILURES.refuse_if_exhausted(4, now - 10, now)

    with pytest.raises(DomainError) as raised:
        CODE_FAILURES.refuse_if_exhausted(5, now - 3599, now)

    assert raised.value.code == errors.RATE_LIMITED
    assert raised.value.details == {"retry_after": 1}
    assert CODE_FAILURES.key("10.0.0.7") != LOGIN_FAILURES.key("10.0.0.7")
