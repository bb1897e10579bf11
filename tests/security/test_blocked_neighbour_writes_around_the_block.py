"""The web app's "Block" button stops the blocked person's messages in the open conversation; a
blocked resident who calls the API could try every other door to reach the blocker: a new direct
conversation, a new group with the blocker in it, adding the blocker to a group they own, a
group shared from before, or a friend adding them to the blocker's group. Each is refused (403)
and nothing the blocked person wrote reaches the blocker; the block is private (the blocked
person's own list does not show it) and ends with an unblock."""
import pytest

from tests.e2e.stack import build_town

pytestmark = pytest.mark.timeout(300)

RESIDENTS = {
    "ada": ((0, 0), "Rue du Blocage", "Ada Muller"),
    "ben": ((0, 0), "Rue du Blocage", "Ben Weber"),
    "cleo": ((0, 0), "Rue du Blocage", "Cleo Schmit"),
}


@pytest.fixture(scope="module")
def town(platform):
    return build_town(platform.platform, "blockdoors", 1, 1, RESIDENTS)


def call(town, method, path, who, **kwargs):
    return town.api.request(method, path, town.tokens[who], **kwargs)


def conversation(town, who, *others, title=None):
    body = {"member_ids": [town.users[o] for o in others]}
    if title:
        body["title"] = title
    return call(town, "POST", "/api/v1/conversations", who, json=body)


def write(town, who, conversation_id, text):
    return call(town, "POST", "/api/v1/conversations/%s/messages" % conversation_id, who,
                json={"body": text})


def bodies_seen_by(town, who, conversation_id):
    answer = call(town, "GET", "/api/v1/conversations/%s/messages" % conversation_id, who)
    assert answer.status_code == 200, answer.text
    return [m["body"] for m in answer.json()["items"]]


def test_a_blocked_neighbour_finds_no_other_door_to_the_blocker(town):
    shared = conversation(town, "cleo", "ada", "ben", title="Rue du Blocage")
    assert shared.status_code == 201, shared.text
    shared_id = shared.json()["id"]
    bens_group = conversation(town, "ben", "cleo", title="Ben and Cleo")
    assert bens_group.status_code == 201, bens_group.text
    adas_group = conversation(town, "ada", "cleo", title="Ada and Cleo")
    assert adas_group.status_code == 201, adas_group.text

    blocked = call(town, "PUT", "/api/v1/me/blocks/" + town.users["ben"], "ada")
    assert blocked.status_code == 200 and blocked.json()["blocked"] is True, blocked.text

    doors = {
        "new direct conversation": conversation(town, "ben", "ada"),
        "new group with the blocker": conversation(town, "ben", "ada", "cleo", title="Again"),
        "adding the blocker to own group": call(
            town, "POST", "/api/v1/conversations/%s/members" % bens_group.json()["id"], "ben",
            json={"member_ids": [town.users["ada"]]}),
        "a friend adds them to the blocker's group": call(
            town, "POST", "/api/v1/conversations/%s/members" % adas_group.json()["id"], "ada",
            json={"member_ids": [town.users["ben"]]}),
        "a group shared from before": write(town, "ben", shared_id, "Through the group"),
    }
    for door, answer in doors.items():
        assert answer.status_code == 403, (door, answer.status_code, answer.text)
        assert answer.json()["error"]["code"] == "forbidden", door

    assert "Through the group" not in bodies_seen_by(town, "ada", shared_id)
    assert "Through the group" not in bodies_seen_by(town, "cleo", shared_id)
    # The blocker's own list shows the block; the blocked person's does not name the blocker.
    listed = call(town, "GET", "/api/v1/me/blocks", "ada").json()["items"]
    assert [b["user_id"] for b in listed] == [town.users["ben"]]
    assert call(town, "GET", "/api/v1/me/blocks", "ben").json()["items"] == []

    assert call(town, "DELETE", "/api/v1/me/blocks/" + town.users["ben"], "ada").status_code == 200
    assert write(town, "ben", shared_id, "After the unblock").status_code == 201
    assert "After the unblock" in bodies_seen_by(town, "ada", shared_id)
