"""Sessions for the same-origin web app: the refresh token lives in a cookie scripts cannot read.

A client that sends `X-Quartier-Client: web` on login or registration gets its refresh token as an
HttpOnly, Secure, SameSite=Strict cookie scoped to /api/v1/auth (so it travels with the refresh
and logout calls only), and not in the JSON body; the access token it keeps in memory. A script
injected into the page can then use the session while the page is open, but cannot carry the
refresh token away.

The cookie-authenticated refresh and logout also need the CSRF token (double submit): a second,
script-readable cookie whose value the app echoes in `X-CSRF-Token`. Another site cannot read it,
so even a browser that sent the SameSite=Strict cookie cross-site could not forge the header.

Clients that send their refresh token in the body (apps, scripts, the tests) are unchanged.

Chromium and Firefox treat http://127.0.0.1 and http://localhost as secure, so the Secure cookie
also works for `make run` on this machine; anywhere else the gateway sits behind HTTPS.
"""
import hmac
import secrets

from flask import jsonify, request

from contracts import errors
from contracts.errors import DomainError

CLIENT_HEADER = "X-Quartier-Client"
WEB_CLIENT = "web"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_COOKIE = "quartier_refresh"
CSRF_COOKIE = "quartier_csrf"
REFRESH_COOKIE_PATH = "/api/v1/auth"


def wants_cookie():
    return request.headers.get(CLIENT_HEADER, "").lower() == WEB_CLIENT


def tokens_response(tokens, status=200):
    """Login, registration and refresh answers: for the web client the refresh token moves from
    the body into the cookie (with a fresh CSRF token); anyone else gets the body unchanged."""
    if not wants_cookie() or not isinstance(tokens, dict) or "refresh_token" not in tokens:
        response = jsonify(tokens)
        response.status_code = status
        return response
    body = {key: value for key, value in tokens.items() if key != "refresh_token"}
    response = jsonify(body)
    response.status_code = status
    max_age = int(tokens.get("refresh_expires_in") or 0) or None
    response.set_cookie(REFRESH_COOKIE, tokens["refresh_token"], max_age=max_age,
                        path=REFRESH_COOKIE_PATH, secure=True, httponly=True, samesite="Strict")
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), max_age=max_age, path="/",
                        secure=True, httponly=False, samesite="Strict")
    return response


def cookie_refresh_token():
    """The refresh token of a cookie-authenticated call, after checking its CSRF token; None when
    the request carries no session cookie (the body must then name the token)."""
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        return None
    expected = request.cookies.get(CSRF_COOKIE, "")
    supplied = request.headers.get(CSRF_HEADER, "")
    if not expected or not hmac.compare_digest(expected.encode(), supplied.encode()):
        raise DomainError(errors.FORBIDDEN, "the %s header must repeat the %s cookie"
                          % (CSRF_HEADER, CSRF_COOKIE))
    return token


def refresh_token_of(body):
    """The body's refresh token, else the cookie's (CSRF-checked); 401 with neither."""
    token = (body or {}).get("refresh_token") or cookie_refresh_token()
    if not token:
        raise DomainError(errors.UNAUTHENTICATED, "no refresh token (body or session cookie)")
    return token


def clear_cookies(response):
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=True, httponly=True,
                           samesite="Strict")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True, samesite="Strict")
    return response
