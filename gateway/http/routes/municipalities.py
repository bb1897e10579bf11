"""Municipalities: the tenant a user belongs to (name, languages, activation threshold)."""
from contracts import rpc
from gateway.http.api import api

TAG = "municipalities"

MUNICIPALITY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "activation_threshold": {
            "type": "integer",
            "description": "households needed before a neighbourhood opens",
        },
        "languages": {"type": "array", "items": {"type": "string"}},
        "created_at": {"type": "string", "format": "date-time"},
    },
}


@api.operation(
    "GET", "/api/v1/municipalities/{municipality_id}", tag=TAG,
    summary="Read your municipality", response=MUNICIPALITY,
)
def get_municipality(ctx, municipality_id):
    """Members read their own municipality; any other id answers 404."""
    return ctx.call(rpc.identity.GET_MUNICIPALITY, municipality_id=municipality_id)


@api.operation(
    "GET", "/api/v1/municipalities", tag=TAG, summary="List the municipalities you belong to",
    query={
        "cursor": {"type": "string", "maxLength": 512},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
    },
    response={
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": MUNICIPALITY},
            "next_cursor": {"type": ["string", "null"]},
        },
    },
)
def list_municipalities(ctx):
    """Cursor-paginated; a user sees the one municipality their account belongs to."""
    return ctx.call(
        rpc.identity.LIST_MUNICIPALITIES,
        cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"),
    )
