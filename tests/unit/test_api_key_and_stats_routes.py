"""The admins' API-key routes and the city's statistics route with the services replaced by a
scripted RPC client: roles, what reaches identity, the Idempotency-Key, and the statistics served
by the same aggregation as the gRPC API."""

from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT
from gateway import city_stats


def test_only_admins_manage_api_keys(client, fake_rpc, as_role):
    for role in (CITY_STAFF, MODERATOR, RESIDENT):
        assert client.post("/api/v1/city/api-keys", json={"name": "GIS"},
                           headers=as_role(role)).status_code == 403
        assert client.get("/api/v1/city/api-keys", headers=as_role(role)).status_code == 403
    assert fake_rpc.calls == []


def test_creating_a_key_passes_its_name_and_idempotency_key(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.identity.CREATE_API_KEY] = {"key": {"key_id": "k"}, "api_key": "qk_x"}
    response = client.post("/api/v1/city/api-keys", json={"name": "GIS"},
                           headers=as_role(ADMIN, **{"Idempotency-Key": "once"}))
    assert response.status_code == 201 and response.get_json()["api_key"] == "qk_x"
    (method, kwargs), = fake_rpc.calls
    assert method == rpc.identity.CREATE_API_KEY
    assert (kwargs["name"], kwargs["idempotency_key"], kwargs["caller"]["role"]) == (
        "GIS", "once", ADMIN)


def test_a_key_needs_a_name_and_nothing_else(client, fake_rpc, as_role):
    for body in ({}, {"name": ""}, {"name": "x" * 101}, {"name": "GIS", "secret": "mine"}):
        response = client.post("/api/v1/city/api-keys", json=body, headers=as_role(ADMIN))
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid"
    assert fake_rpc.calls == []


def test_listing_and_revoking_reach_identity(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.identity.LIST_API_KEYS] = {"items": [], "next_cursor": None}
    assert client.get("/api/v1/city/api-keys?limit=5", headers=as_role(ADMIN)).status_code == 200
    fake_rpc.answers[rpc.identity.REVOKE_API_KEY] = {"key": {"key_id": "abc"}}
    assert client.delete("/api/v1/city/api-keys/abc", headers=as_role(ADMIN)).status_code == 200
    assert [(m, k.get("limit"), k.get("key_id")) for m, k in fake_rpc.calls] == [
        (rpc.identity.LIST_API_KEYS, 5, None), (rpc.identity.REVOKE_API_KEY, None, "abc")]


def test_city_stats_is_the_shared_aggregation_for_staff(client, fake_rpc, as_role, monkeypatch):
    seen = []

    def aggregation(call_async, municipality_id):
        seen.append(municipality_id)
        call_async(rpc.feed.STATISTICS, municipality_id=municipality_id).result()
        return {"municipality_id": municipality_id, "neighbourhoods": []}

    monkeypatch.setattr(city_stats, "city_statistics", aggregation)
    response = client.get("/api/v1/city/stats", headers=as_role(CITY_STAFF))
    assert response.status_code == 200 and response.get_json()["municipality_id"] == "m1"
    assert seen == ["m1"] and fake_rpc.calls[0][1]["caller"]["role"] == CITY_STAFF
    assert client.get("/api/v1/city/stats", headers=as_role(RESIDENT)).status_code == 403
