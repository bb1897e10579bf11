"""The organisations map: schools, clubs, libraries, care... of a neighbourhood as GeoJSON for
everyone who sees it, and the staff routes that manage them.

The neighbourhood service decides (a resident reads home and followed neighbourhoods, others 404;
city staff and admins of the municipality manage); roles here are the gateway's second line."""
from flask import jsonify

from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF
from gateway.http.api import api

TAG = "organisations"
STAFF = (CITY_STAFF, ADMIN)
# RFC 7946 §12: the media type of GeoJSON.
GEOJSON_MEDIA_TYPE = "application/geo+json"

ID = {"type": "string"}
CATEGORY = {"type": "string", "maxLength": 40,
            "description": "an id from GET /api/v1/organisation-categories"}
POINT = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
         "description": "[longitude, latitude] in WGS 84, inside the neighbourhood"}
OPTIONAL_TEXT = {"type": ["string", "null"]}
FIELDS = {
    "name": {"type": "string", "minLength": 2, "maxLength": 120},
    "category": CATEGORY,
    "address": {"type": "string", "minLength": 1, "maxLength": 200},
    "point": POINT,
    "neighbourhood_id": {"type": ["string", "null"], "maxLength": 64,
                         "description": "optional: the point must lie in it (by default the "
                                        "neighbourhood holding the point)"},
    "website": dict(OPTIONAL_TEXT, maxLength=300, description="http(s) address"),
    "phone": dict(OPTIONAL_TEXT, maxLength=32),
    "description": dict(OPTIONAL_TEXT, maxLength=1000),
}
ORGANISATION = {
    "type": "object",
    "properties": {"id": ID, "municipality_id": ID, "neighbourhood_id": ID,
                   **{k: v for k, v in FIELDS.items() if k != "neighbourhood_id"},
                   "category_label": {"type": "string"}, "created_by": ID,
                   "created_at": {"type": "string"}, "updated_at": {"type": "string"}},
}
FEATURE_COLLECTION = {
    "type": "object",
    "description": "a GeoJSON FeatureCollection (RFC 7946) of Point features; `next_cursor` "
                   "(a foreign member) fetches the rest of a large neighbourhood",
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"type": "object", "properties": {
            "type": {"const": "Feature"}, "id": ID,
            "geometry": {"type": "object", "properties": {
                "type": {"const": "Point"}, "coordinates": POINT}},
            "properties": {"type": "object", "properties": {
                "name": {"type": "string"}, "category": {"type": "string"},
                "category_label": {"type": "string"}, "address": {"type": "string"},
                "website": OPTIONAL_TEXT, "phone": OPTIONAL_TEXT,
                "description": OPTIONAL_TEXT, "neighbourhood_id": ID}},
        }}},
        "next_cursor": {"type": ["string", "null"]},
    },
}
PAGING = {"cursor": {"type": "string", "maxLength": 512},
          "limit": {"type": "integer", "minimum": 1, "maximum": 500}}


@api.operation(
    "GET", "/api/v1/organisation-categories", tag=TAG,
    summary="The catalogue of organisation categories",
    response={"type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {"id": ID, "label": {"type": "string"}}}}}},
)
def organisation_categories(ctx):
    return ctx.call(rpc.neighbourhood.ORGANISATION_CATEGORIES)


@api.operation(
    "GET", "/api/v1/neighbourhoods/{neighbourhood_id}/organisations", tag=TAG,
    summary="A neighbourhood's organisations as GeoJSON",
    query=dict(PAGING, category=CATEGORY), response=FEATURE_COLLECTION,
    media_types=(GEOJSON_MEDIA_TYPE,),
)
def list_organisations(ctx, neighbourhood_id):
    """Points with name, category, address and optional website and phone, by name (up to 100
    by default, 500 with `limit`). For everyone who sees the neighbourhood: its residents, its
    followers, the city (others: 404). Served as `application/geo+json`."""
    answer = ctx.call(rpc.neighbourhood.LIST_ORGANISATIONS, neighbourhood_id=neighbourhood_id,
                      category=ctx.query.get("category"), cursor=ctx.query.get("cursor"),
                      limit=ctx.query.get("limit"))
    response = jsonify(answer)
    response.mimetype = GEOJSON_MEDIA_TYPE
    return response


@api.operation(
    "GET", "/api/v1/city/organisations", tag=TAG, roles=STAFF,
    summary="The municipality's organisations (staff)",
    query=dict(PAGING, category=CATEGORY, neighbourhood_id={"type": "string", "maxLength": 64}),
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": ORGANISATION},
        "next_cursor": {"type": ["string", "null"]}}},
)
def list_city_organisations(ctx):
    return ctx.call(rpc.neighbourhood.LIST_CITY_ORGANISATIONS,
                    neighbourhood_id=ctx.query.get("neighbourhood_id"),
                    category=ctx.query.get("category"), cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "POST", "/api/v1/city/organisations", tag=TAG, roles=STAFF, status=201,
    summary="Add an organisation to the map (staff)",
    body={"type": "object", "required": ["name", "category", "address", "point"],
          "additionalProperties": False, "properties": FIELDS},
    response=ORGANISATION, errors=(409,), idempotent=True,
)
def create_organisation(ctx):
    """The point must lie in one of the municipality's neighbourhoods (and in `neighbourhood_id`
    when given); that neighbourhood is the organisation's. One organisation of a name per
    neighbourhood (409). An `Idempotency-Key` header makes a retry answer the first response."""
    return ctx.call(rpc.neighbourhood.CREATE_ORGANISATION, organisation=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation(
    "GET", "/api/v1/city/organisations/{organisation_id}", tag=TAG, roles=STAFF,
    summary="An organisation (staff)", response=ORGANISATION,
)
def get_organisation(ctx, organisation_id):
    return ctx.call(rpc.neighbourhood.GET_ORGANISATION, organisation_id=organisation_id)


@api.operation(
    "PATCH", "/api/v1/city/organisations/{organisation_id}", tag=TAG, roles=STAFF,
    summary="Change an organisation (staff)",
    body={"type": "object", "minProperties": 1, "additionalProperties": False,
          "properties": FIELDS},
    response=ORGANISATION, errors=(409,),
)
def update_organisation(ctx, organisation_id):
    """A moved point moves the organisation to the neighbourhood holding it."""
    return ctx.call(rpc.neighbourhood.UPDATE_ORGANISATION, organisation_id=organisation_id,
                    changes=ctx.body)


@api.operation(
    "DELETE", "/api/v1/city/organisations/{organisation_id}", tag=TAG, roles=STAFF,
    summary="Remove an organisation from the map (staff)",
    response={"type": "object", "properties": {"id": ID, "deleted": {"type": "boolean"}}},
)
def delete_organisation(ctx, organisation_id):
    return ctx.call(rpc.neighbourhood.DELETE_ORGANISATION, organisation_id=organisation_id)
