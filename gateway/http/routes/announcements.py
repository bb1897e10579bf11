"""The city's side of the feed: announcements to one, several or all neighbourhoods, and the feed's
statistics (counts only, never text)."""
from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR
from gateway.http.api import api
from gateway.http.routes.feed import BODY, LANGUAGES, PAGING, POST, TITLE

TAG = "city"
ANNOUNCERS = (CITY_STAFF, ADMIN)

TRANSLATIONS = {
    "type": "object",
    "description": "the author's own translations: language → {title, body}",
    "propertyNames": {"enum": LANGUAGES},
    "additionalProperties": {
        "type": "object", "required": ["title", "body"], "additionalProperties": False,
        "properties": {"title": TITLE, "body": BODY}},
}
# The city's own listing carries the author's translations themselves (to edit them), where
# readers get only the list of their languages.
ANNOUNCEMENT = dict(POST, properties=dict(
    POST["properties"],
    scheduled={"type": "boolean", "description": "not yet published (listing only)"},
    translations=TRANSLATIONS))
# A count under the municipality's small-cell threshold is null (servicekit.disclosure).
SMALL_CELL_COUNT = {"type": ["integer", "null"], "minimum": 0}
COUNTS = {"type": "object", "properties": {
    "posts": SMALL_CELL_COUNT, "comments": SMALL_CELL_COUNT, "reactions": SMALL_CELL_COUNT,
    "suppressed": {"type": "array", "items": {"type": "string"},
                   "description": "the counts of this object that are null as small cells"}}}


@api.operation(
    "POST", "/api/v1/city/announcements", tag=TAG, roles=ANNOUNCERS, status=201,
    summary="Publish an announcement to neighbourhoods of your municipality",
    body={
        "type": "object", "required": ["title", "body", "neighbourhood_ids"],
        "additionalProperties": False,
        "properties": {
            "title": TITLE, "body": BODY,
            "neighbourhood_ids": {
                "description": '"all", or the ids of one or several neighbourhoods',
                "oneOf": [{"const": "all"},
                          {"type": "array", "items": {"type": "string"}, "minItems": 1,
                           "maxItems": 100}]},
            "urgent": {"type": "boolean"},
            "publish_at": {"type": "string", "maxLength": 40,
                           "description": "ISO 8601 with offset; invisible until then"},
            "language": {"type": "string", "enum": LANGUAGES},
            "translations": TRANSLATIONS,
        },
    },
    response=POST, errors=(403, 422), idempotent=True,
)
def create_announcement(ctx):
    """Appears in the feeds of the chosen neighbourhoods at `publish_at` (now by default).
    Readers get your translation with `GET /api/v1/posts/{id}/translation?lang=`."""
    return ctx.call(rpc.feed.CREATE_ANNOUNCEMENT, announcement=ctx.body,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "GET", "/api/v1/city/announcements", tag=TAG, roles=ANNOUNCERS + (MODERATOR,),
    summary="Your municipality's announcements, scheduled ones included", query=PAGING,
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": ANNOUNCEMENT},
        "next_cursor": {"type": ["string", "null"]}}},
)
def list_announcements(ctx):
    return ctx.call(rpc.feed.LIST_ANNOUNCEMENTS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "GET", "/api/v1/city/stats/feed", tag=TAG, roles=ANNOUNCERS + (MODERATOR,),
    summary="Posts, comments and thanks: counts per neighbourhood, category and week",
    response={"type": "object", "properties": {
        "municipality_id": {"type": "string"},
        "neighbourhoods": {"type": "object", "additionalProperties": COUNTS},
        "categories": {"type": "object", "additionalProperties": SMALL_CELL_COUNT},
        "categories_suppressed": {"type": "array", "items": {"type": "string"},
                                  "description": "categories whose count is null"},
        "weeks": {"type": "object", "additionalProperties": COUNTS,
                  "description": "keyed by ISO week, e.g. 2026-W47"}}},
)
def feed_statistics(ctx):
    """Never any text: a post sent to several neighbourhoods counts in each of them. Counts
    under the municipality's small-cell threshold are null and named in `suppressed` (or
    `categories_suppressed`), with a second one beside a lone one."""
    limit = ctx.call(rpc.participation.STATISTICS_SETTINGS)["small_cell_threshold"]
    return ctx.call(rpc.feed.STATISTICS, small_cell=limit)
