"""Device tokens and the login buckets built on them (services/identity/device_tokens.py,
throttle.py): pure rules, no store."""
import pytest

from contracts import errors
from contracts.errors import DomainError
from services.identity import device_tokens, throttle

SECRET = b"k" * 32
NOW = 1_800_000_000.0


def test_a_token_is_valid_for_its_own_account_only_until_it_expires():
    token, expires_in = device_tokens.issue(SECRET, "acc-1", NOW)
    assert expires_in == device_tokens.LIFETIME_SECONDS
    nonce = device_tokens.verified_nonce(SECRET, token, "acc-1", NOW + 60)
    assert nonce and nonce in token and "acc-1" not in token
    assert device_tokens.verified_nonce(SECRET, token, "acc-2", NOW) is None
    assert device_tokens.verified_nonce(b"x" * 32, token, "acc-1", NOW) is None
    assert device_tokens.verified_nonce(SECRET, token, "acc-1", NOW + expires_in) is None
    assert device_tokens.verified_nonce(SECRET, token, None, NOW) is None


def test_each_login_gets_a_token_of_its_own():
    first, _ = device_tokens.issue(SECRET, "acc-1", NOW)
    second, _ = device_tokens.issue(SECRET, "acc-1", NOW)
    assert device_tokens.verified_nonce(SECRET, first, "acc-1", NOW) != \
        device_tokens.verified_nonce(SECRET, second, "acc-1", NOW)


@pytest.mark.parametrize("tampered", [
    "", "qd1", "qd1...", "qd2.%s", "%s.extra", "qd1.short.99999999999.sig", 42, None, ["qd1"],
    "x" * 500,
])
def test_anything_but_an_intact_token_is_no_device(tampered):
    token, _ = device_tokens.issue(SECRET, "acc-1", NOW)
    if isinstance(tampered, str) and "%s" in tampered:
        tampered = tampered % token if tampered.startswith("%s") else \
            tampered % token.split(".", 1)[1]
    assert device_tokens.verified_nonce(SECRET, tampered, "acc-1", NOW) is None


def test_a_changed_expiry_breaks_the_signature():
    token, _ = device_tokens.issue(SECRET, "acc-1", NOW)
    prefix, nonce, expires, signature = token.split(".")
    longer = ".".join([prefix, nonce, str(int(expires) + 10 ** 6), signature])
    assert device_tokens.verified_nonce(SECRET, longer, "acc-1", NOW) is None


def test_a_device_is_judged_by_its_own_bucket_others_by_the_accounts_and_their_address():
    assert throttle.login_buckets("ana@x.example", "n0nce", "192.0.2.7") == [
        (throttle.DEVICE_LOGIN_FAILURES, "device_login:n0nce")]
    assert throttle.login_buckets("ana@x.example", None, "192.0.2.7") == [
        (throttle.LOGIN_FAILURES, "login:ana@x.example"),
        (throttle.CLIENT_LOGIN_FAILURES, "client_login:192.0.2.7")]
    # Straight RPC callers (the platform's own tools) have no address to count.
    assert throttle.login_buckets("ana@x.example", None, None) == [
        (throttle.LOGIN_FAILURES, "login:ana@x.example")]


def test_a_client_limit_of_zero_is_off():
    off = throttle.Window(0, 900, "client_login", "refused")
    off.refuse_if_exhausted(10 ** 6, NOW - 10, NOW)
    assert throttle.login_buckets("ana@x.example", None, "192.0.2.7", off) == [
        (throttle.LOGIN_FAILURES, "login:ana@x.example")]


def test_every_login_lock_says_which_bucket_and_when_to_try_again():
    for window, said in ((throttle.LOGIN_FAILURES, "too many failed logins;"),
                         (throttle.DEVICE_LOGIN_FAILURES, "from this device"),
                         (throttle.CLIENT_LOGIN_FAILURES, "from your network address")):
        with pytest.raises(DomainError) as refused:
            window.refuse_if_exhausted(window.limit, NOW - 60, NOW)
        assert refused.value.code == errors.RATE_LIMITED
        assert said in refused.value.message
        assert refused.value.details == {"retry_after": 15 * 60 - 60}
        assert window.locked_outcome.startswith("refused_")


def test_ipv6_clients_are_counted_per_64_and_junk_is_bounded():
    assert throttle.client_subject("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttle.client_subject("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert throttle.client_subject("192.0.2.7") == "192.0.2.7"
    assert throttle.client_subject(None) == "unknown"
    assert len(throttle.client_subject("x" * 1000)) == throttle.CLIENT_KEY_MAX
