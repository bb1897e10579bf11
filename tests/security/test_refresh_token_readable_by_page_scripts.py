"""Abuse: a script injected into the web app (a malicious dependency, an XSS) reads the refresh
token from the login answer or from storage and takes the session away for 30 days.

Defence (gateway/http/browser_session.py): a client that says `X-Quartier-Client: web` gets the
refresh token only as an HttpOnly, Secure, SameSite=Strict cookie scoped to /api/v1/auth, never
in the body; the access token (15 minutes) is all a page ever holds. Other clients keep the body
tokens."""
from tests.e2e.stack import Api

WEB = {"X-Quartier-Client": "web"}


def set_cookies(response):
    return {header.split("=", 1)[0]: header for header in response.raw.headers.getlist("Set-Cookie")}


def test_the_web_login_answers_no_refresh_token_a_script_could_read(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    resident = healthy_platform.credentials["residents"][0]
    login = api.request("POST", "/api/v1/auth/login", headers=dict(WEB),
                        json={"email": resident["email"], "password": resident["password"]})
    assert login.status_code == 200, login.text
    assert "refresh_token" not in login.json() and login.json()["access_token"]
    cookie = set_cookies(login)["quartier_refresh"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"):
        assert attribute in cookie, cookie
    # The script-readable cookie is the CSRF token, not the session.
    csrf = set_cookies(login)["quartier_csrf"]
    assert "HttpOnly" not in csrf
    assert login.cookies["quartier_csrf"] != login.cookies["quartier_refresh"]


def test_clients_without_the_web_header_keep_their_body_tokens(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    resident = healthy_platform.credentials["residents"][0]
    login = api.request("POST", "/api/v1/auth/login",
                        json={"email": resident["email"], "password": resident["password"]})
    assert login.status_code == 200 and login.json()["refresh_token"]
    assert "quartier_refresh" not in set_cookies(login)


def test_the_web_login_answers_no_device_token_a_script_could_read(healthy_platform):
    """The device token lets its holder keep signing in while the account is locked against
    everyone else: a script that read it could carry that privilege away. The web client gets it
    as the HttpOnly cookie scoped to the login route only, never in the body."""
    api = Api(healthy_platform.platform.http_url)
    resident = healthy_platform.credentials["residents"][0]
    login = api.request("POST", "/api/v1/auth/login", headers=dict(WEB),
                        json={"email": resident["email"], "password": resident["password"]})
    assert login.status_code == 200, login.text
    assert "device_token" not in login.json() and "device_token_expires_in" not in login.json()
    cookie = set_cookies(login)["quartier_device"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth/login"):
        assert attribute in cookie, cookie
    # The cookie alone still proves the device at the next login of that browser.
    again = api.request("POST", "/api/v1/auth/login", headers=dict(WEB),
                        cookies={"quartier_device": login.cookies["quartier_device"]},
                        json={"email": resident["email"], "password": resident["password"]})
    assert again.status_code == 200 and "device_token" not in again.json()
    # Apps and scripts, which keep it themselves, still get it in the body.
    app = api.request("POST", "/api/v1/auth/login",
                      json={"email": resident["email"], "password": resident["password"]})
    assert app.status_code == 200 and app.json()["device_token"]
