"""The device token (services/identity/device_tokens.py) between identity and the client.

Every login and registration answers it twice: as `device_token` in the JSON body, for apps and
scripts to keep and send back in the login body, and as the `quartier_device` cookie (HttpOnly,
Secure, SameSite=Strict, path /api/v1/auth/login, so browsers send it to the login alone and
scripts cannot read it). The web client (`X-Quartier-Client: web`) gets the cookie only. At login
a `device_token` in the body wins over the cookie."""
from flask import request

from gateway.http import browser_session

COOKIE = "quartier_device"
COOKIE_PATH = "/api/v1/auth/login"
FIELDS = ("device_token", "device_token_expires_in")


def presented(body):
    """The device token this login came with: the body's, else the cookie's, else None."""
    return (body or {}).get("device_token") or request.cookies.get(COOKIE) or None


def for_body(tokens):
    """The answer as the client reads it: without the token for the web client (cookie only)."""
    if not isinstance(tokens, dict) or not browser_session.wants_cookie():
        return tokens
    return {key: value for key, value in tokens.items() if key not in FIELDS}


def hand_out(response, tokens):
    """Set the cookie on a successful login or registration answer."""
    token = tokens.get("device_token") if isinstance(tokens, dict) else None
    if token:
        max_age = int(tokens.get("device_token_expires_in") or 0) or None
        response.set_cookie(COOKIE, token, max_age=max_age, path=COOKIE_PATH, secure=True,
                            httponly=True, samesite="Strict")
    return response
