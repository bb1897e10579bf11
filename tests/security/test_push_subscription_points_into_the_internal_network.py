"""Abuse (SSRF): a push subscription's endpoint is a URL the platform POSTs to. A resident who
registers http://127.0.0.1:15672/api/... or the cloud metadata address as their "push service"
makes the notification service send requests into the platform's own network on every alert.

Defence: only https endpoints on public hosts are accepted (literal private, loopback,
link-local and unique-local addresses, localhost and single-label names refused with 400); each
send resolves the name again and skips (and drops) a subscription whose host now points inside.
Only a test platform allows otherwise, with PUSH_ALLOW_PRIVATE_ENDPOINTS; the shared platform
here runs with the production rule."""
import pytest

from tests.e2e.stack import Api

pytestmark = pytest.mark.timeout(120)

KEYS = {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg"}
INTERNAL = [
    "http://push.example.org/x",  # not https
    "https://127.0.0.1/x", "https://127.1.2.3:15672/api/vhosts",
    "https://10.0.0.5/x", "https://172.16.3.4/x", "https://192.168.1.1/x",
    "https://169.254.169.254/latest/meta-data/", "https://[::1]/x", "https://[fd00::1]/x",
    "https://[::ffff:127.0.0.1]/x", "https://localhost/x", "https://rabbitmq/x",
    "https://metadata.google.internal/x", "https://user:secret@push.example.org/x",
    "file:///etc/passwd", "https://0.0.0.0/x",
]


@pytest.mark.parametrize("endpoint", INTERNAL)
def test_an_internal_endpoint_is_refused(healthy_platform, endpoint):
    api = Api(healthy_platform.platform.http_url)
    token = healthy_platform.token(user_id="ssrf-resident")
    refused = api.request("POST", "/api/v1/me/push-subscriptions", token,
                          json={"endpoint": endpoint, "keys": KEYS})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "invalid"


def test_a_public_push_service_is_accepted_and_removable(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    token = healthy_platform.token(user_id="ssrf-resident-2")
    added = api.request("POST", "/api/v1/me/push-subscriptions", token, json={
        "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/abc", "keys": KEYS})
    assert added.status_code == 201, added.text
    other = healthy_platform.token(user_id="ssrf-resident-3")
    path = "/api/v1/me/push-subscriptions/%s" % added.json()["id"]
    assert api.request("DELETE", path, other).status_code == 404  # not theirs
    assert api.request("DELETE", path, token).status_code == 200
