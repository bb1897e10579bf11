"""The signed-in person: their profile, their data export, erasing their account, inviting the
people they live with."""
from contracts import rpc
from gateway.http.api import api
from gateway.http.routes.auth import LANGUAGES, PROFILE, TOKENS

TAG = "me"

# Every service that holds personal data declares `EXPORT_USER`; the export gathers them all.
_SERVICE_NAMESPACES = (rpc.identity, rpc.neighbourhood, rpc.feed, rpc.translation,
                       rpc.moderation, rpc.participation)


def exporters():
    found = (getattr(namespace, "EXPORT_USER", None) for namespace in _SERVICE_NAMESPACES)
    return [method for method in found if method is not None]


@api.operation("GET", "/api/v1/me", tag=TAG, summary="Your profile", response=PROFILE)
def get_me(ctx):
    return ctx.call(rpc.identity.GET_ME)


@api.operation(
    "PATCH", "/api/v1/me", tag=TAG, summary="Change your display name, language or bio",
    response=PROFILE,
    body={
        "type": "object",
        "properties": {
            "display_name": {"type": "string", "minLength": 1, "maxLength": 200},
            "language": {"type": "string", "enum": LANGUAGES},
            "bio": {"type": "string", "maxLength": 2000},
        },
        "minProperties": 1,
        # Role, neighbourhood, household, e-mail and verification are not yours to set: naming
        # one refuses the whole request (400 naming the field) and changes nothing.
        "additionalProperties": False,
    },
    errors=(403,),
)
def update_me(ctx):
    """A suspended account may change its language and bio, not its display name (403 with
    `error.details.suspended_until`): neighbours read that name on everything it wrote."""
    return ctx.call(rpc.identity.UPDATE_ME, changes=ctx.body)


@api.operation(
    "GET", "/api/v1/me/export", tag=TAG, summary="Everything Quartier holds about you (GDPR)",
    response={"type": "object", "additionalProperties": {"type": "object"}},
    errors=(503,),
)
def export_me(ctx):
    """One part per service, keyed by service name. Identity answers first (an erased account has
    nothing to export: 401); if any other part cannot be gathered the export fails (503) rather
    than look complete."""
    methods = exporters()
    document = {rpc.identity.EXPORT_USER.service: ctx.call(rpc.identity.EXPORT_USER)}
    pending = [
        (method, ctx.rpc.call_async(method, timeout=ctx.rpc_timeout, request_id=ctx.request_id,
                                    caller=ctx.caller.to_dict()))
        for method in methods if method != rpc.identity.EXPORT_USER
    ]
    for method, answer in pending:
        document[method.service] = answer.result()
    return document


@api.operation(
    "DELETE", "/api/v1/me", tag=TAG, summary="Erase your account",
    response={"type": "object", "properties": {"erased": {"type": "boolean"}}},
)
def erase_me(ctx):
    """Your sessions end, every service erases or anonymises what it holds about you, and the
    e-mail address no longer signs in."""
    return ctx.call(rpc.identity.ERASE_ME)


@api.operation(
    "POST", "/api/v1/me/password", tag=TAG, summary="Change your password",
    response=TOKENS,
    body={
        "type": "object",
        "properties": {
            "current_password": {"type": "string", "minLength": 1, "maxLength": 1024},
            "new_password": {"type": "string", "minLength": 1, "maxLength": 1024},
        },
        "required": ["current_password", "new_password"],
        "additionalProperties": False,
    },
    errors=(403, 429),
)
def change_password(ctx):
    """Every session of the account ends (other devices sign in again); the answer carries the
    tokens of a fresh one. A wrong current password is 403 and counts towards the lockout."""
    return ctx.call(rpc.identity.CHANGE_PASSWORD, **ctx.body)


@api.operation(
    "POST", "/api/v1/me/household/invitations", tag=TAG, status=201, roles=("resident",),
    summary="Invite someone who lives with you",
    response={"type": "object", "properties": {
        "invitation_code": {"type": "string"}, "expires_at": {"type": "number"}}},
    errors=(409,),
)
def invite_co_resident(ctx):
    """A code for your household, valid 14 days; a household has at most 4 adults (accounts
    plus codes not yet used)."""
    return ctx.call(rpc.identity.INVITE_CO_RESIDENT)
