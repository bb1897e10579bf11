"""Abuse: a password-reset form tells an attacker which addresses have an account (a different
answer, a different delay, or a limit that only existing accounts hit), and a reset link, once
leaked (a shared mailbox, a proxy log), works again or for ever.

Defence: 202 and `{}` for every address, answered before the e-mail is handed over; the limits
count requests per (hashed) address and per client alike for every address; the token is random,
stored only as a hash, single use, 30 minutes; a made-up or replayed one is 400 like any other."""
import statistics
import time
import uuid

import pytest

from contracts import rpc
from contracts.caller import SYSTEM_CALLER
from servicekit.rpc_client import RpcClient
from tests.e2e.stack import Api, record_timing

pytestmark = pytest.mark.timeout(300)

RESET = "/api/v1/auth/password-reset"
PER_ADDRESS_LIMIT = 5


def an_account(running):
    email = "reset-%s@enumeration.example" % uuid.uuid4().hex[:10]
    with RpcClient(running.platform.amqp_uri, client_name="e2e-reset") as client:
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM_CALLER.to_dict(),
                    municipality_id=running.municipality_id, email=email, role="city_staff",
                    display_name="Rita Reset", password="a long enough passphrase 1")
    return email


def asked(api, address):
    started = time.perf_counter()
    response = api.request("POST", RESET, json={"email": address})
    return response, time.perf_counter() - started


def test_the_answer_and_the_limit_are_the_same_for_every_address(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    known = an_account(healthy_platform)
    unknown = "nobody-%s@enumeration.example" % uuid.uuid4().hex[:10]

    answers, delays = {known: [], unknown: []}, {known: [], unknown: []}
    for _ in range(PER_ADDRESS_LIMIT + 1):
        for address in (known, unknown):
            response, seconds = asked(api, address)
            answers[address].append((response.status_code, response.json()
                                     if response.status_code == 202 else
                                     response.json()["error"]["code"]))
            delays[address].append(seconds)

    expected = [(202, {})] * PER_ADDRESS_LIMIT + [(429, "rate_limited")]
    assert answers[known] == expected
    assert answers[unknown] == expected
    known_median = statistics.median(delays[known][:PER_ADDRESS_LIMIT])
    unknown_median = statistics.median(delays[unknown][:PER_ADDRESS_LIMIT])
    record_timing("password reset request, existing account (median)", known_median)
    record_timing("password reset request, unknown address (median)", unknown_median)


def test_a_made_up_or_replayed_token_is_refused_alike(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    for token in ("x", "A" * 43, "../../etc/passwd", "A" * 200):
        refused = api.request("POST", RESET + "/confirm",
                              json={"token": token, "password": "a long enough passphrase 2"})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"] == {
            "code": "invalid", "details": {"token": "not valid"},
            "message": refused.json()["error"]["message"]}
    too_long = api.request("POST", RESET + "/confirm",
                           json={"token": "A" * 201, "password": "a long enough passphrase 2"})
    assert too_long.status_code == 400
