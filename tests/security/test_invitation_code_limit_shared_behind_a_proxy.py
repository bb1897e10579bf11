"""Abuse: behind a proxy the invitation-code limit was shared by the whole city. The gateway
counted failed codes per peer address, and behind the Kubernetes ingress every request comes from
the ingress: five typos anywhere blocked every registration for an hour.

Defence: GATEWAY_TRUSTED_PROXIES names the proxies in front of the gateway; the client is the
rightmost X-Forwarded-For entry that is not one of them, so entries a client writes itself (on the
left) are never believed. A platform of its own here, its gateway trusting the test process
(127.0.0.1) as its ingress."""
import uuid

import pytest

from tests.e2e import stack

REGISTER = "/api/v1/auth/register"
CODE_LIMIT = 5
UNKNOWN_CODE = 400  # a code that is no letter's: a failed try, counted
CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.23"


@pytest.fixture(scope="module")
def behind_a_proxy(rabbit_admin, tmp_path_factory):
    with stack.platform_of_its_own(rabbit_admin, tmp_path_factory, "proxy", extra_env={"GATEWAY_TRUSTED_PROXIES": "127.0.0.1/32"}) as running:
        yield running


def register_with(api, code, forwarded_for):
    """A registration with a wrong code, as the ingress forwards it."""
    return api.request("POST", REGISTER, headers={"X-Forwarded-For": forwarded_for}, json={
        "invitation_code": code, "password": stack.TOWN_PASSWORD,
        "email": "someone-%s@proxy.example" % uuid.uuid4().hex[:8],
        "display_name": "Someone", "language": "fr"})


def test_one_clients_typos_behind_the_ingress_do_not_block_another(behind_a_proxy):
    api = stack.Api(behind_a_proxy.platform.http_url)
    typos = [register_with(api, "TYPO-%04d" % n, CLIENT_A) for n in range(CODE_LIMIT)]
    assert [t.status_code for t in typos] == [UNKNOWN_CODE] * CODE_LIMIT, typos[-1].text

    assert register_with(api, "TYPO-A6", CLIENT_A).status_code == 429
    # Client B, through the same ingress, still has its own tries.
    other = register_with(api, "TYPO-B1", CLIENT_B)
    assert other.status_code == UNKNOWN_CODE, other.text
    # B registers for real with a letter of the demo municipality.
    code = behind_a_proxy.credentials["invitation_codes"][0]["code"]
    registered = api.request("POST", REGISTER, headers={"X-Forwarded-For": CLIENT_B}, json={
        "invitation_code": code, "password": stack.TOWN_PASSWORD,
        "email": "b-%s@proxy.example" % uuid.uuid4().hex[:8], "display_name": "Bea",
        "language": "fr"})
    assert registered.status_code == 201, registered.text


def test_a_client_writing_its_own_forwarded_for_cannot_escape_its_limit(behind_a_proxy):
    api = stack.Api(behind_a_proxy.platform.http_url)
    spoofer = "192.0.2.99"
    for n in range(CODE_LIMIT):
        assert register_with(api, "SPOOF-%03d" % n, spoofer).status_code == UNKNOWN_CODE
    # The ingress appends the address it saw; whatever the client wrote stays on the left.
    for invented in ("10.1.2.3", "198.51.100.200, 10.9.9.9", "not-an-address", "127.0.0.1"):
        escaped = register_with(api, "SPOOF-X", "%s, %s" % (invented, spoofer))
        assert escaped.status_code == 429, (invented, escaped.text)


def test_a_client_reaching_the_gateway_without_the_proxy_is_its_own_socket_address(
        behind_a_proxy):
    """No X-Forwarded-For at all: the socket address (here the trusted 127.0.0.1 itself)."""
    api = stack.Api(behind_a_proxy.platform.http_url)
    answer = api.request("POST", REGISTER, json={
        "invitation_code": "NOPROXY-1", "password": stack.TOWN_PASSWORD,
        "email": "direct-%s@proxy.example" % uuid.uuid4().hex[:8], "display_name": "Dee",
        "language": "fr"})
    assert answer.status_code == UNKNOWN_CODE, answer.text
