"""Abuse: a body of deeply nested JSON (`[[[[…` ×5000) made Python's recursive JSON parser raise
RecursionError inside the gateway: 500 and a traceback in the log, for anyone, without a token.

The gateway now refuses a body nested deeper than its limit before parsing it (400 `invalid`), on
open and on authenticated routes alike, and a body whose field has the wrong type is a 400 that
names the field."""
import os
import uuid

import pytest
import requests

pytestmark = pytest.mark.timeout(120)

DEPTH = 5000


def post(platform, path, data, token=None):
    headers = {"Content-Type": "application/json", "X-Request-Id": uuid.uuid4().hex}
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.request("POST" if "login" in path else "PATCH",
                            platform.platform.http_url + path, data=data, headers=headers,
                            timeout=20)


def gateway_log_since(platform, offset):
    with open(platform.platform.log_path("gateway"), errors="replace") as handle:
        handle.seek(offset)
        return handle.read()


def gateway_log_size(platform):
    return os.path.getsize(platform.platform.log_path("gateway"))


@pytest.mark.parametrize("body", ["[" * DEPTH + "]" * DEPTH,
                                  '{"a":' * DEPTH + "1" + "}" * DEPTH])
def test_deeply_nested_json_on_login_without_a_token_is_400_without_a_traceback(
        healthy_platform, body):
    before = gateway_log_size(healthy_platform)

    response = post(healthy_platform, "/api/v1/auth/login", body)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid"
    assert "nest" in response.json()["error"]["message"]
    log = gateway_log_since(healthy_platform, before)
    assert "Traceback" not in log and "RecursionError" not in log, log[-2000:]


def test_deeply_nested_json_on_an_authenticated_route_is_400_without_a_traceback(
        healthy_platform):
    before = gateway_log_size(healthy_platform)
    nested = '{"display_name": ' + "[" * DEPTH + "]" * DEPTH + "}"

    response = post(healthy_platform, "/api/v1/me", nested, token=healthy_platform.token())

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid"
    log = gateway_log_since(healthy_platform, before)
    assert "Traceback" not in log and "RecursionError" not in log, log[-2000:]


def test_a_body_field_of_the_wrong_type_is_400_naming_the_field(healthy_platform):
    response = requests.post(healthy_platform.platform.http_url + "/api/v1/auth/login",
                             json={"email": ["not", "a", "string"], "password": "x"}, timeout=20)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "email" in error["message"]
    assert "email" in error["details"]
