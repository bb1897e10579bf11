"""Abuse: another site makes the resident's browser POST to /api/v1/auth/refresh or /logout; the
browser attaches the session cookie, so a cookie alone would refresh or end the session on the
attacker's behalf (login CSRF and forced logout).

Defence (gateway/http/browser_session.py): a cookie-authenticated refresh or logout must repeat
the script-readable `quartier_csrf` cookie in `X-CSRF-Token` (double submit; another origin cannot
read it), on top of SameSite=Strict. Logout with it revokes the whole chain and clears both
cookies."""
from tests.e2e.stack import Api

WEB = {"X-Quartier-Client": "web"}


def web_login(api, account):
    login = api.request("POST", "/api/v1/auth/login", headers=dict(WEB),
                        json={"email": account["email"], "password": account["password"]})
    assert login.status_code == 200, login.text
    return login.cookies["quartier_refresh"], login.cookies["quartier_csrf"]


def with_cookies(refresh, csrf, header=None):
    # Sent by hand: requests keeps Secure cookies for https, and the test platform is plain http.
    headers = {"Cookie": "quartier_refresh=%s; quartier_csrf=%s" % (refresh, csrf)}
    if header is not None:
        headers["X-CSRF-Token"] = header
    return headers


def test_a_refresh_or_logout_with_the_cookie_but_without_the_csrf_token_is_refused(
        healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    refresh, csrf = web_login(api, healthy_platform.credentials["residents"][1])
    for forged in (None, "", "guessed"):
        for path in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
            response = api.request("POST", path, json={},
                                   headers=with_cookies(refresh, csrf, forged))
            assert response.status_code == 403, (path, forged, response.text)
            assert response.json()["error"]["code"] == "forbidden"
    # Nothing was refreshed or revoked by the forged calls: the real app still refreshes.
    renewed = api.request("POST", "/api/v1/auth/refresh", json={},
                          headers=dict(WEB, **with_cookies(refresh, csrf, csrf)))
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["access_token"] and "refresh_token" not in renewed.json()
    assert renewed.cookies["quartier_refresh"] != refresh  # rotated, single use


def test_logout_with_the_csrf_token_ends_the_session_and_clears_the_cookies(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    refresh, csrf = web_login(api, healthy_platform.credentials["residents"][1])
    logout = api.request("POST", "/api/v1/auth/logout", json={},
                         headers=with_cookies(refresh, csrf, csrf))
    assert logout.status_code == 200, logout.text
    cleared = " ".join(logout.raw.headers.getlist("Set-Cookie"))
    assert "quartier_refresh=;" in cleared and "quartier_csrf=;" in cleared
    again = api.request("POST", "/api/v1/auth/refresh", json={},
                        headers=with_cookies(refresh, csrf, csrf))
    assert again.status_code == 401
