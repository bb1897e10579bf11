"""A forgotten password: ask for a link by e-mail, then set a new password with its token. Open
routes (the person cannot sign in). The request answers 202 whatever the address, so it tells
nobody who has an account."""
from contracts import rpc
from gateway.http.api import api
from gateway.http.routes.auth import EMAIL, PASSWORD, TAG, client_id


@api.operation(
    "POST", "/api/v1/auth/password-reset", tag=TAG, auth=False, status=202,
    summary="Ask for a password reset link by e-mail",
    body={"type": "object", "required": ["email"], "additionalProperties": False,
          "properties": {"email": EMAIL}},
    response={"type": "object", "additionalProperties": False, "properties": {}},
    errors=(429,),
)
def request_password_reset(ctx):
    """202 and `{}` whatever the address: when it has an account, an e-mail with a link to the
    web app (`/reset-password?token=…`) valid 30 minutes follows. At most 5 requests per address
    and 30 per client address within an hour (429 with Retry-After), counted alike for every
    address."""
    return ctx.call(rpc.identity.REQUEST_PASSWORD_RESET, email=ctx.body["email"],
                    client_id=client_id())


@api.operation(
    "POST", "/api/v1/auth/password-reset/confirm", tag=TAG, auth=False,
    summary="Set a new password with the e-mailed link's token; every session ends",
    body={"type": "object", "required": ["token", "password"], "additionalProperties": False,
          "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 200},
                         "password": PASSWORD}},
    response={"type": "object", "properties": {"password_changed": {"const": True}}},
    errors=(400, 409),
)
def confirm_password_reset(ctx):
    """The token works once, for 30 minutes; a used, expired or unknown one is 400 alike. Every
    session of the account ends (sign in again with the new password)."""
    return ctx.call(rpc.identity.CONFIRM_PASSWORD_RESET, token=ctx.body["token"],
                    password=ctx.body["password"])
