"""The helper routes of the gateway with the service replaced by a scripted RPC client: what
reaches the service, roles, validation and Idempotency-Key."""
import pytest

from contracts import errors, rpc
from contracts.caller import CITY_STAFF, RESIDENT


def test_search_passes_every_parameter_and_the_caller(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.SEARCH_HELPERS] = {"items": [], "next_cursor": None}
    response = client.get("/api/v1/helpers?q=jardin&skill=gardening&language=fr"
                          "&volunteer=true&limit=5&cursor=abc&labels=nl",
                          headers=as_role(RESIDENT))
    assert response.status_code == 200, response.get_json()
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.neighbourhood.SEARCH_HELPERS
    assert (kwargs["q"], kwargs["skill"], kwargs["language"], kwargs["volunteer"],
            kwargs["limit"], kwargs["cursor"], kwargs["reader_language"]) == (
        "jardin", "gardening", "fr", True, 5, "abc", "nl")
    assert kwargs["caller"]["user_id"] == "u1"


def test_search_is_for_residents(client, fake_rpc, as_role):
    assert client.get("/api/v1/helpers?q=x", headers=as_role(CITY_STAFF)).status_code == 403
    assert client.get("/api/v1/helpers?q=x").status_code == 401
    assert fake_rpc.calls == []


def test_a_bad_limit_is_refused_before_the_service(client, fake_rpc, as_role):
    response = client.get("/api/v1/helpers?limit=1000", headers=as_role(RESIDENT))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"
    assert fake_rpc.calls == []


def test_put_profile_sends_the_body_and_the_idempotency_key(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.PUT_HELPER_PROFILE] = {"user_id": "u1"}
    body = {"skills": ["gardening"], "volunteer": True}
    response = client.put("/api/v1/me/helper-profile", json=body,
                          headers=dict(as_role(RESIDENT), **{"Idempotency-Key": "k-1"}))
    assert response.status_code == 200
    method, kwargs = fake_rpc.calls[-1]
    assert (method, kwargs["profile"], kwargs["idempotency_key"]) == (
        rpc.neighbourhood.PUT_HELPER_PROFILE, body, "k-1")


def test_put_profile_with_an_unknown_field_changes_nothing(client, fake_rpc, as_role):
    response = client.put("/api/v1/me/helper-profile",
                          json={"skills": ["gardening"], "street": "Rue Haute"},
                          headers=as_role(RESIDENT))
    assert response.status_code == 400
    assert fake_rpc.calls == []


def test_service_errors_keep_their_status(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.ANSWER_CALLOUT] = errors.conflict("full")
    response = client.put("/api/v1/me/callouts/c1/answer", json={"answer": "accepted"},
                          headers=as_role(RESIDENT))
    assert response.status_code == 409


def test_callouts_are_created_by_city_staff_only(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.CREATE_CALLOUT] = {"id": "c1"}
    body = {"neighbourhood_id": "n1", "skill": "gardening", "wanted": 3}
    assert client.post("/api/v1/city/callouts", json=body,
                       headers=as_role(RESIDENT)).status_code == 403
    response = client.post("/api/v1/city/callouts", json=body, headers=as_role(CITY_STAFF))
    assert response.status_code == 201
    assert fake_rpc.calls[-1][1]["callout"] == body


@pytest.mark.parametrize("path", ["/api/v1/helpers", "/api/v1/me/helper-profile",
                                  "/api/v1/helpers/skills", "/api/v1/city/callouts",
                                  "/api/v1/me/callouts"])
def test_the_routes_are_in_the_openapi_document(client, path):
    assert path in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_catalogue_follows_accept_language_unless_a_language_is_asked(
        client, fake_rpc, as_role):
    fake_rpc.answers[rpc.neighbourhood.HELPER_SKILLS] = {"language": "de", "items": []}
    client.get("/api/v1/helpers/skills", headers=dict(
        as_role(RESIDENT), **{"Accept-Language": "ja, de-LU;q=0.9, fr;q=0.8"}))
    assert fake_rpc.calls[-1][1]["language"] == "de"
    client.get("/api/v1/helpers/skills?language=nl", headers=dict(
        as_role(RESIDENT), **{"Accept-Language": "de"}))
    assert fake_rpc.calls[-1][1]["language"] == "nl"
    client.get("/api/v1/helpers/skills", headers=as_role(RESIDENT))
    assert fake_rpc.calls[-1][1]["language"] is None


@pytest.mark.parametrize("header, language", [
    ("fr-BE,fr;q=0.9,en;q=0.8", "fr"), ("en;q=0.2, pt;q=0.7", "pt"), ("zh, ja", None),
    ("de;q=0, it", "it"), ("garbage;q=x, es", "es"), ("", None)])
def test_preferred_language(header, language):
    from gateway.http.routes.helpers import preferred_language

    assert preferred_language(header) == language
