"""The notifications inbox: replies to your posts, new chat messages, the city's announcements to
your neighbourhood, moderation's decisions about your content and the city's call-outs to you, newest first, with the unread
counts."""
from contracts import rpc
from gateway.http.api import api
from gateway.http.routes.feed import ID, PAGING

TAG = "me"
KINDS = ["reply", "chat_message", "announcement", "moderation", "suspension", "callout"]

NOTIFICATION = {
    "type": "object",
    "description": "reply: post_id, comment_id · chat_message: conversation_id, message_id, "
                   "count (messages since you last read it) · announcement: post_id, title, "
                   "urgent, author · moderation: action (held, hidden, restored), "
                   "content_kind, content_id, reasons · suspension: until, reason · callout: "
                   "callout_id, neighbourhood_id, skill, skill_label, message (answer it at "
                   "/api/v1/me/callouts)",
    "properties": {
        "id": ID, "kind": {"type": "string", "enum": KINDS},
        "created_at": {"type": "string"}, "read": {"type": "boolean"},
        "actor": {"type": ["object", "null"], "properties": {"id": ID,
                                                             "name": {"type": "string"}}},
    },
}
UNREAD = {"type": "object", "properties": {
    "total": {"type": "integer"},
    "by_kind": {"type": "object", "additionalProperties": {"type": "integer"}}}}


@api.operation(
    "GET", "/api/v1/me/notifications", tag=TAG, summary="Your notifications, newest first",
    query=dict(PAGING, unread={"type": "boolean"}),
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": NOTIFICATION},
        "next_cursor": {"type": ["string", "null"]},
        "unread": UNREAD}},
)
def list_notifications(ctx):
    """`unread=true` lists only what you have not read. Announcements are those of the last 30
    days to your home neighbourhood."""
    return ctx.call(rpc.feed.LIST_NOTIFICATIONS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"), unread=ctx.query.get("unread"))


@api.operation(
    "POST", "/api/v1/me/notifications/read", tag=TAG, summary="Mark notifications read",
    body={"type": "object", "additionalProperties": False,
          "description": 'either {"ids": [...]} or {"all": true, "up_to"?: date-time}',
          "oneOf": [{"required": ["ids"]}, {"required": ["all"]}],
          "properties": {
              "ids": {"type": "array", "minItems": 1, "maxItems": 100,
                      "items": {"type": "string", "minLength": 1, "maxLength": 100}},
              "all": {"const": True},
              "up_to": {"type": "string", "maxLength": 40,
                        "description": "with all: ISO 8601 with offset (default now)"}}},
    response={"type": "object", "properties": {"marked": {"type": "integer"},
                                               "unread": UNREAD}},
    idempotent=True,
)
def mark_read(ctx):
    """Marking again changes nothing; ids that are not yours are ignored."""
    return ctx.call(rpc.feed.MARK_NOTIFICATIONS_READ, request=ctx.body,
                    idempotency_key=ctx.idempotency_key)
