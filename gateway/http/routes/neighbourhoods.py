"""Neighbourhoods: the municipality's map, the neighbour list, following adjacent neighbourhoods,
the directory opt-out, and the staff import of polygons.

The neighbourhood service decides who sees what (a resident: home and followed neighbourhoods;
anything else is 404); the roles declared here are the gateway's second line."""
from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF
from gateway.http.api import api

TAG = "neighbourhoods"
# Real neighbourhood polygons (hundreds to thousands of vertices each, 16-24 of them) far exceed
# the gateway's 64 KiB default; the service bounds features and vertices itself.
IMPORT_MAX_BODY_BYTES = 8 * 1024 * 1024

ID = {"type": "string"}
SUMMARY = {
    "type": "object",
    "properties": {
        "id": ID,
        "name": {"type": "string"},
        "code": {"type": ["string", "null"]},
        "state": {"type": "string", "enum": ["pending", "active"],
                  "description": "pending until the municipality's household threshold is met"},
        "households": {"type": "integer", "description": "registered households"},
        "adjacent_ids": {"type": "array", "items": ID},
        "home": {"type": "boolean", "description": "the caller's home neighbourhood"},
        "following": {"type": "boolean", "description": "the caller follows it"},
    },
}
FEATURE = {
    "type": "object",
    "description": "a GeoJSON Feature; properties as in the neighbourhood list",
    "properties": {
        "type": {"const": "Feature"},
        "id": ID,
        "geometry": {"type": "object"},
        "properties": {"type": "object"},
    },
}
MEMBERS = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {
            "type": "object",
            "description": "first name and street only: never surname, house number, e-mail "
                           "or phone",
            "properties": {"user_id": ID, "first_name": {"type": "string"},
                           "street": {"type": "string"}},
        }},
        "next_cursor": {"type": ["string", "null"]},
    },
}
FOLLOWING = {
    "type": "object",
    "properties": {"neighbourhood_id": ID, "following": {"type": "boolean"}},
}


@api.operation(
    "GET", "/api/v1/neighbourhoods", tag=TAG,
    summary="The neighbourhoods of your municipality",
    response={"type": "object", "properties": {"items": {"type": "array", "items": SUMMARY}}},
)
def list_neighbourhoods(ctx):
    """Names, states, household counts and adjacency of every neighbourhood of your
    municipality, marking your home and the ones you follow."""
    return ctx.call(rpc.neighbourhood.LIST_NEIGHBOURHOODS)


@api.operation(
    "GET", "/api/v1/neighbourhoods/{neighbourhood_id}", tag=TAG,
    summary="A neighbourhood as GeoJSON", response=FEATURE,
)
def get_neighbourhood(ctx, neighbourhood_id):
    """Residents read their home and the neighbourhoods they follow; the city reads all of its
    own. Anything else is 404."""
    return ctx.call(rpc.neighbourhood.GET_NEIGHBOURHOOD, neighbourhood_id=neighbourhood_id)


@api.operation(
    "GET", "/api/v1/neighbourhoods/{neighbourhood_id}/members", tag=TAG,
    summary="The neighbour list",
    query={"cursor": {"type": "string", "maxLength": 512},
           "limit": {"type": "integer", "minimum": 1, "maximum": 100}},
    response=MEMBERS, errors=(403,),
)
def list_members(ctx, neighbourhood_id):
    """Neighbours who chose to be listed, by street then first name. For residents of the
    neighbourhood and its followers (others: 404); city accounts see counts only (403)."""
    return ctx.call(
        rpc.neighbourhood.LIST_MEMBERS, neighbourhood_id=neighbourhood_id,
        cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"),
    )


@api.operation(
    "PUT", "/api/v1/me/follows/{neighbourhood_id}", tag=TAG,
    summary="Follow a neighbourhood adjacent to yours", response=FOLLOWING, errors=(403, 409),
)
def follow_neighbourhood(ctx, neighbourhood_id):
    """Idempotent. Only a neighbourhood adjacent to your home can be followed (else 400)."""
    return ctx.call(rpc.neighbourhood.FOLLOW, neighbourhood_id=neighbourhood_id)


@api.operation(
    "DELETE", "/api/v1/me/follows/{neighbourhood_id}", tag=TAG,
    summary="Stop following a neighbourhood", response=FOLLOWING, errors=(403, 409),
)
def unfollow_neighbourhood(ctx, neighbourhood_id):
    """Idempotent: not following it already is fine."""
    return ctx.call(rpc.neighbourhood.UNFOLLOW, neighbourhood_id=neighbourhood_id)


@api.operation(
    "PATCH", "/api/v1/me/directory", tag=TAG,
    summary="Appear in your neighbour list, or not",
    body={"type": "object", "required": ["listed"], "additionalProperties": False,
          "properties": {"listed": {"type": "boolean"}}},
    response={"type": "object", "properties": {"listed": {"type": "boolean"}}},
    errors=(403, 409),
)
def set_directory_listing(ctx):
    """`{"listed": false}` takes you out of the neighbour list (you are listed by default);
    `{"listed": true}` puts you back."""
    return ctx.call(rpc.neighbourhood.SET_DIRECTORY_LISTING, listed=ctx.body["listed"])


@api.operation(
    "POST", "/api/v1/city/neighbourhoods/import", tag=TAG, roles=(CITY_STAFF, ADMIN),
    summary="Import the municipality's neighbourhood polygons (GeoJSON)",
    body={
        "type": "object",
        "description": "a GeoJSON FeatureCollection of Polygon/MultiPolygon features in WGS 84, "
                       "properties `name` and optional `code`; re-importing matches by code "
                       "(or name) and keeps ids, states and members",
        "required": ["type", "features"],
        "properties": {"type": {"const": "FeatureCollection"},
                       "features": {"type": "array", "minItems": 1, "maxItems": 200}},
    },
    response={"type": "object", "properties": {
        "created": {"type": "array", "items": ID},
        "updated": {"type": "array", "items": ID},
        "unchanged": {"type": "array", "items": ID},
        "neighbourhoods": {"type": "array", "items": SUMMARY},
    }},
    errors=(403, 409, 413), max_body_bytes=IMPORT_MAX_BODY_BYTES,
)
def import_neighbourhoods(ctx):
    """Validated as a whole: at most 200 valid polygons in WGS 84 that do not overlap (beyond
    0.5 % of the smaller one's area, for boundaries digitised twice). Adjacency is computed from
    the geometry: two neighbourhoods are adjacent when at least 25 m of one's boundary lies within
    5 m of the other; touching at a single corner is not adjacency. A re-import may not leave
    out an existing neighbourhood (409)."""
    return ctx.call(rpc.neighbourhood.IMPORT_NEIGHBOURHOODS, collection=ctx.body)
