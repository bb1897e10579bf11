"""The neighbourhood routes of the gateway with the service replaced by a scripted RPC client: what
reaches the service, roles, and the import's larger body limit."""
import json

import pytest

from contracts import errors, rpc
from contracts.caller import ADMIN, CITY_STAFF, RESIDENT
from gateway.http.routes.neighbourhoods import IMPORT_MAX_BODY_BYTES
from tests import neighbourhood_grid as grid


def test_the_member_list_passes_paging_and_the_caller_to_the_service(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.LIST_MEMBERS] = {"items": [], "next_cursor": None}

    response = client.get("/api/v1/neighbourhoods/n2/members?limit=5&cursor=abc",
                          headers=as_role(RESIDENT))

    assert response.status_code == 200
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.neighbourhood.LIST_MEMBERS
    assert (kwargs["neighbourhood_id"], kwargs["limit"], kwargs["cursor"]) == ("n2", 5, "abc")
    assert kwargs["caller"]["user_id"] == "u1"


def test_follow_errors_keep_their_status(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.FOLLOW] = errors.invalid("not adjacent")
    fake_rpc.answers[rpc.neighbourhood.UNFOLLOW] = errors.not_found("neighbourhood not found")

    assert client.put("/api/v1/me/follows/n9", headers=as_role(RESIDENT)).status_code == 400
    assert client.delete("/api/v1/me/follows/n9", headers=as_role(RESIDENT)).status_code == 404


def test_directory_opt_out_takes_a_boolean_only(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.SET_DIRECTORY_LISTING] = {"listed": False}

    refused = client.patch("/api/v1/me/directory", json={"listed": "no"},
                           headers=as_role(RESIDENT))
    accepted = client.patch("/api/v1/me/directory", json={"listed": False},
                            headers=as_role(RESIDENT))

    assert refused.status_code == 400
    assert accepted.get_json() == {"listed": False}
    assert fake_rpc.calls[-1][1]["listed"] is False


def big_collection(min_bytes):
    """A valid-looking FeatureCollection padded with vertices past `min_bytes`."""
    ring = grid.cell_ring(0, 0)
    steps = 4000
    lon0, lat0 = ring[0]
    lon1 = ring[1][0]
    dense = [[lon0 + (lon1 - lon0) * i / steps, lat0] for i in range(steps)] + ring[1:]
    collection = {"type": "FeatureCollection",
                  "features": [grid.feature(0, 0, ring=dense)] * 3}
    assert len(json.dumps(collection)) > min_bytes
    return collection


@pytest.mark.parametrize("role", [CITY_STAFF, ADMIN])
def test_staff_import_polygons_beyond_the_default_body_limit(client, fake_rpc, as_role, role):
    collection = big_collection(64 * 1024)

    response = client.post("/api/v1/city/neighbourhoods/import", json=collection,
                           headers=as_role(role))

    assert response.status_code == 200
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.neighbourhood.IMPORT_NEIGHBOURHOODS
    assert kwargs["collection"] == collection and kwargs["caller"]["role"] == role


def test_the_larger_limit_is_the_import_s_alone(client, fake_rpc, as_role):
    padding = {"listed": True, "pad": "x" * (64 * 1024)}

    response = client.patch("/api/v1/me/directory", json=padding, headers=as_role(RESIDENT))

    assert response.status_code == 413
    assert fake_rpc.calls == []


def test_an_import_over_its_own_limit_is_413(client, fake_rpc, as_role):
    response = client.post(
        "/api/v1/city/neighbourhoods/import", data=b"{" + b" " * IMPORT_MAX_BODY_BYTES + b"}",
        content_type="application/json", headers=as_role(CITY_STAFF))

    assert response.status_code == 413
    assert fake_rpc.calls == []


def test_residents_cannot_import(client, fake_rpc, as_role):
    response = client.post("/api/v1/city/neighbourhoods/import", json=grid.grid(1, 1),
                           headers=as_role(RESIDENT))

    assert response.status_code == 403
    assert fake_rpc.calls == []


def test_the_routes_are_in_the_api_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/neighbourhoods", "/api/v1/neighbourhoods/{neighbourhood_id}",
            "/api/v1/neighbourhoods/{neighbourhood_id}/members",
            "/api/v1/me/follows/{neighbourhood_id}", "/api/v1/me/directory",
            "/api/v1/city/neighbourhoods/import"} <= set(paths)
