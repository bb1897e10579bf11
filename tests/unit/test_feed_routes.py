"""The feed and announcement routes of the gateway with the service replaced by a scripted RPC
client: what reaches the service, input refused before any call, roles, idempotency keys."""
import pytest

from contracts import errors, rpc
from contracts.caller import CITY_STAFF, RESIDENT


def test_a_post_reaches_the_service_with_its_idempotency_key(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.CREATE_POST] = {"id": "p1"}
    body = {"category": "classified", "title": "Ladder", "body": "Free to lend", "kind": "lend"}

    response = client.post("/api/v1/posts", json=body,
                           headers=dict(as_role(RESIDENT), **{"Idempotency-Key": "k-1"}))

    assert response.status_code == 201
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.feed.CREATE_POST
    assert kwargs["post"] == body and kwargs["idempotency_key"] == "k-1"


@pytest.mark.parametrize("body, field", [
    ({"category": "advert", "title": "t", "body": "b"}, "category"),
    ({"category": "message", "title": "t", "body": "x" * 5001}, "body"),
    ({"category": "message", "title": "t" * 121, "body": "b"}, "title"),
    ({"category": "message", "title": "t", "body": "b", "audience": "everyone"}, "audience"),
    ({"category": "message", "title": "t", "body": "b", "author_id": "u2"}, "(root)"),
])
def test_bad_posts_are_refused_before_any_call(client, fake_rpc, as_role, body, field):
    response = client.post("/api/v1/posts", json=body, headers=as_role(RESIDENT))

    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]
    assert fake_rpc.calls == []


def test_a_malformed_idempotency_key_is_refused(client, fake_rpc, as_role):
    response = client.post("/api/v1/posts", json={"category": "message", "title": "t",
                                                  "body": "b"},
                           headers=dict(as_role(RESIDENT), **{"Idempotency-Key": "bad key!"}))

    assert response.status_code == 400 and fake_rpc.calls == []


def test_the_feed_passes_filters_and_paging(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.FEED_PAGE] = {"items": [], "next_cursor": None}

    response = client.get("/api/v1/feed?neighbourhood_id=n2&category=pet&limit=5&cursor=abc",
                          headers=as_role(RESIDENT))
    refused = client.get("/api/v1/feed?category=ads", headers=as_role(RESIDENT))

    assert response.status_code == 200 and refused.status_code == 400
    method, kwargs = fake_rpc.calls[-1]
    assert method == rpc.feed.FEED_PAGE
    assert (kwargs["neighbourhood_id"], kwargs["category"], kwargs["limit"], kwargs["cursor"]) \
        == ("n2", "pet", 5, "abc")


def test_thanks_share_and_translation_reach_the_service(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.GET_TRANSLATION] = errors.DomainError(
        errors.UNAVAILABLE, "translation unavailable")
    fake_rpc.answers[rpc.identity.GET_ME] = {"language": "pt"}

    client.put("/api/v1/posts/p1/reactions/thanks", headers=as_role(RESIDENT))
    client.delete("/api/v1/posts/p1/share", headers=as_role(RESIDENT))
    missing = client.get("/api/v1/posts/p1/translation?lang=de", headers=as_role(RESIDENT))
    no_lang = client.get("/api/v1/posts/p1/translation", headers=as_role(RESIDENT))

    assert [(m, k.get("kind"), k.get("shared"), k.get("lang")) for m, k in fake_rpc.calls] == [
        (rpc.feed.ADD_REACTION, "thanks", None, None),
        (rpc.feed.SET_SHARED_WITH_CITY, None, False, None),
        (rpc.feed.GET_TRANSLATION, None, None, "de"),
        # Without lang: the reader's profile language is the target.
        (rpc.identity.GET_ME, None, None, None), (rpc.feed.GET_TRANSLATION, None, None, "pt")]
    assert missing.status_code == 503
    assert missing.get_json()["error"] == {"code": "unavailable",
                                           "message": "translation unavailable"}
    assert no_lang.status_code == 503


def test_a_report_needs_a_known_reason(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.REPORT_CONTENT] = {"content_kind": "post"}

    refused = client.post("/api/v1/posts/p1/reports", json={"reason": "boring"},
                          headers=as_role(RESIDENT))
    accepted = client.post("/api/v1/posts/p1/reports", json={"reason": "spam_commercial"},
                           headers=as_role(RESIDENT))

    assert refused.status_code == 400 and accepted.status_code == 201
    assert fake_rpc.calls[-1][1]["reason"] == "spam_commercial"


def test_announcements_are_for_the_city(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.CREATE_ANNOUNCEMENT] = {"id": "a1"}
    body = {"title": "Works", "body": "Road closed", "neighbourhood_ids": "all", "urgent": True,
            "translations": {"de": {"title": "Arbeiten", "body": "Straße gesperrt"}}}

    as_resident = client.post("/api/v1/city/announcements", json=body,
                              headers=as_role(RESIDENT))
    as_staff = client.post("/api/v1/city/announcements", json=body, headers=as_role(CITY_STAFF))
    bad_language = client.post("/api/v1/city/announcements",
                               json=dict(body, translations={"xx": {"title": "t", "body": "b"}}),
                               headers=as_role(CITY_STAFF))

    assert as_resident.status_code == 403
    assert as_staff.status_code == 201
    assert bad_language.status_code == 400
    assert fake_rpc.calls[-1][1]["announcement"] == body


def test_the_feed_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/feed", "/api/v1/posts", "/api/v1/posts/{post_id}",
            "/api/v1/posts/{post_id}/comments", "/api/v1/posts/{post_id}/reactions/{kind}",
            "/api/v1/posts/{post_id}/reports", "/api/v1/posts/{post_id}/share",
            "/api/v1/posts/{post_id}/translation", "/api/v1/city/announcements",
            "/api/v1/city/stats/feed"} <= set(paths)
