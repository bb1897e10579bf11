"""API keys of the municipality's own systems (gRPC), managed by its admins, and the city's
statistics (the same aggregation the gRPC API serves, gateway.city_stats)."""
from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR
from gateway import city_stats
from gateway.http.api import api

TAG = "city"
PAGING = {"cursor": {"type": "string", "maxLength": 512},
          "limit": {"type": "integer", "minimum": 1, "maximum": 100}}
API_KEY = {"type": "object", "properties": {
    "key_id": {"type": "string", "description": "public part of the key; names it in logs"},
    "municipality_id": {"type": "string"}, "name": {"type": "string"},
    "status": {"type": "string", "enum": ["active", "revoked"]},
    "created_by": {"type": "string"}, "created_at": {"type": "number"},
    "revoked_at": {"type": ["number", "null"]}, "revoked_by": {"type": ["string", "null"]}}}


@api.operation(
    "POST", "/api/v1/city/api-keys", tag=TAG, roles=(ADMIN,), status=201,
    summary="Create an API key for one of your municipality's systems (shown once)",
    body={"type": "object", "required": ["name"], "additionalProperties": False,
          "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100,
                                  "description": "the system that will use it, e.g. GIS"}}},
    response={"type": "object", "properties": {
        "key": API_KEY,
        "api_key": {"type": ["string", "null"], "description":
                    "the key to configure in the system, in this answer only (null on a replay "
                    "of the same Idempotency-Key: revoke that key and create another)"}}},
    errors=(403, 422), idempotent=True,
)
def create_api_key(ctx):
    """The system sends it as gRPC metadata `authorization: Bearer <api_key>`. Quartier keeps a
    hash only: a lost key cannot be shown again, revoke it and create a new one."""
    return ctx.call(rpc.identity.CREATE_API_KEY, name=ctx.body["name"],
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "GET", "/api/v1/city/api-keys", tag=TAG, roles=(ADMIN,), query=PAGING,
    summary="Your municipality's API keys, revoked ones included (never the keys themselves)",
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": API_KEY},
        "next_cursor": {"type": ["string", "null"]}}},
)
def list_api_keys(ctx):
    return ctx.call(rpc.identity.LIST_API_KEYS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "DELETE", "/api/v1/city/api-keys/{key_id}", tag=TAG, roles=(ADMIN,),
    summary="Revoke an API key (the gRPC API refuses it within 5 seconds)",
    response={"type": "object", "properties": {"key": API_KEY}},
)
def revoke_api_key(ctx, key_id):
    """Revoking twice is harmless. The gRPC process caches a key's check for up to 5 seconds."""
    return ctx.call(rpc.identity.REVOKE_API_KEY, key_id=key_id)


# A count under the municipality's small-cell threshold (10 households unless it is stricter) is
# null, and the name of the field is listed in the `suppressed` array beside it.
COUNT = {"type": ["integer", "null"], "minimum": 0}
SUPPRESSED = {"type": "array", "items": {"type": "string"},
              "description": "the fields of this object that are null because their count is "
                             "under the small-cell threshold (or would reveal one that is)"}
ACTIVITY = {"type": "object", "properties": {
    "posts": COUNT, "comments": COUNT, "reactions": COUNT, "suppressed": SUPPRESSED}}
CELL = {"type": "object", "properties": {
    "neighbourhood_id": {"type": "string"}, "registered_households": COUNT,
    "participating_households": COUNT,
    "rate": {"type": ["number", "null"]},
    "suppressed": {"type": "boolean", "description": "true: a figure of this cell is null"}}}


@api.operation(
    "GET", "/api/v1/city/stats", tag=TAG, roles=(CITY_STAFF, ADMIN, MODERATOR),
    summary="Users, households and adoption per neighbourhood, activity per week and category, "
            "helpers and volunteers, participation (counts only)",
    response={"type": "object", "properties": {
        "municipality_id": {"type": "string"},
        "small_cell_threshold": {"type": "integer",
                                 "description": "counts under this are suppressed"},
        "neighbourhoods": {"type": "array", "items": {"type": "object", "properties": {
            "neighbourhood_id": {"type": "string"}, "name": {"type": "string"},
            "state": {"type": "string"}, "register_households": {"type": "integer"},
            "households": COUNT, "users": COUNT,
            "adoption_rate": {"type": ["number", "null"]}, "activity": ACTIVITY,
            "helpers": COUNT, "volunteers": COUNT, "suppressed": SUPPRESSED}}},
        "weeks": {"type": "array", "items": {"type": "object", "properties": {
            "week": {"type": "string"}, "activity": ACTIVITY}}},
        "posts_by_category": {"type": "object", "additionalProperties": COUNT},
        "categories_suppressed": dict(SUPPRESSED, description="categories whose count is null"),
        "helpers_available": {"type": "boolean", "description": "true: helpers are counted"},
        "helpers": COUNT, "volunteers": COUNT,
        "suppressed": dict(SUPPRESSED, description="municipality totals that are null"),
        "helper_skills": {"type": "array", "items": {"type": "object", "properties": {
            "skill": {"type": "string"}, "helpers": COUNT, "volunteers": COUNT,
            "suppressed": SUPPRESSED}}},
        "surveys": {"type": "array", "items": {"type": "object", "properties": {
            "survey_id": {"type": "string"}, "status": {"type": "string"},
            "neighbourhoods": {"type": "array", "items": CELL}}}},
        "budgets": {"type": "array", "items": {"type": "object", "properties": {
            "budget_id": {"type": "string"}, "phase": {"type": "string"},
            "neighbourhoods": {"type": "array", "items": CELL}}}}}},
)
def city_statistics(ctx):
    """The same figures as the gRPC `GetNeighbourhoodStats`; never any text of residents.
    Adoption is households with an account / households of the address register. Every count
    under the municipality's small-cell threshold is null and named in `suppressed`, and no row
    hides a single figure that its total and the others would give back."""
    def call_async(method, **kwargs):
        return ctx.rpc.call_async(method, timeout=ctx.rpc_timeout, request_id=ctx.request_id,
                                  caller=ctx.caller.to_dict(), **kwargs)

    return city_stats.city_statistics(call_async, ctx.caller.municipality_id)
