"""The neighbourhood calendar: residents' events in their home neighbourhood, RSVPs, the upcoming
list of the neighbourhoods they see.

The neighbourhood service decides who sees what (a resident: home and followed neighbourhoods,
anything else 404; the city reads no calendar) and refuses commercial events with its reasons
(422); the schemas and roles here are the gateway's second line."""
from contracts import rpc
from contracts.caller import RESIDENT
from gateway.http.api import api

TAG = "calendar"

ID = {"type": "string"}
MOMENT = {"type": "string", "maxLength": 40, "format": "date-time",
          "description": "ISO 8601 with its UTC offset, e.g. 2026-12-05T18:00:00+01:00; served "
                         "back in the offset given"}
POINT = {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
         "description": "[longitude, latitude] in WGS 84, in the neighbourhood or one adjacent"}
FIELDS = {
    "title": {"type": "string", "minLength": 3, "maxLength": 120},
    "description": {"type": "string", "maxLength": 4000},
    "starts_at": MOMENT,
    "ends_at": dict(MOMENT, description="after starts_at, at most 14 days later"),
    "place": {"type": "string", "minLength": 1, "maxLength": 200,
              "description": "where, as people say it (\"the playground, rue Haute\")"},
    "point": POINT,
    "small_fee": {"type": "boolean",
                  "description": "asks a contribution of at most 10 €; any amount in the text "
                                 "needs it, more than 10 € is refused as commercial"},
}
COUNTS = {"type": "object", "properties": {
    "going": {"type": "integer"}, "maybe": {"type": "integer"},
    "not_going": {"type": "integer"}}}
RESPONSE = {"type": ["string", "null"], "enum": ["going", "maybe", "not_going", None]}
EVENT = {
    "type": "object",
    "properties": {
        "id": ID,
        "neighbourhood_id": ID,
        **{name: schema for name, schema in FIELDS.items() if name != "point"},
        "point": POINT,
        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
        "organiser": {"type": "object", "description": "first name only",
                      "properties": {"user_id": ID, "first_name": {"type": "string"}}},
        "organised_by_me": {"type": "boolean"},
        "rsvp_counts": COUNTS,
        "my_rsvp": RESPONSE,
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
    },
}
@api.operation(
    "GET", "/api/v1/neighbourhoods/{neighbourhood_id}/events", tag=TAG,
    summary="Upcoming events of a neighbourhood",
    query={"cursor": {"type": "string", "maxLength": 512},
           "limit": {"type": "integer", "minimum": 1, "maximum": 100}},
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": EVENT},
        "next_cursor": {"type": ["string", "null"]}}},
    errors=(403,),
)
def list_events(ctx, neighbourhood_id):
    """Events that have not ended yet, soonest first (cancelled ones stay listed, marked), with
    exact RSVP counts and your own answer. For residents of the neighbourhood and its followers
    (others: 404); the city reads no calendar (403)."""
    return ctx.call(rpc.neighbourhood.LIST_EVENTS, neighbourhood_id=neighbourhood_id,
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))


@api.operation(
    "POST", "/api/v1/neighbourhoods/{neighbourhood_id}/events", tag=TAG, roles=(RESIDENT,),
    summary="Put an event in your neighbourhood's calendar", status=201,
    body={"type": "object", "required": ["title", "starts_at", "ends_at", "place"],
          "additionalProperties": False, "properties": FIELDS},
    response=EVENT, errors=(403, 409, 422), idempotent=True,
)
def create_event(ctx, neighbourhood_id):
    """In your home neighbourhood only (a followed one: 403). At most 10 upcoming events per
    organiser (409). Commercial events are refused (422): `error.details.reasons` lists each rule
    that matched (price_with_sales_words, fee_above_small_fee, fee_without_small_fee_flag) with the
    words or amounts that matched. An `Idempotency-Key` header makes a retry answer the first
    response. A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.neighbourhood.CREATE_EVENT, neighbourhood_id=neighbourhood_id,
                    event=ctx.body, idempotency_key=ctx.idempotency_key), 201


@api.operation(
    "GET", "/api/v1/events/{event_id}", tag=TAG, summary="An event of a neighbourhood you see",
    response=EVENT,
)
def get_event(ctx, event_id):
    return ctx.call(rpc.neighbourhood.GET_EVENT, event_id=event_id)


@api.operation(
    "PATCH", "/api/v1/events/{event_id}", tag=TAG, roles=(RESIDENT,),
    summary="Change your event",
    body={"type": "object", "minProperties": 1, "additionalProperties": False,
          "properties": FIELDS},
    response=EVENT, errors=(403, 409, 422),
)
def update_event(ctx, event_id):
    """The organiser only (others: 403), while the event has neither ended nor been cancelled
    (409). The changed event is checked as a whole again, the commercial rule included, and
    screened by moderation like a new one (422 with its reasons; 503 when moderation does not
    answer): nothing changes when it is refused.
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.neighbourhood.UPDATE_EVENT, event_id=event_id, changes=ctx.body)


@api.operation(
    "DELETE", "/api/v1/events/{event_id}", tag=TAG, roles=(RESIDENT,),
    summary="Cancel your event", response=EVENT, errors=(403, 409),
)
def cancel_event(ctx, event_id):
    """The event stays in the calendar marked cancelled, so the people who answered see it.
    Cancelling again answers the same; an event that has ended cannot be cancelled (409)."""
    return ctx.call(rpc.neighbourhood.CANCEL_EVENT, event_id=event_id)


@api.operation(
    "PUT", "/api/v1/events/{event_id}/rsvp", tag=TAG, roles=(RESIDENT,),
    summary="Answer an event: going, maybe or not going",
    body={"type": "object", "required": ["response"], "additionalProperties": False,
          "properties": {"response": {"type": "string",
                                      "enum": ["going", "maybe", "not_going"]}}},
    response={"type": "object", "properties": {
        "event_id": ID, "response": RESPONSE, "rsvp_counts": COUNTS}},
    errors=(409,),
)
def set_rsvp(ctx, event_id):
    """One answer per resident and event: sending it again changes nothing, another answer
    replaces yours. Counts are exact. Cancelled or ended events take no answers (409)."""
    return ctx.call(rpc.neighbourhood.SET_RSVP, event_id=event_id,
                    response=ctx.body["response"])
