"""The moderation routes of the gateway with the service replaced by a scripted RPC client: roles
refused before any call, what reaches the service, errors keep their status and details."""
import pytest

from contracts import errors, rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT
from contracts.errors import DomainError


@pytest.mark.parametrize("role", [RESIDENT, CITY_STAFF])
@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/moderation/queue"), ("get", "/api/v1/moderation/audit"),
    ("get", "/api/v1/moderation/rules"), ("get", "/api/v1/moderation/settings"),
])
def test_residents_and_staff_cannot_read_moderation(client, fake_rpc, as_role, role, method,
                                                     path):
    response = getattr(client, method)(path, headers=as_role(role))
    assert response.status_code == 403
    assert fake_rpc.calls == []


def test_the_queue_passes_filters_and_paging(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.moderation.LIST_QUEUE] = {"items": [], "next_cursor": None}
    response = client.get("/api/v1/moderation/queue?source=auto_hidden&limit=5",
                          headers=as_role(MODERATOR))
    assert response.status_code == 200
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.moderation.LIST_QUEUE
    assert (kwargs["source"], kwargs["limit"], kwargs["status"]) == ("auto_hidden", 5, None)
    assert client.get("/api/v1/moderation/queue?source=nope",
                      headers=as_role(MODERATOR)).status_code == 400


def test_a_decision_goes_with_its_idempotency_key_and_a_bad_one_is_refused(client, fake_rpc,
                                                                             as_role):
    fake_rpc.answers[rpc.moderation.DECIDE] = {"id": "post_p1", "status": "decided"}
    body = {"decision": "suspend", "reason": "ads", "suspension_days": 7}
    response = client.post("/api/v1/moderation/cases/post_p1/decision", json=body,
                           headers=as_role(ADMIN, **{"Idempotency-Key": "k1"}))
    assert response.status_code == 200
    method, kwargs = fake_rpc.calls[-1]
    assert (method, kwargs["case_id"], kwargs["decision"], kwargs["idempotency_key"]) == (
        rpc.moderation.DECIDE, "post_p1", body, "k1")
    calls = len(fake_rpc.calls)
    bad = client.post("/api/v1/moderation/cases/post_p1/decision",
                      json={"decision": "ban", "reason": "x"}, headers=as_role(MODERATOR))
    assert bad.status_code == 400 and len(fake_rpc.calls) == calls
    assert client.post("/api/v1/moderation/cases/post_p1/decision", json=body,
                       headers=as_role(RESIDENT)).status_code == 403


def test_the_author_appeals_and_a_second_appeal_is_a_conflict(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.moderation.APPEAL] = errors.conflict(
        "this decision was already appealed; one appeal per decision")
    response = client.post("/api/v1/moderation/cases/post_p1/appeal", json={"reason": "gift"},
                           headers=as_role(RESIDENT))
    assert response.status_code == 409
    assert "one appeal" in response.get_json()["error"]["message"]
    assert client.post("/api/v1/moderation/cases/post_p1/appeal", json={"reason": "x"},
                       headers=as_role(MODERATOR)).status_code == 403


def test_rules_are_created_with_their_schema(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.moderation.CREATE_RULE] = {"id": "r1"}
    ok = client.post("/api/v1/moderation/rules", headers=as_role(MODERATOR), json={
        "kind": "word", "pattern": "tupperware", "action": "block", "languages": ["fr"]})
    assert ok.status_code == 201
    assert fake_rpc.calls[-1][1]["rule"]["pattern"] == "tupperware"
    bad = client.post("/api/v1/moderation/rules", headers=as_role(MODERATOR), json={
        "pattern": "x", "action": "delete"})
    assert bad.status_code == 400
    fake_rpc.answers[rpc.moderation.DELETE_RULE] = errors.not_found("rule not found")
    assert client.delete("/api/v1/moderation/rules/r9",
                         headers=as_role(MODERATOR)).status_code == 404


def test_service_errors_keep_status_and_details(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.moderation.GET_CASE] = DomainError(errors.NOT_FOUND, "case not found")
    assert client.get("/api/v1/moderation/cases/post_x",
                      headers=as_role(MODERATOR)).status_code == 404
