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
