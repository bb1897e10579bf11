"""One request can be followed across processes: the id the caller sends (or the gateway makes)
appears in the gateway's access line, in the log lines of the service that served it, and in
those of the services that handled the events it caused — all structured JSON."""
import json
import uuid

import pytest
import requests

from contracts import services
from deploy.local.processes import GATEWAY
from tests.e2e import stack
from tests.e2e.stack import wait_until

pytestmark = pytest.mark.timeout(60)


def json_lines(platform, name):
    """The JSON lines of a process's log (the supervisor's own start markers are not JSON)."""
    entries = []
    with open(platform.log_path(name), errors="replace") as handle:
        for line in handle:
            if line.startswith("{"):
                entries.append(json.loads(line))
    return entries


def lines_with(platform, name, request_id):
    return [e for e in json_lines(platform, name) if e.get("request_id") == request_id]


def test_a_request_id_is_in_the_gateways_and_identitys_log_lines(healthy_platform):
    request_id = "e2e-" + uuid.uuid4().hex
    response = requests.get(
        healthy_platform.platform.http_url + "/api/v1/municipalities/"
        + healthy_platform.municipality_id,
        headers={"Authorization": "Bearer " + healthy_platform.token(),
                 "X-Request-Id": request_id},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == request_id
    platform = healthy_platform.platform

    _, gateway_lines = wait_until(lambda: lines_with(platform, GATEWAY, request_id), timeout=10)
    assert gateway_lines[0]["process"] == GATEWAY
    assert gateway_lines[0]["status"] == 200

    _, identity_lines = wait_until(
        lambda: lines_with(platform, services.IDENTITY, request_id), timeout=10)
    assert any(e["entrypoint"] == "identity.get_municipality" and e["outcome"] == "success"
               for e in identity_lines), identity_lines
    assert all(e["process"] == services.IDENTITY for e in identity_lines)


def test_every_process_writes_json_lines(healthy_platform):
    platform = healthy_platform.platform
    for name in platform.names:
        entries = json_lines(platform, name)
        assert entries, "%s wrote no JSON log line" % name
        assert {"ts", "level", "process", "logger", "message"} <= set(entries[0])


@pytest.fixture(scope="module")
def own_platform(rabbit_admin, tmp_path_factory):
    """A platform of its own: registering uses up invitation codes other tests may count on."""
    with stack.platform_of_its_own(rabbit_admin, tmp_path_factory, "tracing") as running:
        yield running


def test_a_registrations_request_id_follows_it_into_the_event_handlers_of_another_service(
        own_platform):
    request_id = "e2e-" + uuid.uuid4().hex
    platform = own_platform.platform
    response = requests.post(
        platform.http_url + "/api/v1/auth/register",
        json={"invitation_code": own_platform.credentials["invitation_codes"][0]["code"],
              "email": "traced@example.org", "password": "a long passphrase 1",
              "display_name": "Traced Resident", "language": "fr"},
        headers={"X-Request-Id": request_id}, timeout=10)
    assert response.status_code == 201, response.text

    def entrypoints(name):
        return {e.get("entrypoint") for e in lines_with(platform, name, request_id)}

    wait_until(lambda: lines_with(platform, GATEWAY, request_id), timeout=10)
    wait_until(lambda: "identity.register" in entrypoints(services.IDENTITY), timeout=10)
    # identity dispatched user_registered from the worker serving the request; the neighbourhood
    # service's handler of that event logs the same id.
    wait_until(lambda: "neighbourhood.on_user_registered" in entrypoints(services.NEIGHBOURHOOD),
               timeout=15, describe=lambda _: entrypoints(services.NEIGHBOURHOOD))


def login(running, resident):
    response = requests.post(running.platform.http_url + "/api/v1/auth/login",
                             json={"email": resident["email"], "password": resident["password"]},
                             timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_a_post_creations_request_id_is_in_the_gateways_and_the_feeds_lines(own_platform):
    platform = own_platform.platform
    token = login(own_platform, own_platform.credentials["residents"][0])
    request_id = "e2e-" + uuid.uuid4().hex
    response = requests.post(
        platform.http_url + "/api/v1/posts",
        json={"category": "message", "title": "Traced", "body": "Followed across processes"},
        headers={"Authorization": "Bearer " + token, "X-Request-Id": request_id}, timeout=10)
    assert response.status_code == 201, response.text

    _, gateway_lines = wait_until(lambda: lines_with(platform, GATEWAY, request_id), timeout=10)
    assert gateway_lines[0]["route"] == "/api/v1/posts" and gateway_lines[0]["status"] == 201
    _, feed_lines = wait_until(
        lambda: [e for e in lines_with(platform, services.FEED, request_id)
                 if e.get("entrypoint") == "feed.create_post"], timeout=10)
    assert feed_lines[0]["outcome"] == "success"
    # Whatever else served the request (a service the feed asked, a handler of post_created)
    # logged the same id; no line of this request carries another one.
    involved = {name for name in platform.names if lines_with(platform, name, request_id)}
    assert {GATEWAY, services.FEED} <= involved
