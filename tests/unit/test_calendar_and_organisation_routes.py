"""The calendar and organisations routes of the gateway with the service replaced by a scripted
RPC client: what reaches the service, roles, body checks, idempotency keys, the GeoJSON media
type, and errors keeping their status and reasons."""
from contracts import errors, rpc
from contracts.caller import ADMIN, CITY_STAFF, RESIDENT
from contracts.errors import DomainError
# The scripted RPC client and the app/token fixtures of the neighbourhood routes' tests.

EVENT = {"title": "Street party", "starts_at": "2026-12-05T18:00:00+01:00",
         "ends_at": "2026-12-05T23:00:00+01:00", "place": "Rue Haute"}
ORGANISATION = {"name": "Library", "category": "library", "address": "1 rue X",
                "point": [6.1, 49.6]}


def test_creating_an_event_passes_the_body_and_the_idempotency_key(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.CREATE_EVENT] = {"id": "e1"}

    response = client.post("/api/v1/neighbourhoods/n1/events", json=EVENT,
                           headers=dict(as_role(RESIDENT), **{"Idempotency-Key": "k-1"}))

    assert response.status_code == 201
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.neighbourhood.CREATE_EVENT
    assert (kwargs["neighbourhood_id"], kwargs["event"], kwargs["idempotency_key"]) == (
        "n1", EVENT, "k-1")


def test_a_bad_event_body_never_reaches_the_service(client, fake_rpc, as_role):
    too_long = dict(EVENT, title="x" * 121)
    unknown = dict(EVENT, price=12)
    bad_key = {"Idempotency-Key": "no spaces allowed"}

    answers = [
        client.post("/api/v1/neighbourhoods/n1/events", json=too_long, headers=as_role(RESIDENT)),
        client.post("/api/v1/neighbourhoods/n1/events", json=unknown, headers=as_role(RESIDENT)),
        client.post("/api/v1/neighbourhoods/n1/events", json=EVENT,
                    headers=dict(as_role(RESIDENT), **bad_key)),
        client.put("/api/v1/events/e1/rsvp", json={"response": "yes"}, headers=as_role(RESIDENT)),
        client.patch("/api/v1/events/e1", json={}, headers=as_role(RESIDENT)),
    ]

    assert [a.status_code for a in answers] == [400] * 5
    assert "title" in answers[0].get_json()["error"]["details"]
    assert fake_rpc.calls == []


def test_staff_cannot_write_in_a_calendar(client, fake_rpc, as_role):
    answers = [
        client.post("/api/v1/neighbourhoods/n1/events", json=EVENT, headers=as_role(CITY_STAFF)),
        client.put("/api/v1/events/e1/rsvp", json={"response": "going"},
                   headers=as_role(CITY_STAFF)),
        client.delete("/api/v1/events/e1", headers=as_role(CITY_STAFF)),
    ]

    assert [a.status_code for a in answers] == [403] * 3
    assert fake_rpc.calls == []


def test_a_commercial_refusal_arrives_with_its_reasons(client, fake_rpc, as_role):
    reasons = [{"rule": "fee_above_small_fee", "message": "too dear", "matched": ["45 €"]}]
    fake_rpc.answers[rpc.neighbourhood.CREATE_EVENT] = DomainError(
        errors.UNPROCESSABLE, "commercial events are not allowed", {"reasons": reasons})

    response = client.post("/api/v1/neighbourhoods/n1/events", json=EVENT,
                           headers=as_role(RESIDENT))

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"reasons": reasons}


def test_rsvp_listing_and_cancel_reach_the_service(client, fake_rpc, as_role):
    client.put("/api/v1/events/e1/rsvp", json={"response": "maybe"}, headers=as_role(RESIDENT))
    client.get("/api/v1/neighbourhoods/n2/events?limit=5&cursor=abc", headers=as_role(RESIDENT))
    client.delete("/api/v1/events/e1", headers=as_role(RESIDENT))
    client.patch("/api/v1/events/e1", json={"place": "Hall"}, headers=as_role(RESIDENT))

    assert [(m, {k: v for k, v in kw.items() if k != "caller"}) for m, kw in fake_rpc.calls] == [
        (rpc.neighbourhood.SET_RSVP, {"event_id": "e1", "response": "maybe"}),
        (rpc.neighbourhood.LIST_EVENTS, {"neighbourhood_id": "n2", "cursor": "abc", "limit": 5}),
        (rpc.neighbourhood.CANCEL_EVENT, {"event_id": "e1"}),
        (rpc.neighbourhood.UPDATE_EVENT, {"event_id": "e1", "changes": {"place": "Hall"}}),
    ]


def test_organisations_are_served_as_geojson(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.LIST_ORGANISATIONS] = {
        "type": "FeatureCollection", "features": [], "next_cursor": None}

    response = client.get("/api/v1/neighbourhoods/n1/organisations?category=school&limit=500",
                          headers=as_role(RESIDENT))

    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.get_json()["type"] == "FeatureCollection"
    assert {k: v for k, v in fake_rpc.calls[-1][1].items() if k != "caller"} == {
        "neighbourhood_id": "n1", "category": "school", "cursor": None, "limit": 500}


def test_only_staff_and_admins_manage_organisations(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.CREATE_ORGANISATION] = {"id": "o1"}

    refused = [
        client.post("/api/v1/city/organisations", json=ORGANISATION, headers=as_role(role))
        for role in (RESIDENT, "moderator")
    ] + [client.delete("/api/v1/city/organisations/o1", headers=as_role(RESIDENT))]
    assert [r.status_code for r in refused] == [403] * 3
    assert fake_rpc.calls == []

    for role in (CITY_STAFF, ADMIN):
        created = client.post("/api/v1/city/organisations", json=ORGANISATION,
                              headers=dict(as_role(role), **{"Idempotency-Key": "org-1"}))
        assert created.status_code == 201
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.neighbourhood.CREATE_ORGANISATION
    assert (kwargs["organisation"], kwargs["idempotency_key"]) == (ORGANISATION, "org-1")


def test_an_organisation_body_is_checked_at_the_gateway(client, fake_rpc, as_role):
    answers = [
        client.post("/api/v1/city/organisations", json=dict(ORGANISATION, point=[6.1]),
                    headers=as_role(CITY_STAFF)),
        client.post("/api/v1/city/organisations", json={"name": "Library"},
                    headers=as_role(CITY_STAFF)),
        client.patch("/api/v1/city/organisations/o1", json={"colour": "red"},
                     headers=as_role(CITY_STAFF)),
    ]

    assert [a.status_code for a in answers] == [400] * 3
    assert fake_rpc.calls == []


def test_the_routes_are_in_the_api_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/neighbourhoods/{neighbourhood_id}/events"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/events/{event_id}"])
    assert "put" in paths["/api/v1/events/{event_id}/rsvp"]
    assert "get" in paths["/api/v1/neighbourhoods/{neighbourhood_id}/organisations"]
    assert {"get", "post"} <= set(paths["/api/v1/city/organisations"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/city/organisations/{organisation_id}"])
    assert "get" in paths["/api/v1/organisation-categories"]
