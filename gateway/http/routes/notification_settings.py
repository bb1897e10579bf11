"""Reaching people outside the app (the notification service): each person's choices per kind ×
channel, digest and quiet hours; the e-mails' one-click unsubscribe; and, for the city's staff,
how far an urgent announcement's fan-out has gone."""
from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF
from gateway.http.api import api
from gateway.http.routes.feed import ID

KINDS = ["urgent_announcement", "announcement", "reply", "chat_message", "survey_published",
         "budget_voting", "incident_status", "initiative_update", "callout",
         "moderation_outcome"]
CHANNELS = ["in_app", "email", "push"]
CHANNEL_CHOICES = {"type": "object", "additionalProperties": False,
                   "properties": {channel: {"type": "boolean"} for channel in CHANNELS}}
QUIET_HOURS = {
    "type": ["object", "null"], "additionalProperties": False, "required": ["start", "end"],
    "description": "nothing but the city's urgent alerts between start and end (local time: "
                   "UTC plus utc_offset_minutes; may wrap midnight)",
    "properties": {
        "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        "end": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        "utc_offset_minutes": {"type": "integer", "minimum": -840, "maximum": 840}}}
SETTINGS = {
    "type": "object",
    "properties": {
        "channels": {"type": "object",
                     "properties": {kind: CHANNEL_CHOICES for kind in KINDS}},
        "digest": {"type": "string", "enum": ["none", "daily", "weekly"]},
        "quiet_hours": QUIET_HOURS,
    },
}
SETTINGS_CHANGE = dict(SETTINGS, additionalProperties=False, properties=dict(
    SETTINGS["properties"], channels={"type": "object", "additionalProperties": False,
                                      "properties": {kind: CHANNEL_CHOICES for kind in KINDS}}))
TOKEN_QUERY = {"token": {"type": "string", "minLength": 1, "maxLength": 400}}
COUNTS = {"type": "object", "properties": {
    status: {"type": "integer"} for status in ("sent", "skipped", "failed")}}


@api.operation(
    "GET", "/api/v1/me/notification-settings", tag="me",
    summary="What you are told about, on which channel (in-app, e-mail, push)",
    response=SETTINGS,
)
def get_notification_settings(ctx):
    return ctx.call(rpc.notification.GET_SETTINGS)


@api.operation(
    "PUT", "/api/v1/me/notification-settings", tag="me",
    summary="Change what you are told about: the kinds and channels named, digest, quiet hours",
    body=SETTINGS_CHANGE, response=SETTINGS, errors=(400,),
)
def put_notification_settings(ctx):
    """Kinds and channels you leave out keep their value. Quiet hours hold back everything but
    the city's urgent alerts."""
    return ctx.call(rpc.notification.PUT_SETTINGS, settings=ctx.body)


@api.operation(
    "POST", "/api/v1/notifications/unsubscribe", tag="me", auth=False,
    summary="One-click unsubscribe from an e-mail (RFC 8058): that kind stops by e-mail",
    query=TOKEN_QUERY, required_query=("token",),
    response={"type": "object", "properties": {
        "kind": {"type": "string", "enum": KINDS}, "channel": {"const": "email"},
        "subscribed": {"const": False}}},
    errors=(400,),
)
def unsubscribe(ctx):
    """The signed `token` of the e-mail's List-Unsubscribe link is the proof: no session is
    needed, and a token altered to name someone else is refused. Mail clients POST
    `List-Unsubscribe=One-Click`; the body is not needed."""
    return ctx.call(rpc.notification.UNSUBSCRIBE, token=ctx.query["token"])


@api.operation(
    "GET", "/api/v1/city/announcements/{announcement_id}/deliveries", tag="city",
    roles=(CITY_STAFF, ADMIN),
    summary="How far an urgent announcement's e-mails and pushes have gone",
    response={"type": "object", "properties": {
        "announcement_id": ID, "recipients": {"type": "integer"},
        "batches": {"type": "integer"}, "batches_done": {"type": "integer"},
        "started_at": {"type": ["string", "null"]},
        "deliveries": {"type": "object", "properties": {"email": COUNTS, "push": COUNTS}}}},
    errors=(403, 404),
)
def announcement_deliveries(ctx, announcement_id):
    """Recipients are the residents of its neighbourhoods when it was published; 404 for an
    announcement that was not urgent (nothing is sent for it outside the app) or of another
    municipality."""
    return ctx.call(rpc.notification.ANNOUNCEMENT_DELIVERIES, announcement_id=announcement_id)


# -- Web Push ----------------------------------------------------------------------------------

B64URL = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+=*$"}


@api.operation(
    "GET", "/api/v1/push/public-key", tag="me", auth=False,
    summary="The VAPID public key to subscribe with (applicationServerKey)",
    response={"type": "object", "properties": {"public_key": {"type": "string"}}},
)
def push_public_key(ctx):
    return ctx.call(rpc.notification.PUSH_PUBLIC_KEY)


@api.operation(
    "POST", "/api/v1/me/push-subscriptions", tag="me", status=201,
    summary="Receive pushes in this browser: its PushSubscription (endpoint and keys)",
    body={"type": "object", "required": ["endpoint", "keys"],
          "properties": {
              "endpoint": {"type": "string", "minLength": 1, "maxLength": 1000,
                           "description": "https, on the push service's public host"},
              "expirationTime": {"type": ["number", "null"]},
              "keys": {"type": "object", "required": ["p256dh", "auth"],
                       "additionalProperties": False,
                       "properties": {"p256dh": B64URL, "auth": B64URL}}},
          "additionalProperties": False},
    response={"type": "object", "properties": {"id": ID, "endpoint": {"type": "string"}}},
    errors=(400, 409),
)
def add_push_subscription(ctx):
    """`PushSubscription.toJSON()` as the browser gives it. An endpoint that is not https on a
    public host is refused (400): the platform POSTs to it. At most 10 per person (409)."""
    return ctx.call(rpc.notification.ADD_PUSH_SUBSCRIPTION, subscription=ctx.body)


@api.operation(
    "DELETE", "/api/v1/me/push-subscriptions/{subscription_id}", tag="me",
    summary="Stop pushes to one of your browsers",
    response={"type": "object", "properties": {"removed": {"const": True}}},
)
def remove_push_subscription(ctx, subscription_id):
    return ctx.call(rpc.notification.REMOVE_PUSH_SUBSCRIPTION, subscription_id=subscription_id)
