"""Abuse: anyone could lock anyone out. Ten wrong passwords from anywhere locked a known e-mail
(an admin's address is predictable) for 15 minutes, and every anonymous attempt cost an argon2
hash.

Defence (device tokens, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies"):
a successful login hands the client a signed device token bound to the account; failures from a
presented valid token count against that token only, failures from every other client against
the account's untrusted-clients bucket. While that bucket is locked, untrusted clients are
refused before any password is hashed, and the owner still signs in from their device."""
import time
import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families

from contracts import rpc
from contracts.caller import SYSTEM_CALLER
from servicekit.rpc_client import RpcClient
from tests.e2e.stack import Api, record_timing

PASSWORD = "the owner's own long passphrase"
LOGIN = "/api/v1/auth/login"
DEVICE_COOKIE = "quartier_device"
LOCKOUT_LIMIT = 10
CHECKED = ("succeeded", "failed")  # the outcomes that cost a password hash


def an_account(running):
    """A staff account of its own in the seeded municipality: its lockout concerns no other
    test."""
    email = "owner-%s@lockout.example" % uuid.uuid4().hex[:10]
    with RpcClient(running.platform.amqp_uri, client_name="e2e-lockout") as client:
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM_CALLER.to_dict(),
                    municipality_id=running.municipality_id, email=email, role="city_staff",
                    display_name="Olga Owner", password=PASSWORD)
    return email


def login_outcomes(running):
    """identity's count of login attempts by outcome, from its /metrics."""
    text = requests.get(running.platform.metrics_url("identity"), timeout=5).text
    counts = {}
    for family in text_string_to_metric_families(text):
        if family.name == "quartier_login_attempts":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    counts[sample.labels["outcome"]] = sample.value
    return counts


def hashed(counts):
    return sum(counts.get(outcome, 0) for outcome in CHECKED)


def test_an_attacker_cannot_lock_the_owner_out_of_their_own_device(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    email = an_account(healthy_platform)
    # The owner signed in from their phone before: it keeps a device token.
    before_attack = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD})
    assert before_attack.status_code == 200, before_attack.text
    device_token = before_attack.json().get("device_token")
    assert device_token, "a login hands out a device token"
    set_cookie = before_attack.headers.get("Set-Cookie", "").lower()
    assert set_cookie.startswith(DEVICE_COOKIE + "="), "browsers get it as a cookie"
    assert "httponly" in set_cookie and "secure" in set_cookie and "samesite=strict" in set_cookie

    attempts = []
    for n in range(LOCKOUT_LIMIT):
        started = time.perf_counter()
        attempts.append(api.request("POST", LOGIN, json={"email": email,
                                                         "password": "guess %d" % n}))
        hashed_in = time.perf_counter() - started
    record_timing("login failed with a password check (argon2)", hashed_in)
    assert [a.status_code for a in attempts] == [401] * LOCKOUT_LIMIT

    counted = login_outcomes(healthy_platform)
    started = time.perf_counter()
    eleventh = api.request("POST", LOGIN, json={"email": email, "password": "guess 10"})
    refused_in = time.perf_counter() - started
    record_timing("login refused while locked (no argon2)", refused_in)
    after = login_outcomes(healthy_platform)
    assert eleventh.status_code == 429
    assert 0 < int(eleventh.headers["Retry-After"]) <= 900
    assert hashed(after) == hashed(counted), "a refused attempt hashes no password"
    assert after.get("refused_account_locked", 0) == counted.get("refused_account_locked", 0) + 1

    # A new device (no token) with the right password waits like the attacker...
    new_device = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD})
    assert new_device.status_code == 429
    # ...and so does a token of another account or a forged one.
    forged = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD,
                                              "device_token": device_token[:-4] + "AAAA"})
    assert forged.status_code == 429

    # The owner, on their device, signs in during the attack: in the body (apps)...
    from_app = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD,
                                                "device_token": device_token})
    assert from_app.status_code == 200, from_app.text
    assert from_app.json()["user"]["email"] == email
    renewed = from_app.json()["device_token"]
    # ...or with the cookie (browsers).
    from_browser = requests.post(healthy_platform.platform.http_url + LOGIN,
                                 json={"email": email, "password": PASSWORD},
                                 cookies={DEVICE_COOKIE: renewed}, timeout=20)
    assert from_browser.status_code == 200, from_browser.text

    # The attacker's guesses are still refused, before any hashing.
    assert api.request("POST", LOGIN, json={"email": email, "password": "guess 11"}
                       ).status_code == 429


def test_a_stolen_device_token_buys_only_its_own_few_guesses(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    email = an_account(healthy_platform)
    first = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD})
    stolen = first.json()["device_token"]
    second = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD})
    kept = second.json()["device_token"]

    guesses = [api.request("POST", LOGIN, json={"email": email, "password": "guess %d" % n,
                                                "device_token": stolen})
               for n in range(LOCKOUT_LIMIT)]
    assert [g.status_code for g in guesses] == [401] * LOCKOUT_LIMIT
    locked = api.request("POST", LOGIN, json={"email": email, "password": PASSWORD,
                                              "device_token": stolen})
    assert locked.status_code == 429
    assert "device" in locked.json()["error"]["message"]

    # Only that token is locked: the owner's other device and untrusted clients still sign in.
    assert api.request("POST", LOGIN, json={"email": email, "password": PASSWORD,
                                            "device_token": kept}).status_code == 200
    assert api.request("POST", LOGIN, json={"email": email, "password": PASSWORD}
                       ).status_code == 200
