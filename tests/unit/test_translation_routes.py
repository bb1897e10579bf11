"""The translation routes of the gateway with a scripted RPC client: what reaches the feed, the
profile's language as the default target, and errors as readers see them."""
from contracts import errors, rpc
from contracts.caller import RESIDENT
from contracts.errors import DomainError


def without_caller(kwargs):
    return {k: v for k, v in kwargs.items() if k != "caller"}


def test_posts_announcements_and_comments_reach_the_feed(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.GET_TRANSLATION] = {"post_id": "p1", "lang": "de",
                                                  "machine": True}
    post = client.get("/api/v1/posts/p1/translation?lang=DE", headers=as_role(RESIDENT))
    announcement = client.get("/api/v1/announcements/a1/translation?lang=pt",
                              headers=as_role(RESIDENT))
    comment = client.get("/api/v1/posts/p1/comments/c1/translation?lang=en",
                         headers=as_role(RESIDENT))

    assert post.status_code == 200 and post.get_json()["machine"] is True
    assert announcement.status_code == 200 and comment.status_code == 200
    assert [(method, without_caller(kwargs)) for method, kwargs in fake_rpc.calls] == [
        (rpc.feed.GET_TRANSLATION, {"post_id": "p1", "lang": "de"}),
        (rpc.feed.GET_TRANSLATION, {"post_id": "a1", "lang": "pt"}),
        (rpc.feed.GET_COMMENT_TRANSLATION, {"post_id": "p1", "comment_id": "c1", "lang": "en"}),
    ]


def test_without_lang_the_profile_language_is_the_target(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.identity.GET_ME] = {"language": "nl"}
    client.get("/api/v1/posts/p1/comments/c1/translation", headers=as_role(RESIDENT))
    method, kwargs = fake_rpc.calls[-1]
    assert (method, without_caller(kwargs)) == (rpc.feed.GET_COMMENT_TRANSLATION,
                                  {"post_id": "p1", "comment_id": "c1", "lang": "nl"})


def test_errors_reach_the_reader_with_their_status(client, fake_rpc, as_role):
    fake_rpc.answers[rpc.feed.GET_TRANSLATION] = DomainError(
        errors.UNAVAILABLE, "translation unavailable: the translation provider does not answer",
        {"retry_after": 7})
    down = client.get("/api/v1/posts/p1/translation?lang=de", headers=as_role(RESIDENT))
    fake_rpc.answers[rpc.feed.GET_TRANSLATION] = DomainError(
        errors.RATE_LIMITED, "at most 100 machine translations a day",
        {"limit": 100, "retry_after": 3600})
    limited = client.get("/api/v1/posts/p1/translation?lang=de", headers=as_role(RESIDENT))
    malformed = client.get("/api/v1/posts/p1/translation?lang=deutsch",
                           headers=as_role(RESIDENT))
    anonymous = client.get("/api/v1/posts/p1/translation?lang=de")

    assert (down.status_code, down.headers["Retry-After"]) == (503, "7")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3600")
    assert malformed.status_code == 400 and anonymous.status_code == 401
    assert len(fake_rpc.calls) == 2  # the malformed and the anonymous request called nobody
