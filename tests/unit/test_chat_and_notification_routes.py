"""The chat and notifications routes of the gateway with the feed service replaced by a scripted
RPC client: staff are refused by every chat route before any call, what reaches the service,
input refused first, idempotency keys, documented paths."""
import pytest

from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT

CHAT_ROUTES = [
    ("POST", "/api/v1/conversations", {"member_ids": ["u2"]}),
    ("GET", "/api/v1/conversations", None),
    ("GET", "/api/v1/conversations/c1", None),
    ("POST", "/api/v1/conversations/c1/members", {"member_ids": ["u3"]}),
    ("DELETE", "/api/v1/conversations/c1/members/me", None),
    ("GET", "/api/v1/conversations/c1/messages", None),
    ("POST", "/api/v1/conversations/c1/messages", {"body": "Hello"}),
    ("POST", "/api/v1/conversations/c1/messages/m1/reports", {"reason": "offensive"}),
    ("PUT", "/api/v1/me/blocks/u2", None),
    ("DELETE", "/api/v1/me/blocks/u2", None),
    ("GET", "/api/v1/me/blocks", None),
]


@pytest.mark.parametrize("role", [CITY_STAFF, MODERATOR, ADMIN])
def test_staff_get_403_on_every_chat_route_and_nothing_reaches_the_service(
        client, fake_rpc, as_role, role):
    for method, path, body in CHAT_ROUTES:
        response = client.open(path, method=method, json=body, headers=as_role(role))
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"]["code"] == "forbidden"
    assert fake_rpc.calls == []


def test_every_chat_route_is_declared_for_residents_only(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    for method, path, _ in CHAT_ROUTES:
        template = path.replace("c1", "{conversation_id}").replace("m1", "{message_id}") \
            .replace("u2", "{user_id}")
        assert template in paths, template
        assert method.lower() in paths[template], (method, template)


def test_a_new_conversation_is_201_and_an_existing_direct_one_200(client, fake_rpc, as_role):
    headers = dict(as_role(RESIDENT), **{"Idempotency-Key": "k-1"})
    fake_rpc.answers[rpc.feed.START_CONVERSATION] = {"id": "c1", "created": True}
    created = client.post("/api/v1/conversations", json={"member_ids": ["u2"]}, headers=headers)
    fake_rpc.answers[rpc.feed.START_CONVERSATION] = {"id": "c1", "created": False}
    existing = client.post("/api/v1/conversations", json={"member_ids": ["u2"]},
                           headers=as_role(RESIDENT))

    assert (created.status_code, existing.status_code) == (201, 200)
    method, kwargs = fake_rpc.calls[0]
    assert method == rpc.feed.START_CONVERSATION
    assert kwargs["conversation"] == {"member_ids": ["u2"]} and kwargs["idempotency_key"] == "k-1"


@pytest.mark.parametrize("path, body", [
    ("/api/v1/conversations", {"member_ids": []}),
    ("/api/v1/conversations", {"member_ids": ["u%d" % n for n in range(20)], "title": "Big"}),
    ("/api/v1/conversations", {"member_ids": ["u2"], "title": "x" * 81}),
    ("/api/v1/conversations", {"member_ids": ["u2"], "owner_id": "u9"}),
    ("/api/v1/conversations/c1/messages", {"body": ""}),
    ("/api/v1/conversations/c1/messages", {"body": "x" * 2001}),
    ("/api/v1/conversations/c1/messages/m1/reports", {"reason": "boring"}),
    ("/api/v1/conversations/c1/members", {"member_ids": "u3"}),
])
def test_bad_chat_input_is_refused_before_any_call(client, fake_rpc, as_role, path, body):
    response = client.post(path, json=body, headers=as_role(RESIDENT))

    assert response.status_code == 400
    assert response.get_json()["error"]["details"]
    assert fake_rpc.calls == []


def test_messages_blocks_and_reports_reach_the_service(client, fake_rpc, as_role):
    headers = as_role(RESIDENT)
    client.post("/api/v1/conversations/c1/messages", json={"body": "Hi"},
                headers=dict(headers, **{"Idempotency-Key": "m-1"}))
    client.get("/api/v1/conversations/c1/messages?limit=5&cursor=abc", headers=headers)
    client.post("/api/v1/conversations/c1/messages/m1/reports",
                json={"reason": "offensive", "note": "rude"}, headers=headers)
    client.put("/api/v1/me/blocks/u2", headers=headers)
    client.delete("/api/v1/conversations/c1/members/me", headers=headers)

    assert fake_rpc.calls == [
        (rpc.feed.SEND_MESSAGE, {"caller": fake_rpc.calls[0][1]["caller"],
                                 "conversation_id": "c1", "body": "Hi",
                                 "idempotency_key": "m-1"}),
        (rpc.feed.LIST_MESSAGES, {"caller": fake_rpc.calls[0][1]["caller"],
                                  "conversation_id": "c1", "cursor": "abc", "limit": 5}),
        (rpc.feed.REPORT_MESSAGE, {"caller": fake_rpc.calls[0][1]["caller"],
                                   "conversation_id": "c1", "message_id": "m1",
                                   "reason": "offensive", "note": "rude",
                                   "idempotency_key": None}),
        (rpc.feed.BLOCK_USER, {"caller": fake_rpc.calls[0][1]["caller"], "user_id": "u2"}),
        (rpc.feed.LEAVE_CONVERSATION, {"caller": fake_rpc.calls[0][1]["caller"],
                                       "conversation_id": "c1"}),
    ]
    assert fake_rpc.calls[0][1]["caller"]["role"] == RESIDENT


@pytest.mark.parametrize("role", [RESIDENT, CITY_STAFF])
def test_the_inbox_is_everyones_and_passes_paging_and_the_unread_filter(
        client, fake_rpc, as_role, role):
    fake_rpc.answers[rpc.feed.LIST_NOTIFICATIONS] = {"items": [], "next_cursor": None,
                                                      "unread": {"total": 0, "by_kind": {}}}

    response = client.get("/api/v1/me/notifications?unread=true&limit=10",
                          headers=as_role(role))
    refused = client.get("/api/v1/me/notifications?unread=maybe", headers=as_role(role))

    assert response.status_code == 200 and refused.status_code == 400
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.feed.LIST_NOTIFICATIONS
    assert (kwargs["unread"], kwargs["limit"], kwargs["cursor"]) == (True, 10, None)


@pytest.mark.parametrize("body, ok", [
    ({"ids": ["n1", "announcement:p1"]}, True),
    ({"all": True}, True),
    ({"all": True, "up_to": "2026-11-22T10:00:00+01:00"}, True),
    ({}, False),
    ({"ids": []}, False),
    ({"ids": ["n1"], "all": True}, False),
    ({"all": False}, False),
    ({"ids": ["x"] * 101}, False),
])
def test_mark_read_takes_ids_or_all(client, fake_rpc, as_role, body, ok):
    fake_rpc.answers[rpc.feed.MARK_NOTIFICATIONS_READ] = {"marked": 1}

    response = client.post("/api/v1/me/notifications/read", json=body,
                           headers=as_role(RESIDENT))

    assert response.status_code == (200 if ok else 400)
    if ok:
        assert fake_rpc.calls[-1][1]["request"] == body
    else:
        assert fake_rpc.calls == []


def test_the_inbox_needs_a_token(client, fake_rpc):
    assert client.get("/api/v1/me/notifications").status_code == 401
    assert client.get("/api/v1/conversations").status_code == 401
    assert fake_rpc.calls == []
