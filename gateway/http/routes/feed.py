"""The neighbourhood feed: typed posts, the newest-first feed, comments, thanks, reports, sharing a
post with the city (translations: gateway/http/routes/translations.py).

The feed service decides who reads what (a resident: posts to their home and followed
neighbourhoods; the city: posts shared with it and its own announcements; anything else is 404);
the schemas here are the gateway's first check of the input."""
from contracts import rpc
from gateway.http.api import api

TAG = "feed"

# Mirrors services/feed/domain.py (the service checks again and is the authority).
CATEGORIES = ["message", "classified", "pet", "recommendation", "help", "event", "safety"]
READ_CATEGORIES = CATEGORIES + ["announcement"]
LANGUAGES = ["fr", "de", "en", "pt", "nl", "it", "es", "lb", "pl", "ar", "tr"]
TITLE = {"type": "string", "minLength": 1, "maxLength": 120}
BODY = {"type": "string", "minLength": 1, "maxLength": 5000}
ID = {"type": "string"}
PAGING = {"cursor": {"type": "string", "maxLength": 512},
          "limit": {"type": "integer", "minimum": 1, "maximum": 100}}

AUTHOR = {
    "type": "object",
    "description": "full display name inside the author's own neighbourhood, first name + "
                   "initial outside it; `city` marks the municipality's accounts",
    "properties": {"id": ID, "name": {"type": "string"}, "city": {"type": "boolean"}},
}
POST = {
    "type": "object",
    "properties": {
        "id": ID,
        "category": {"type": "string", "enum": READ_CATEGORIES},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "kind": {"type": "string", "description": "classified: give, lend, borrow or sell"},
        "pet_status": {"type": "string", "description": "pet: lost or found"},
        "animal": {"type": "string"},
        "solved": {"type": "boolean", "description": "help requests, set by the author"},
        "starts_at": {"type": "string", "format": "date-time"},
        "place": {"type": "string"},
        "urgent": {"type": "boolean", "description": "announcements"},
        "neighbourhood_ids": {"type": "array", "items": ID, "description": "the audience"},
        "author": AUTHOR,
        "language": {"type": ["string", "null"]},
        "translations": {"type": "array", "items": {"type": "string"},
                         "description": "languages the author supplied a translation for"},
        "published_at": {"type": "string"},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "comment_count": {"type": "integer"},
        "reactions": {"type": "object", "properties": {"thanks": {"type": "integer"}}},
        "my_reactions": {"type": "array", "items": {"type": "string"}},
        "shared_with_city": {"type": "boolean", "description": "shown to the author only"},
    },
}
FEED = {"type": "object", "properties": {
    "items": {"type": "array", "items": POST},
    "next_cursor": {"type": ["string", "null"],
                    "description": "continues below the last item; null at the end"}}}
COMMENT = {"type": "object", "properties": {
    "id": ID, "post_id": ID, "body": {"type": "string"}, "author": AUTHOR,
    "created_at": {"type": "string"}}}
REACTION = {"type": "object", "properties": {
    "post_id": ID, "kind": {"type": "string", "enum": ["thanks"]},
    "count": {"type": "integer"}, "mine": {"type": "boolean"}}}

NEW_POST = {
    "type": "object",
    "required": ["category", "title", "body"],
    "additionalProperties": False,
    "description": "category-specific fields: classified → kind (required); pet → pet_status "
                   "(required), animal; event → starts_at (required, with offset), place",
    "properties": {
        "category": {"type": "string", "enum": CATEGORIES},
        "title": TITLE,
        "body": BODY,
        "audience": {
            "description": '"home" (default), "home_and_followed", or a list of neighbourhood '
                           "ids: your home plus neighbourhoods you follow",
            "oneOf": [{"type": "string", "enum": ["home", "home_and_followed"]},
                      {"type": "array", "items": ID, "minItems": 1, "maxItems": 100}]},
        "language": {"type": "string", "enum": LANGUAGES},
        "kind": {"type": "string", "enum": ["give", "lend", "borrow", "sell"]},
        "pet_status": {"type": "string", "enum": ["lost", "found"]},
        "animal": {"type": "string", "minLength": 1, "maxLength": 40},
        "starts_at": {"type": "string", "maxLength": 40},
        "place": {"type": "string", "minLength": 1, "maxLength": 200},
    },
}
POST_CHANGES = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "title": TITLE, "body": BODY, "solved": {"type": "boolean"},
        "kind": NEW_POST["properties"]["kind"],
        "pet_status": NEW_POST["properties"]["pet_status"],
        "animal": NEW_POST["properties"]["animal"],
        "starts_at": NEW_POST["properties"]["starts_at"],
        "place": NEW_POST["properties"]["place"],
        "translations": {"type": "object", "description": "announcements: language → "
                                                          "{title, body}"},
    },
}


@api.operation(
    "GET", "/api/v1/feed", tag=TAG, summary="Your neighbourhood feed, newest first",
    query=dict(PAGING, neighbourhood_id={"type": "string", "maxLength": 64},
               category={"type": "string", "enum": READ_CATEGORIES}),
    response=FEED,
)
def get_feed(ctx):
    """Posts to your home and followed neighbourhoods (or the one `neighbourhood_id` names: 404
    if you cannot see it), strictly newest first; pass `next_cursor` back as `cursor` for the
    next page. Posts added meanwhile never shift the pages you are reading."""
    return ctx.call(rpc.feed.FEED_PAGE, neighbourhood_id=ctx.query.get("neighbourhood_id"),
                    category=ctx.query.get("category"), cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "POST", "/api/v1/posts", tag=TAG, summary="Publish a post", body=NEW_POST, status=201,
    response=POST, errors=(403, 422), idempotent=True,
)
def create_post(ctx):
    """Residents publish to their home neighbourhood, or home plus followed ones. A retry with
    the same `Idempotency-Key` answers the first post; the same key with another body is 422.
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.feed.CREATE_POST, post=ctx.body, idempotency_key=ctx.idempotency_key)


@api.operation("GET", "/api/v1/posts/{post_id}", tag=TAG, summary="A post", response=POST)
def get_post(ctx, post_id):
    return ctx.call(rpc.feed.GET_POST, post_id=post_id)


@api.operation(
    "PATCH", "/api/v1/posts/{post_id}", tag=TAG, summary="Edit your post (or mark it solved)",
    body=POST_CHANGES, response=POST, errors=(403,),
)
def update_post(ctx, post_id):
    """Title, body, the category's fields; `{"solved": true}` on your help request. Category and
    audience stay. Screened by moderation like a new post, before it is stored: refused (422,
    `error.details.reasons`) and nothing changes, or stored pending (seen by you only) until a
    moderator decides; 503 and nothing changes when moderation does not answer.
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.feed.UPDATE_POST, post_id=post_id, changes=ctx.body)


@api.operation(
    "DELETE", "/api/v1/posts/{post_id}", tag=TAG, summary="Delete your post",
    response={"type": "object", "properties": {"id": ID, "deleted": {"type": "boolean"}}},
    errors=(403,),
)
def delete_post(ctx, post_id):
    """With its comments and thanks."""
    return ctx.call(rpc.feed.DELETE_POST, post_id=post_id)


SHARING = {"type": "object", "properties": {"post_id": ID,
                                            "shared_with_city": {"type": "boolean"}}}


@api.operation(
    "PUT", "/api/v1/posts/{post_id}/share", tag=TAG, summary="Share your post with the city",
    response=SHARING, errors=(403,),
)
def share_post(ctx, post_id):
    """The city reads only posts their authors shared with it. Idempotent."""
    return ctx.call(rpc.feed.SET_SHARED_WITH_CITY, post_id=post_id, shared=True)


@api.operation(
    "DELETE", "/api/v1/posts/{post_id}/share", tag=TAG,
    summary="Stop sharing your post with the city", response=SHARING, errors=(403,),
)
def unshare_post(ctx, post_id):
    """From now on the city gets 404 for it. Idempotent."""
    return ctx.call(rpc.feed.SET_SHARED_WITH_CITY, post_id=post_id, shared=False)


@api.operation(
    "POST", "/api/v1/posts/{post_id}/comments", tag=TAG, summary="Comment on a post",
    body={"type": "object", "required": ["body"], "additionalProperties": False,
          "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 2000}}},
    status=201, response=COMMENT, errors=(403, 422), idempotent=True,
)
def add_comment(ctx, post_id):
    """Screened by moderation before it is stored (422 with the reasons, or held).
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.feed.ADD_COMMENT, post_id=post_id, body=ctx.body["body"],
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "GET", "/api/v1/posts/{post_id}/comments", tag=TAG, summary="A post's comments, oldest first",
    query=PAGING,
    response={"type": "object", "properties": {"items": {"type": "array", "items": COMMENT},
                                               "next_cursor": {"type": ["string", "null"]}}},
    errors=(403,),
)
def list_comments(ctx, post_id):
    """For the city: the replies to its own posts only (403 under a resident's shared post:
    sharing a post does not share what others wrote under it)."""
    return ctx.call(rpc.feed.LIST_COMMENTS, post_id=post_id, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "PUT", "/api/v1/posts/{post_id}/reactions/{kind}", tag=TAG, summary="Thank a post",
    response=REACTION, errors=(403,),
)
def add_reaction(ctx, post_id, kind):
    """`kind` is `thanks`. One per person: repeating it changes nothing."""
    return ctx.call(rpc.feed.ADD_REACTION, post_id=post_id, kind=kind)


@api.operation(
    "DELETE", "/api/v1/posts/{post_id}/reactions/{kind}", tag=TAG,
    summary="Take your thanks back", response=REACTION, errors=(403,),
)
def remove_reaction(ctx, post_id, kind):
    """Idempotent: not having thanked is fine."""
    return ctx.call(rpc.feed.REMOVE_REACTION, post_id=post_id, kind=kind)


@api.operation(
    "POST", "/api/v1/posts/{post_id}/reports", tag=TAG, summary="Report a post or a comment",
    body={"type": "object", "required": ["reason"], "additionalProperties": False,
          "properties": {
              "reason": {"type": "string",
                         "enum": ["spam_commercial", "offensive", "off_topic", "other"]},
              "note": {"type": "string", "maxLength": 500},
              "comment_id": {"type": "string", "maxLength": 64,
                             "description": "report this comment of the post instead"}}},
    status=201,
    response={"type": "object", "properties": {
        "content_kind": {"type": "string", "enum": ["post", "comment"]}, "content_id": ID,
        "post_id": ID, "reason": {"type": "string"}, "reported_at": {"type": "string"}}},
    errors=(403, 409, 422), idempotent=True,
)
def report_content(ctx, post_id):
    """Once per person per post or comment (again: 409). Moderation reviews reports."""
    return ctx.call(rpc.feed.REPORT_CONTENT, post_id=post_id, reason=ctx.body["reason"],
                    note=ctx.body.get("note"), comment_id=ctx.body.get("comment_id"),
                    idempotency_key=ctx.idempotency_key)
