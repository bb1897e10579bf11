"""Registration with a household's invitation code, login, token refresh and logout. Open routes:
the caller has no access token yet (or an expired one)."""
from flask import current_app, jsonify, request

from contracts import rpc
from gateway.http import browser_session, device_cookie
from gateway.http.api import api
from gateway.http.client_address import TrustedProxies

TAG = "auth"
LANGUAGES = ["fr", "de", "en", "pt", "nl", "it", "es", "lb", "pl", "ar", "tr"]

PROFILE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "email": {"type": ["string", "null"]},
        "display_name": {"type": "string"},
        "language": {"type": "string"},
        "bio": {"type": "string"},
        "role": {"type": "string", "enum": ["resident", "city_staff", "moderator", "admin"]},
        "municipality_id": {"type": "string"},
        "neighbourhood_id": {"type": ["string", "null"]},
        "household_id": {"type": ["string", "null"]},
        "street": {"type": ["string", "null"]},
        "verified": {"type": "boolean", "description": "address verified by an invitation code"},
        "created_at": {"type": "number"},
    },
}

TOKENS = {
    "type": "object",
    "properties": {
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "access_token": {"type": "string", "description": "EdDSA JWT, valid 15 minutes"},
        "expires_in": {"type": "integer"},
        "refresh_token": {
            "type": "string",
            "description": "single use: each refresh returns the next one; presenting a used "
                           "one again ends the session",
        },
        "refresh_expires_in": {"type": "integer"},
        "device_token": {
            "type": "string",
            "description": "login and registration only: proof that this client signed in to "
                           "this account; send it back as `device_token` in the login body (or "
                           "keep the `quartier_device` cookie). While the account is locked by "
                           "failed logins from elsewhere, a login with it still works",
        },
        "device_token_expires_in": {"type": "integer"},
        "user": PROFILE,
    },
}

PASSWORD = {"type": "string", "minLength": 1, "maxLength": 1024}
EMAIL = {"type": "string", "minLength": 3, "maxLength": 254}


def client_id():
    """Who is trying, for the per-client limits: the client address as resolved through the
    trusted proxies (GATEWAY_TRUSTED_PROXIES, gateway/http/client_address.py)."""
    trusted = current_app.config["QUARTIER"].trusted_proxies or TrustedProxies()
    return trusted.client(request.remote_addr, request.headers.getlist("X-Forwarded-For"))


@api.operation(
    "POST", "/api/v1/auth/register", tag=TAG, auth=False, status=201, response=TOKENS,
    summary="Create a resident account with a household invitation code",
    body={
        "type": "object",
        "properties": {
            "invitation_code": {"type": "string", "minLength": 1, "maxLength": 32},
            "email": EMAIL,
            "password": PASSWORD,
            "display_name": {"type": "string", "minLength": 1, "maxLength": 200},
            "language": {"type": "string", "enum": LANGUAGES},
        },
        "required": ["invitation_code", "email", "password", "display_name", "language"],
        "additionalProperties": False,
    },
    errors=(409, 422, 429),
)
def register(ctx):
    """The code places the account in its household and neighbourhood. A used code answers 409,
    an expired or replaced one 422; after 5 failed codes within an hour a client gets 429."""
    tokens = ctx.call(rpc.identity.REGISTER, client_id=client_id(), **ctx.body)
    return device_cookie.hand_out(
        browser_session.tokens_response(device_cookie.for_body(tokens), status=201), tokens)


@api.operation(
    "POST", "/api/v1/auth/login", tag=TAG, auth=False, response=TOKENS,
    summary="Sign in with e-mail and password",
    body={
        "type": "object",
        "properties": {
            "email": EMAIL, "password": PASSWORD,
            "device_token": {"type": "string", "minLength": 1, "maxLength": 200,
                             "description": "the device token an earlier login of this account "
                                            "answered (else the quartier_device cookie counts)"},
        },
        "required": ["email", "password"],
        "additionalProperties": False,
    },
    errors=(401, 429),
)
def login(ctx):
    """One answer (401) for an unknown e-mail and a wrong password. After 10 failures within
    15 minutes from clients without a device token of the account, such clients are refused
    until the window passes (429 with Retry-After, before any password check), while a client
    with its device token still signs in; 10 failures with one device token lock that token.
    One client address may fail 100 times (by default) within 15 minutes over all accounts."""
    tokens = ctx.call(rpc.identity.LOGIN, email=ctx.body["email"],
                      password=ctx.body["password"],
                      device_token=device_cookie.presented(ctx.body), client_id=client_id())
    return device_cookie.hand_out(
        browser_session.tokens_response(device_cookie.for_body(tokens)), tokens)


# The web app sends `{}`: its refresh token is the session cookie, with the X-CSRF-Token header
# (gateway/http/browser_session.py). Without either, 401.
REFRESH_BODY = {
    "type": "object",
    "description": "send `X-Quartier-Client: web` on login or registration to get the refresh "
                   "token as an HttpOnly cookie instead; then send `{}` here with the "
                   "`X-CSRF-Token` header repeating the `quartier_csrf` cookie",
    "properties": {"refresh_token": {"type": "string", "minLength": 1, "maxLength": 256}},
    "additionalProperties": False,
}


@api.operation(
    "POST", "/api/v1/auth/refresh", tag=TAG, auth=False, response=TOKENS, body=REFRESH_BODY,
    summary="Exchange a refresh token for a new access and refresh token", errors=(401, 403),
)
def refresh(ctx):
    """Each refresh token works once. Presenting one that was already used ends the whole
    session (401), including the newer refresh token issued from it."""
    tokens = ctx.call(rpc.identity.REFRESH,
                      refresh_token=browser_session.refresh_token_of(ctx.body))
    return browser_session.tokens_response(tokens)


@api.operation(
    "POST", "/api/v1/auth/logout", tag=TAG, auth=False, body=REFRESH_BODY,
    summary="End the session a refresh token belongs to",
    response={"type": "object", "properties": {"logged_out": {"type": "boolean"}}},
    errors=(401, 403),
)
def logout(ctx):
    """Its refresh tokens stop working at once; access tokens already handed out expire within
    15 minutes."""
    answer = ctx.call(rpc.identity.LOGOUT,
                      refresh_token=browser_session.refresh_token_of(ctx.body))
    return browser_session.clear_cookies(jsonify(answer))
