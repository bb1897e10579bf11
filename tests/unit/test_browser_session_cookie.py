"""The web app's session (gateway/http/browser_session.py): the refresh token in an HttpOnly
cookie scoped to /api/v1/auth, a double-submit CSRF token on the cookie refresh and logout, and
the JSON body tokens unchanged for every other client."""
import pytest

from contracts import errors, rpc
from contracts.errors import DomainError

WEB = {"X-Quartier-Client": "web"}
LOGIN = {"email": "marie@example.org", "password": "pw"}


def tokens(refresh="r1"):
    return {"token_type": "Bearer", "access_token": "a." + refresh, "expires_in": 900,
            "refresh_token": refresh, "refresh_expires_in": 2592000, "user": {"id": "u1"}}


@pytest.fixture
def scripted(fake_rpc):
    fake_rpc.answers[rpc.identity.LOGIN] = tokens("r1")
    fake_rpc.answers[rpc.identity.REFRESH] = lambda refresh_token, **_: tokens(refresh_token + "+")
    fake_rpc.answers[rpc.identity.LOGOUT] = {"logged_out": True}
    return fake_rpc


def set_cookies(response):
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def login_as_web(client):
    response = client.post("/api/v1/auth/login", json=LOGIN, headers=WEB)
    assert response.status_code == 200
    return response


def test_the_web_client_gets_its_refresh_token_only_as_a_strict_http_only_cookie(client, scripted):
    response = login_as_web(client)
    assert "refresh_token" not in response.json and response.json["access_token"] == "a.r1"
    refresh_cookie = set_cookies(response)["quartier_refresh"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"):
        assert attribute in refresh_cookie
    csrf_cookie = set_cookies(response)["quartier_csrf"]
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie


def test_other_clients_keep_the_body_tokens(client, scripted):
    response = client.post("/api/v1/auth/login", json=LOGIN)
    assert response.json["refresh_token"] == "r1" and "Set-Cookie" not in response.headers
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": "r1"})
    assert refreshed.json["refresh_token"] == "r1+"


def test_the_cookie_refresh_needs_the_csrf_token(client, scripted):
    login_as_web(client)
    csrf = client.get_cookie("quartier_csrf").value
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        refused = client.post("/api/v1/auth/refresh", json={}, headers=dict(WEB, **headers))
        assert refused.status_code == 403 and refused.json["error"]["code"] == errors.FORBIDDEN
    assert rpc.identity.REFRESH not in scripted.methods()
    refreshed = client.post("/api/v1/auth/refresh", json={},
                            headers=dict(WEB, **{"X-CSRF-Token": csrf}))
    assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json
    assert ("refresh_token" in scripted.calls[-1][1]
            and scripted.calls[-1][1]["refresh_token"] == "r1")
    # The rotated token replaced the cookie.
    assert client.get_cookie("quartier_refresh", path="/api/v1/auth").value == "r1+"


def test_a_refresh_without_any_token_is_401(client, scripted):
    response = client.post("/api/v1/auth/refresh", json={})
    assert response.status_code == 401 and rpc.identity.REFRESH not in scripted.methods()


def test_logout_revokes_the_cookie_session_and_clears_both_cookies(client, scripted):
    login_as_web(client)
    csrf = client.get_cookie("quartier_csrf").value
    response = client.post("/api/v1/auth/logout", json={}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert scripted.calls[-1] == (rpc.identity.LOGOUT, {"caller": scripted.calls[-1][1]["caller"],
                                                        "refresh_token": "r1"})
    assert client.get_cookie("quartier_refresh", path="/api/v1/auth") is None
    assert client.get_cookie("quartier_csrf") is None


def test_an_ended_session_is_401_through_the_cookie_too(client, scripted):
    login_as_web(client)
    csrf = client.get_cookie("quartier_csrf").value
    scripted.answers[rpc.identity.REFRESH] = DomainError(errors.UNAUTHENTICATED, "session ended")
    response = client.post("/api/v1/auth/refresh", json={}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 401


DEVICE = {"device_token": "qd1.n.1.s", "device_token_expires_in": 7776000}
REGISTRATION = {"invitation_code": "ABCD-EFGH", "email": "marie@example.org", "password": "pw",
                "display_name": "Marie", "language": "fr"}


def test_the_web_client_gets_its_device_token_only_as_a_cookie_on_login_and_registration(
        client, fake_rpc):
    fake_rpc.answers[rpc.identity.LOGIN] = dict(tokens("r1"), **DEVICE)
    fake_rpc.answers[rpc.identity.REGISTER] = dict(tokens("r2"), **DEVICE)
    for path, body, status in (("/api/v1/auth/login", LOGIN, 200),
                               ("/api/v1/auth/register", REGISTRATION, 201)):
        response = client.post(path, json=body, headers=WEB)
        assert response.status_code == status, response.json
        assert not set(DEVICE) & set(response.json), response.json
        device_cookie = set_cookies(response)["quartier_device"]
        for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth/login"):
            assert attribute in device_cookie
        # Without the web header the body keeps it, for apps that store it themselves.
        assert client.post(path, json=body).json["device_token"] == "qd1.n.1.s"
