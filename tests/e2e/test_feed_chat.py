"""Issue 4 through the gateway, chat and notifications: acceptance 7 (chat part: staff get 403 on
every chat route, even for a conversation whose id they know) and 8 (a non-participant gets 404
for a conversation; after a block the blocked person's messages are refused), and the inbox (a
reply to my post and a chat message each appear; marking read works).

The town: a 2 x 2 grid. r0c0 (Marie, Paul), r0c1 (Chloé, adjacent to r0c0), r1c1 (Lucas,
diagonal to r0c0: not adjacent, so no neighbourhood shared with Marie). Residents register with
their household's letter through the gateway (stack.build_town); the city's staff account is
real, and so are the demo municipality's moderator and admin."""
import pytest

from tests.e2e.stack import build_town, wait_until

pytestmark = pytest.mark.timeout(300)

EVENT_TIMEOUT = 15.0


@pytest.fixture(scope="module")
def town(platform):
    residents = {
        "marie": ((0, 0), "Rue Haute", "Marie Dupont"),
        "paul": ((0, 0), "Rue Basse", "Paul Martin"),
        "chloe": ((0, 1), "Place du Marché", "Chloé Petit"),
        "lucas": ((1, 1), "Avenue de la Gare", "Lucas Bernard"),
    }
    return build_town(platform.platform, "chat", 2, 2, residents)


@pytest.fixture(scope="module")
def city_tokens(town, platform):
    """Access tokens of every city role: the town's staff, and the demo's moderator and admin."""
    tokens = {"city_staff": town.staff}
    for role, key in (("moderator", "moderator"), ("admin", "admin")):
        signed_in = town.api.request("POST", "/api/v1/auth/login", json={
            "email": platform.credentials[key]["email"],
            "password": platform.credentials[key]["password"]})
        assert signed_in.status_code == 200, signed_in.text
        tokens[role] = signed_in.json()["access_token"]
    return tokens


def call(town, method, path, who, **kwargs):
    return town.api.request(method, path, town.tokens[who], **kwargs)


def start(town, who, *others, title=None):
    body = {"member_ids": [town.users[o] for o in others]}
    if title:
        body["title"] = title
    response = call(town, "POST", "/api/v1/conversations", who, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def send(town, who, conversation_id, body):
    return call(town, "POST", "/api/v1/conversations/%s/messages" % conversation_id, who,
                json={"body": body})


def inbox(town, who, **query):
    response = call(town, "GET", "/api/v1/me/notifications", who, params=query)
    assert response.status_code == 200, response.text
    return response.json()


# -- 7. staff have no access to any chat route -------------------------------------------------

def test_staff_get_403_on_every_chat_route_even_for_a_conversation_they_know(town, city_tokens):
    conversation = start(town, "marie", "paul")
    message = send(town, "marie", conversation["id"], "Bonjour Paul")
    assert message.status_code == 201, message.text
    base = "/api/v1/conversations/" + conversation["id"]
    routes = [
        ("POST", "/api/v1/conversations", {"member_ids": [town.users["marie"]]}),
        ("GET", "/api/v1/conversations", None),
        ("GET", base, None),
        ("POST", base + "/members", {"member_ids": [town.users["chloe"]]}),
        ("DELETE", base + "/members/me", None),
        ("GET", base + "/messages", None),
        ("POST", base + "/messages", {"body": "The city listens"}),
        ("POST", base + "/messages/%s/reports" % message.json()["id"], {"reason": "other"}),
        ("PUT", "/api/v1/me/blocks/" + town.users["marie"], None),
        ("DELETE", "/api/v1/me/blocks/" + town.users["marie"], None),
        ("GET", "/api/v1/me/blocks", None),
    ]

    answers = {(role, method, path): town.api.request(method, path, token, json=body)
               for role, token in city_tokens.items() for method, path, body in routes}

    assert {key: r.status_code for key, r in answers.items()} == {key: 403 for key in answers}
    assert all(r.json()["error"]["code"] == "forbidden" for r in answers.values())
    # Nothing the city tried reached the conversation.
    thread = call(town, "GET", base + "/messages", "paul").json()["items"]
    assert [m["body"] for m in thread] == ["Bonjour Paul"]
    assert [m["name"] for m in call(town, "GET", base, "paul").json()["members"]] == [
        m["name"] for m in conversation["members"]]


# -- 8. a non-participant gets 404; a block refuses the blocked person's messages --------------

def test_a_non_participant_gets_404_for_a_conversation(town):
    conversation = start(town, "marie", "paul")
    message = send(town, "paul", conversation["id"], "Salut Marie").json()
    base = "/api/v1/conversations/" + conversation["id"]

    answers = [
        call(town, "GET", base, "chloe"),
        call(town, "GET", base + "/messages", "chloe"),
        send(town, "chloe", conversation["id"], "Let me in"),
        call(town, "POST", base + "/members", "chloe", json={"member_ids": [
            town.users["chloe"]]}),
        call(town, "POST", base + "/messages/%s/reports" % message["id"], "chloe",
             json={"reason": "other"}),
        call(town, "DELETE", base + "/members/me", "chloe"),
        call(town, "GET", "/api/v1/conversations/" + "0" * 32, "chloe"),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert answers[0].json() == answers[-1].json()  # exactly like an unknown id
    # Starting a conversation with someone who shares no neighbourhood is as unknown too.
    lucas = call(town, "POST", "/api/v1/conversations", "marie",
                 json={"member_ids": [town.users["lucas"]]})
    assert lucas.status_code == 404


def test_after_a_block_the_blocked_persons_messages_are_refused(town):
    # Chloé (r0c1) follows r0c0, so she shares it with Paul and Marie and can join their group.
    assert call(town, "PUT", "/api/v1/me/follows/" + town.homes["paul"],
                "chloe").status_code == 200
    direct = start(town, "marie", "paul")
    group = start(town, "paul", "marie", "chloe", title="Fête des voisins")
    assert send(town, "marie", direct["id"], "Before the block").status_code == 201

    blocked = call(town, "PUT", "/api/v1/me/blocks/" + town.users["marie"], "paul")
    refused = [send(town, "marie", c["id"], "Hello?") for c in (direct, group)]
    restart = call(town, "POST", "/api/v1/conversations", "marie",
                   json={"member_ids": [town.users["paul"]]})
    others_still_write = send(town, "chloe", group["id"], "Chloé is here")
    listed = call(town, "GET", "/api/v1/me/blocks", "paul").json()["items"]

    assert blocked.status_code == 200 and blocked.json()["blocked"] is True
    assert [r.status_code for r in refused] == [403, 403]
    assert refused[0].json()["error"] == {
        "code": "forbidden", "details": {"reason": "blocked"},
        "message": "you cannot write here: a member of this conversation has blocked you"}
    assert restart.status_code == 403
    assert others_still_write.status_code == 201
    assert [b["user_id"] for b in listed] == [town.users["marie"]]
    bodies = [m["body"] for m in call(town, "GET", "/api/v1/conversations/%s/messages"
                                      % direct["id"], "paul").json()["items"]]
    # (the pair's one direct conversation: earlier tests' messages are further down)
    assert bodies[0] == "Before the block" and "Hello?" not in bodies

    assert call(town, "DELETE", "/api/v1/me/blocks/" + town.users["marie"],
                "paul").status_code == 200
    assert send(town, "marie", direct["id"], "After the block").status_code == 201


# -- the inbox --------------------------------------------------------------------------------

def test_a_reply_to_my_post_and_a_chat_message_appear_in_my_inbox_and_mark_read_works(town):
    before = inbox(town, "chloe")["unread"]["total"]
    post = call(town, "POST", "/api/v1/posts", "chloe", json={
        "category": "help", "title": "Moving a sofa", "body": "Two hands on Saturday?",
        "audience": "home_and_followed"})
    assert post.status_code == 201, post.text
    # Marie lives next door (r0c0); following r0c1 lets her read and answer Chloé's post.
    assert call(town, "PUT", "/api/v1/me/follows/" + town.homes["chloe"],
                "marie").status_code == 200
    reply = call(town, "POST", "/api/v1/posts/%s/comments" % post.json()["id"], "marie",
                 json={"body": "I can help"})
    assert reply.status_code == 201, reply.text
    conversation = start(town, "marie", "chloe")
    assert send(town, "marie", conversation["id"], "What time?").status_code == 201

    def both_arrived():
        kinds = {n["kind"] for n in inbox(town, "chloe", unread="true")["items"]}
        return {"reply", "chat_message"} <= kinds

    wait_until(both_arrived, EVENT_TIMEOUT,
               describe=lambda _: "Chloé's reply and chat notifications did not arrive")
    box = inbox(town, "chloe")
    by_kind = {n["kind"]: n for n in box["items"]}
    assert by_kind["reply"]["post_id"] == post.json()["id"]
    assert by_kind["reply"]["comment_id"] == reply.json()["id"]
    assert by_kind["reply"]["actor"] == {"id": town.users["marie"], "name": "Marie D."}
    assert by_kind["chat_message"]["conversation_id"] == conversation["id"]
    assert by_kind["chat_message"]["count"] == 1
    assert box["unread"]["total"] == before + 2
    # Marie wrote them: neither is in her own inbox.
    assert not [n for n in inbox(town, "marie")["items"]
                if n.get("conversation_id") == conversation["id"]
                or n.get("post_id") == post.json()["id"]]

    marked = call(town, "POST", "/api/v1/me/notifications/read", "chloe",
                  json={"ids": [by_kind["reply"]["id"]]})
    assert marked.status_code == 200, marked.text
    assert marked.json()["marked"] == 1
    assert marked.json()["unread"]["total"] == before + 1
    unread = [n["kind"] for n in inbox(town, "chloe", unread="true")["items"]]
    assert "reply" not in unread and "chat_message" in unread

    everything = call(town, "POST", "/api/v1/me/notifications/read", "chloe",
                      json={"all": True})
    assert everything.status_code == 200 and everything.json()["unread"]["total"] == 0
    assert inbox(town, "chloe", unread="true")["items"] == []
    assert all(n["read"] for n in inbox(town, "chloe")["items"])


# -- GDPR: export, then erasure leaves placeholders (last: Chloé's account is gone after it) ---

def test_export_holds_my_chat_and_inbox_and_erasure_leaves_deleted_placeholders(town):
    conversation = start(town, "marie", "chloe")
    assert send(town, "chloe", conversation["id"], "See you at ten").status_code == 201

    exported = call(town, "GET", "/api/v1/me/export", "chloe")
    assert exported.status_code == 200, exported.text
    mine = exported.json()["feed"]
    assert "See you at ten" in [m["body"] for m in mine["chat"]["messages"]]
    assert {"notifications", "announcements_read_until"} <= set(mine["inbox"])
    # What others wrote is theirs, not in Chloé's export.
    assert "What time?" not in [m["body"] for m in mine["chat"]["messages"]]

    assert call(town, "DELETE", "/api/v1/me", "chloe").status_code == 200
    thread_url = "/api/v1/conversations/%s/messages" % conversation["id"]

    def placeholder():
        items = call(town, "GET", thread_url, "marie").json()["items"]
        gone = [m for m in items if m["state"] == "erased"]
        return gone and gone[0]

    wait_until(placeholder, EVENT_TIMEOUT,
               describe=lambda _: "Chloé's message did not become a placeholder")
    items = call(town, "GET", thread_url, "marie").json()["items"]
    assert [(m["body"], m["author"], m.get("placeholder")) for m in items
            if m["state"] == "erased"][0] == (None, None, "This message was deleted.")
    assert "What time?" in [m["body"] for m in items]  # Marie's own words stay
    members = call(town, "GET", "/api/v1/conversations/" + conversation["id"], "marie").json()
    assert [m["id"] for m in members["members"]] == [town.users["marie"]]
