"""Helpers: your helper profile, searching the helpers of your neighbourhoods, the skill
catalogue, and the city's call-outs ("N helpers with skill X in neighbourhood Y").

The neighbourhood service decides who sees what: residents search their home and followed
neighbourhoods only; the city never searches helpers and learns a helper's name only when that
helper accepts one of its call-outs. The schemas and roles here are the gateway's second line."""
from flask import request

from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT
from gateway.http.api import api

TAG = "helpers"
CITY_TAG = "city"

ID = {"type": "string"}
SKILL_LANGUAGES = ["fr", "de", "en", "nl", "pt", "lb", "it", "es"]
SLOTS = ["weekday_mornings", "weekday_afternoons", "weekday_evenings", "weekends"]
PROFILE_FIELDS = {
    "skills": {"type": "array", "minItems": 1, "maxItems": 20, "items": ID,
               "description": "skill ids from GET /api/v1/helpers/skills"},
    "free_text": {"type": "string", "maxLength": 1000,
                  "description": "anything else you offer, in your words (searchable)"},
    "languages": {"type": "array", "maxItems": 10,
                  "items": {"type": "string", "pattern": "^[a-z]{2,3}$"},
                  "description": "languages you speak, ISO 639 codes"},
    "availability": {"type": "array", "items": {"type": "string", "enum": SLOTS}},
    "availability_note": {"type": "string", "maxLength": 200},
    "volunteer": {"type": "boolean",
                  "description": "the city may invite you to its call-outs"},
}
PROFILE = {"type": "object", "properties": dict(
    PROFILE_FIELDS, user_id=ID, neighbourhood_id=ID, first_name={"type": "string"},
    skill_labels={"type": "array", "items": {"type": "string"}},
    created_at={"type": "string"}, updated_at={"type": "string"})}
HELPER = {"type": "object", "properties": dict(
    PROFILE_FIELDS, user_id=ID, neighbourhood_id=ID, first_name={"type": "string"},
    skill_labels={"type": "array", "items": {"type": "string"}},
    score={"type": "number", "description": "relevance; higher first"})}
COUNTS = {"type": "object", "properties": {name: {"type": "integer"} for name in (
    "notified", "accepted", "declined", "pending")}}
CALLOUT = {"type": "object", "properties": {
    "id": ID, "neighbourhood_id": ID, "skill": ID, "skill_label": {"type": "string"},
    "wanted": {"type": "integer"}, "message": {"type": "string"},
    "created_at": {"type": "string"}, "counts": COUNTS, "filled": {"type": "boolean"},
    "accepted_helpers": {"type": "array", "description": "only helpers who accepted",
                         "items": {"type": "object", "properties": {
                             "user_id": ID, "display_name": {"type": "string"}}}}}}
INVITATION = {"type": "object", "properties": {
    "callout_id": ID, "skill": ID, "skill_label": {"type": "string"}, "neighbourhood_id": ID,
    "message": {"type": "string"}, "wanted": {"type": "integer"},
    "status": {"type": "string", "enum": ["pending", "accepted", "declined"]},
    "notified_at": {"type": "string"}, "answered_at": {"type": ["string", "null"]}}}
PAGE = {"cursor": {"type": "string", "maxLength": 512},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100}}


def _page(item):
    return {"type": "object", "properties": {"items": {"type": "array", "items": item},
                                             "next_cursor": {"type": ["string", "null"]}}}


@api.operation(
    "GET", "/api/v1/helpers/skills", tag=TAG, summary="The skill catalogue in your language",
    query={"language": {"type": "string", "enum": SKILL_LANGUAGES}},
    response={"type": "object", "properties": {
        "language": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "id": ID, "category": {"type": "string"}, "label": {"type": "string"}}}}}},
)
def helper_skills(ctx):
    """Ordered by category then label, in `language`, else the first supported language of the
    Accept-Language header, else English."""
    language = ctx.query.get("language") or preferred_language(
        request.headers.get("Accept-Language", ""))
    return ctx.call(rpc.neighbourhood.HELPER_SKILLS, language=language)


def preferred_language(header):
    """The first supported language of an Accept-Language header, by its q weights ("de-LU,
    fr;q=0.8" → de), or None."""
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in SKILL_LANGUAGES and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


@api.operation(
    "GET", "/api/v1/helpers", tag=TAG, roles=(RESIDENT,),
    summary="Search the helpers of your neighbourhood and those you follow",
    query=dict(PAGE, q={"type": "string", "maxLength": 200},
               skill={"type": "string", "maxLength": 64},
               language={"type": "string", "pattern": "^[a-z]{2,3}$",
                         "description": "a language the helper speaks"},
               volunteer={"type": "boolean"},
               labels={"type": "string", "enum": SKILL_LANGUAGES,
                       "description": "language of the skill labels in the answer"}),
    response=_page(HELPER), errors=(403,),
)
def search_helpers(ctx):
    """Ranked by relevance: a word of a skill's label or synonym (in any of the supported
    languages) counts more than one of the free text. Accents, word endings ("jardin" finds
    "jardinage"), one typo, compounds written apart or together ("baby sitting") and queries in
    another language than the profile ("French lessons" finds "Cours de français") all match.
    Only helpers of your home and followed neighbourhoods; pages continue with `next_cursor`."""
    query = ctx.query
    return ctx.call(rpc.neighbourhood.SEARCH_HELPERS, q=query.get("q"), skill=query.get("skill"),
                    language=query.get("language"), volunteer=query.get("volunteer"),
                    cursor=query.get("cursor"), limit=query.get("limit"),
                    reader_language=query.get("labels"))


@api.operation(
    "GET", "/api/v1/me/helper-profile", tag=TAG, roles=(RESIDENT,),
    summary="Your helper profile",
    query={"language": {"type": "string", "enum": SKILL_LANGUAGES}},
    response=PROFILE, errors=(403, 404),
)
def get_helper_profile(ctx):
    return ctx.call(rpc.neighbourhood.GET_HELPER_PROFILE, language=ctx.query.get("language"))


@api.operation(
    "PUT", "/api/v1/me/helper-profile", tag=TAG, roles=(RESIDENT,),
    summary="Offer your help: create or replace your helper profile",
    body={"type": "object", "required": ["skills"], "additionalProperties": False,
          "properties": PROFILE_FIELDS},
    response=PROFILE, errors=(403, 422), idempotent=True,
)
def put_helper_profile(ctx):
    """Neighbours of your home and of the neighbourhoods following it find you within seconds.
    An unknown skill id is refused (400, `details.fields.skills`).
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.neighbourhood.PUT_HELPER_PROFILE, profile=ctx.body,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "DELETE", "/api/v1/me/helper-profile", tag=TAG, roles=(RESIDENT,),
    summary="Stop offering help: remove your helper profile",
    response={"type": "object", "properties": {"removed": {"type": "boolean"}}},
    errors=(403,), idempotent=True,
)
def remove_helper_profile(ctx):
    """Gone from search within seconds; removing twice is fine (`removed: false`)."""
    return ctx.call(rpc.neighbourhood.REMOVE_HELPER_PROFILE,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "GET", "/api/v1/me/callouts", tag=TAG, roles=(RESIDENT,),
    summary="The city's call-outs you were invited to", query=PAGE,
    response=_page(INVITATION), errors=(403,),
)
def my_callouts(ctx):
    return ctx.call(rpc.neighbourhood.MY_CALLOUTS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "PUT", "/api/v1/me/callouts/{callout_id}/answer", tag=TAG, roles=(RESIDENT,),
    summary="Accept or decline a call-out",
    body={"type": "object", "required": ["answer"], "additionalProperties": False,
          "properties": {"answer": {"type": "string", "enum": ["accepted", "declined"]}}},
    response=INVITATION, errors=(403, 409), idempotent=True,
)
def answer_callout(ctx, callout_id):
    """Accepting tells the city your first name (and nothing before). When the call-out has the
    helpers it asked for, a further accept is refused (409). Declining after accepting withdraws
    you."""
    return ctx.call(rpc.neighbourhood.ANSWER_CALLOUT, callout_id=callout_id,
                    answer=ctx.body["answer"], idempotency_key=ctx.idempotency_key)


@api.operation(
    "POST", "/api/v1/city/callouts", tag=CITY_TAG, roles=(CITY_STAFF, ADMIN),
    summary="Ask for N volunteer helpers with a skill in a neighbourhood", status=201,
    body={"type": "object", "required": ["neighbourhood_id", "skill", "wanted"],
          "additionalProperties": False, "properties": {
              "neighbourhood_id": ID, "skill": ID,
              "wanted": {"type": "integer", "minimum": 1, "maximum": 50},
              "message": {"type": "string", "maxLength": 1000}}},
    response=CALLOUT, errors=(403,), idempotent=True,
)
def create_callout(ctx):
    """The neighbourhood's volunteers with that skill are invited; you see how many were
    notified, accepted and declined, and the names of those who accepted, nobody else's."""
    return ctx.call(rpc.neighbourhood.CREATE_CALLOUT, callout=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation(
    "GET", "/api/v1/city/callouts", tag=CITY_TAG, roles=(CITY_STAFF, ADMIN),
    summary="Your municipality's call-outs, newest first", query=PAGE, response=_page(CALLOUT),
    errors=(403,),
)
def list_callouts(ctx):
    return ctx.call(rpc.neighbourhood.LIST_CALLOUTS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "GET", "/api/v1/city/callouts/{callout_id}", tag=CITY_TAG, roles=(CITY_STAFF, ADMIN),
    summary="A call-out: counts, and who accepted", response=CALLOUT, errors=(403,),
)
def get_callout(ctx, callout_id):
    return ctx.call(rpc.neighbourhood.GET_CALLOUT, callout_id=callout_id)


# A count under the municipality's small-cell threshold is null (servicekit.disclosure).
SMALL_CELL_COUNT = {"type": ["integer", "null"], "minimum": 0}
SUPPRESSED = {"type": "array", "items": {"type": "string"},
              "description": "the counts of this object that are null as small cells"}


@api.operation(
    "GET", "/api/v1/city/statistics/helpers", tag=CITY_TAG,
    roles=(CITY_STAFF, MODERATOR, ADMIN),
    summary="Helpers and volunteers per neighbourhood, in all and per skill (counts only)",
    response={"type": "object", "properties": {
        "neighbourhoods": {"type": "array", "items": {"type": "object", "properties": {
            "neighbourhood_id": {"type": "string"}, "name": {"type": "string"},
            "helpers": SMALL_CELL_COUNT, "volunteers": SMALL_CELL_COUNT,
            "suppressed": SUPPRESSED}}},
        "helpers": SMALL_CELL_COUNT, "volunteers": SMALL_CELL_COUNT,
        "suppressed": SUPPRESSED,
        "skills": {"type": "array", "items": {"type": "object", "properties": {
            "skill": {"type": "string"}, "skill_label": {"type": "string"},
            "helpers": SMALL_CELL_COUNT, "volunteers": SMALL_CELL_COUNT,
            "suppressed": SUPPRESSED}}}}},
    errors=(403,),
)
def helper_statistics(ctx):
    """Skills are counted over the whole municipality. A count under the municipality's
    small-cell threshold is null and named in `suppressed`, with a second one beside a lone one
    (a total would give it back)."""
    limit = ctx.call(rpc.participation.STATISTICS_SETTINGS)["small_cell_threshold"]
    return ctx.call(rpc.neighbourhood.HELPER_STATISTICS, small_cell=limit)

