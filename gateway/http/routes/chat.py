"""Private and group chat between residents: conversations, messages, members, blocks and reports
of a message.

Every route is for residents only: the city's accounts (staff, moderators, admins) get 403 here,
and the feed service refuses them again whatever they call, even for a conversation id they are
named in. Someone outside a conversation gets 404 for it, like for an id that does not exist."""
from contracts import rpc
from contracts.caller import RESIDENT
from gateway.http.api import api
from gateway.http.routes.feed import ID, PAGING

TAG = "chat"
RESIDENTS = (RESIDENT,)
USER_IDS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 64},
            "minItems": 1, "maxItems": 19}

PERSON = {"type": "object", "properties": {
    "id": ID, "name": {"type": "string",
                       "description": "full name in your own neighbourhood, first name + "
                                      "initial outside it"}}}
CONVERSATION = {"type": "object", "properties": {
    "id": ID,
    "kind": {"type": "string", "enum": ["direct", "group"]},
    "title": {"type": "string", "description": "groups"},
    "owner_id": {"type": ["string", "null"], "description": "groups: who adds members"},
    "members": {"type": "array", "items": PERSON},
    "created_at": {"type": "string"},
    "last_message_at": {"type": "string"},
    "joined_at": {"type": "string", "description": "you read the messages written since"},
    "unread": {"type": "integer", "description": "messages you have not read yet"},
    "created": {"type": "boolean", "description": "start only: false when the direct "
                                                  "conversation already existed"},
}}
MESSAGE = {"type": "object", "properties": {
    "id": ID, "conversation_id": ID,
    "author": {"oneOf": [PERSON, {"type": "null"}], "description": "null once erased"},
    "body": {"type": ["string", "null"], "description": "null when hidden or deleted"},
    "state": {"type": "string", "enum": ["visible", "hidden", "erased"]},
    "placeholder": {"type": "string", "description": "what to show instead of a hidden or "
                                                     "deleted message"},
    "created_at": {"type": "string"},
    "mine": {"type": "boolean"},
}}


def page_of(items):
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": items},
        "next_cursor": {"type": ["string", "null"],
                        "description": "continues after the last item; null at the end"}}}


@api.operation(
    "POST", "/api/v1/conversations", tag=TAG, roles=RESIDENTS, status=201,
    summary="Start a conversation (direct, or a group you own)",
    body={"type": "object", "required": ["member_ids"], "additionalProperties": False,
          "properties": {
              "member_ids": dict(USER_IDS, description="one resident for a direct "
                                                       "conversation; up to 19 for a group"),
              "title": {"type": "string", "minLength": 1, "maxLength": 80,
                        "description": "makes it a group (required with several members)"}}},
    response=CONVERSATION, errors=(403, 404, 422), idempotent=True,
)
def start_conversation(ctx):
    """With residents you share a neighbourhood with (home or followed). A direct conversation is
    one per pair: starting it again answers 200 with the same one (and brings back whoever had
    left it). Someone you cannot chat with is 404; a block between you is 403.
    A suspended account gets 403 with `error.details.suspended_until`."""
    started = ctx.call(rpc.feed.START_CONVERSATION, conversation=ctx.body,
                       idempotency_key=ctx.idempotency_key)
    return started, (201 if started.get("created") else 200)


@api.operation(
    "GET", "/api/v1/conversations", tag=TAG, roles=RESIDENTS, query=PAGING,
    summary="Your conversations, latest activity first", response=page_of(CONVERSATION),
)
def list_conversations(ctx):
    return ctx.call(rpc.feed.LIST_CONVERSATIONS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "GET", "/api/v1/conversations/{conversation_id}", tag=TAG, roles=RESIDENTS,
    summary="A conversation you are in", response=CONVERSATION,
)
def get_conversation(ctx, conversation_id):
    return ctx.call(rpc.feed.GET_CONVERSATION, conversation_id=conversation_id)


@api.operation(
    "POST", "/api/v1/conversations/{conversation_id}/members", tag=TAG, roles=RESIDENTS,
    summary="Add residents to your group",
    body={"type": "object", "required": ["member_ids"], "additionalProperties": False,
          "properties": {"member_ids": USER_IDS}},
    response=CONVERSATION, errors=(403, 409, 422), idempotent=True,
)
def add_members(ctx, conversation_id):
    """The group's owner only; at most 20 members (409 beyond). Newcomers read the messages
    written from now on. A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.feed.ADD_CONVERSATION_MEMBERS, conversation_id=conversation_id,
                    member_ids=ctx.body["member_ids"], idempotency_key=ctx.idempotency_key)


@api.operation(
    "DELETE", "/api/v1/conversations/{conversation_id}/members/me", tag=TAG, roles=RESIDENTS,
    summary="Leave a conversation",
    response={"type": "object", "properties": {"conversation_id": ID,
                                               "left": {"type": "boolean"}}},
)
def leave_conversation(ctx, conversation_id):
    """Afterwards it is 404 for you. A conversation nobody is in any more is deleted."""
    return ctx.call(rpc.feed.LEAVE_CONVERSATION, conversation_id=conversation_id)


@api.operation(
    "GET", "/api/v1/conversations/{conversation_id}/messages", tag=TAG, roles=RESIDENTS,
    query=PAGING, summary="Messages, newest first", response=page_of(MESSAGE),
)
def list_messages(ctx, conversation_id):
    """From when you joined; pass `next_cursor` back as `cursor` for older ones. Reading the
    first page marks the conversation's notification read."""
    return ctx.call(rpc.feed.LIST_MESSAGES, conversation_id=conversation_id,
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))


@api.operation(
    "POST", "/api/v1/conversations/{conversation_id}/messages", tag=TAG, roles=RESIDENTS,
    status=201, summary="Write a message",
    body={"type": "object", "required": ["body"], "additionalProperties": False,
          "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 2000}}},
    response=MESSAGE, errors=(403, 409, 422, 429), idempotent=True,
)
def send_message(ctx, conversation_id):
    """403 when someone in the conversation blocked you; 409 in a direct conversation the other
    person left; 429 past 30 messages a minute.
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.feed.SEND_MESSAGE, conversation_id=conversation_id,
                    body=ctx.body["body"], idempotency_key=ctx.idempotency_key)


@api.operation(
    "POST", "/api/v1/conversations/{conversation_id}/messages/{message_id}/reports", tag=TAG,
    roles=RESIDENTS, status=201, summary="Report a message to moderation",
    body={"type": "object", "required": ["reason"], "additionalProperties": False,
          "properties": {
              "reason": {"type": "string",
                         "enum": ["spam_commercial", "offensive", "off_topic", "other"]},
              "note": {"type": "string", "maxLength": 500}}},
    response={"type": "object", "properties": {
        "content_kind": {"type": "string", "enum": ["chat_message"]}, "content_id": ID,
        "conversation_id": ID, "reason": {"type": "string"},
        "reported_at": {"type": "string"}}},
    errors=(409, 422), idempotent=True,
)
def report_message(ctx, conversation_id, message_id):
    """Moderation then reads this message's text, and nothing else of the conversation. Once per
    person per message (again: 409); not your own messages (400)."""
    return ctx.call(rpc.feed.REPORT_MESSAGE, conversation_id=conversation_id,
                    message_id=message_id, reason=ctx.body["reason"],
                    note=ctx.body.get("note"), idempotency_key=ctx.idempotency_key)


BLOCK = {"type": "object", "properties": {"user_id": ID, "blocked": {"type": "boolean"}}}


@api.operation(
    "PUT", "/api/v1/me/blocks/{user_id}", tag=TAG, roles=RESIDENTS, summary="Block someone",
    response=BLOCK,
)
def block_user(ctx, user_id):
    """They can no longer write in any conversation you are in, nor start one with you.
    Idempotent."""
    return ctx.call(rpc.feed.BLOCK_USER, user_id=user_id)


@api.operation(
    "DELETE", "/api/v1/me/blocks/{user_id}", tag=TAG, roles=RESIDENTS, summary="Unblock someone",
    response=BLOCK,
)
def unblock_user(ctx, user_id):
    """Idempotent."""
    return ctx.call(rpc.feed.UNBLOCK_USER, user_id=user_id)


@api.operation(
    "GET", "/api/v1/me/blocks", tag=TAG, roles=RESIDENTS, query=PAGING,
    summary="The people you blocked",
    response=page_of({"type": "object", "properties": {
        "user_id": ID, "name": {"type": "string"}, "blocked_at": {"type": "string"}}}),
)
def list_blocks(ctx):
    return ctx.call(rpc.feed.LIST_BLOCKS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))
