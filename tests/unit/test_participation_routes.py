"""The participation routes of the gateway with the service replaced by a scripted RPC client:
what reaches the service, input refused before any call, roles, idempotency keys, CSV exports
and the 422 of an over-the-cap ballot."""
import csv
import io

import pytest

from contracts import errors, rpc
from contracts.caller import CITY_STAFF, MODERATOR, RESIDENT
from contracts.errors import DomainError
from tests import participation_samples as samples


def test_a_survey_reaches_the_service_with_its_idempotency_key(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.participation.CREATE_SURVEY] = {"id": "s1"}
    body = samples.survey(["n1", "n2"])

    response = client.post("/api/v1/city/surveys", json=body,
                           headers=dict(as_role(CITY_STAFF), **{"Idempotency-Key": "k-1"}))

    assert response.status_code == 201
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.participation.CREATE_SURVEY
    assert kwargs["survey"] == body and kwargs["idempotency_key"] == "k-1"
    assert kwargs["caller"]["role"] == CITY_STAFF


@pytest.mark.parametrize("change, field", [
    (lambda s: s["sections"][0]["questions"][0].update(type="essay"),
     "sections.0.questions.0.type"),
    (lambda s: s.update(neighbourhood_ids=[]), "neighbourhood_ids"),
    (lambda s: s.update(response_unit="family"), "response_unit"),
    (lambda s: s.pop("closes_at"), "(root)"),
])
def test_a_malformed_survey_is_refused_before_any_call(client, fake_rpc, as_role, change,
                                                        field):
    body = samples.survey(["n1"])
    change(body)

    response = client.post("/api/v1/city/surveys", json=body, headers=as_role(CITY_STAFF))

    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]
    assert fake_rpc.calls == []


@pytest.mark.parametrize("method, path, role", [
    ("post", "/api/v1/city/surveys", RESIDENT),
    ("post", "/api/v1/city/surveys", MODERATOR),
    ("post", "/api/v1/surveys/s1/responses", CITY_STAFF),
    ("put", "/api/v1/budgets/b1/ballot", CITY_STAFF),
    ("put", "/api/v1/city/incidents/i1/status", RESIDENT),
    ("post", "/api/v1/incidents", CITY_STAFF),
])
def test_roles_are_checked_before_any_call(client, fake_rpc, as_role, method, path, role):
    response = getattr(client, method)(path, json={}, headers=as_role(role))

    assert response.status_code == 403
    assert fake_rpc.calls == []


def test_an_over_the_cap_ballot_answers_422_with_the_sum_and_the_cap(client, fake_rpc,
                                                                     as_role):
    fake_rpc.answers[rpc.participation.CAST_BALLOT] = DomainError(
        errors.UNPROCESSABLE, "the chosen projects cost 1100 EUR in all, more than the budget's "
        "cap of 1000 EUR", {"sum": 1100, "cap": 1000})

    response = client.put("/api/v1/budgets/b1/ballot", json={"project_ids": ["p1", "p2"]},
                          headers=as_role(RESIDENT))

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"sum": 1100, "cap": 1000}
    assert fake_rpc.calls[-1][1]["project_ids"] == ["p1", "p2"]


def test_the_survey_export_is_csv_safe_for_spreadsheets(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.participation.EXPORT_SURVEY] = {
        "columns": ["response_id", "comment"], "rows": [["r1", "=HYPERLINK(1)"], ["r2", "ok"]],
        "next_cursor": "c2"}

    response = client.get("/api/v1/city/surveys/s1/export.csv?limit=2",
                          headers=as_role(CITY_STAFF))

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["X-Next-Cursor"] == "c2"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["response_id", "comment"], ["r1", "'=HYPERLINK(1)"], ["r2", "ok"]]


def test_budget_results_as_csv(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.participation.BUDGET_RESULTS] = {"projects": [
        {"rank": 1, "id": "p1", "title": "Trees", "cost": 600, "votes": 3, "funded": True}]}

    response = client.get("/api/v1/budgets/b1/results.csv", headers=as_role(RESIDENT))

    assert response.get_data(as_text=True).splitlines() == [
        "rank,id,title,cost,votes,funded", "1,p1,Trees,600,3,True"]


def test_incident_status_and_reason_reach_the_service(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.participation.SET_INCIDENT_STATUS] = {"status": "not_ours"}

    response = client.put("/api/v1/city/incidents/i1/status",
                          json={"status": "not_ours", "reason": "regional road"},
                          headers=as_role(CITY_STAFF))
    refused = client.put("/api/v1/city/incidents/i1/status", json={"status": "lost"},
                         headers=as_role(CITY_STAFF))

    assert response.status_code == 200
    assert fake_rpc.calls[-1][1] == dict(fake_rpc.calls[-1][1], incident_id="i1",
                                         status="not_ours", reason="regional road")
    assert refused.status_code == 400


def test_the_incident_stream_passes_its_position(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.participation.LIST_INCIDENTS] = {"items": [], "last_sequence": 7}

    response = client.get("/api/v1/city/incidents?after_sequence=7&limit=50",
                          headers=as_role(CITY_STAFF))

    assert response.get_json() == {"items": [], "last_sequence": 7}
    assert (fake_rpc.calls[-1][1]["after_sequence"], fake_rpc.calls[-1][1]["limit"]) == (7, 50)


def test_every_participation_route_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()

    for path in ("/api/v1/surveys", "/api/v1/surveys/{survey_id}/responses",
                 "/api/v1/budgets/{budget_id}", "/api/v1/budgets/{budget_id}/ballot",
                 "/api/v1/initiatives", "/api/v1/initiatives/{initiative_id}/supports",
                 "/api/v1/incidents", "/api/v1/city/surveys", "/api/v1/city/budgets",
                 "/api/v1/city/incidents", "/api/v1/budgets/{budget_id}/log/verify"):
        assert path in document["paths"], path
