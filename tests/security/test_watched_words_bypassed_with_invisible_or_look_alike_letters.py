"""A municipality's watched word was compared code point by code point: a zero-width space, a
soft hyphen or a Cyrillic look-alike letter inside it let the post through. And display names
and post titles accepted a right-to-left override (which reverses how the rest of the line is
shown), NUL, or only invisible characters. Text is now normalised once (servicekit/text.py) for
rules, scorer and search, and names and titles refuse those characters with 400 naming the
field."""
import uuid

import pytest

from tests.e2e.stack import TOWN_PASSWORD, add_staff_account, build_town

pytestmark = pytest.mark.timeout(300)

WORD = "tupperware"
DISGUISED = {
    "zero-width space": "tupper\u200bware",
    "soft hyphen": "tupper\u00adware",
    "Cyrillic a": "tupperw\u0430re",
    "Cyrillic e and p": "tu\u0440\u0440\u0435rware",
    "fullwidth": "ｔｕｐｐｅｒｗａｒｅ",
    "word joiner and capitals": "TUPPER\u2060WARE",
}
BAD_NAMES = {
    "right-to-left override": "Ann\u202eeoD",
    "NUL": "Ann\x00Doe",
    "only a zero-width space": "\u200b",
    "only invisible characters": "\u200b\u2060\u00ad ",
    "a line break": "Ann\nDoe",
}


@pytest.fixture(scope="module")
def town(platform):
    running = platform.platform
    town = build_town(running, "lookalike", 1, 1, {
        "ivy": ((0, 0), "Rue Haute", "Ivy Roth")})
    town.mod = add_staff_account(town, running, "lookalike", "moderator", "Mo Words")
    town.admin = add_staff_account(town, running, "lookalike", "admin", "Ada Admin")
    return town


def post(town, title, body):
    return town.api.request("POST", "/api/v1/posts", town.tokens["ivy"], json={
        "category": "message", "title": title, "body": body})


@pytest.mark.parametrize("how", sorted(DISGUISED))
def test_a_blocked_word_is_still_blocked_when_disguised(town, how):
    rule = town.api.request("POST", "/api/v1/moderation/rules", town.mod, json={
        "kind": "word", "pattern": WORD, "action": "block"})
    assert rule.status_code == 201, rule.text
    try:
        refused = post(town, "Party", "Soirée %s chez moi samedi" % DISGUISED[how])
        assert refused.status_code == 422, (how, refused.status_code, refused.text)
        reasons = refused.json()["error"]["details"]["reasons"]
        assert any('watched word "%s"' % WORD in r for r in reasons), reasons
        # a word that only contains it is still allowed
        assert post(town, "Party", "tupperwares et autres boîtes").status_code == 201
    finally:
        town.api.request("DELETE", "/api/v1/moderation/rules/" + rule.json()["id"], town.mod)


@pytest.mark.parametrize("how", sorted(BAD_NAMES))
def test_a_display_name_with_control_bidi_or_only_invisible_characters_is_400(town, how):
    name = BAD_NAMES[how]
    changed = town.api.request("PATCH", "/api/v1/me", town.tokens["ivy"],
                               json={"display_name": name})
    assert changed.status_code == 400, (how, changed.text)
    assert changed.json()["error"]["code"] == "invalid"
    assert "display_name" in changed.json()["error"]["details"], changed.text

    staff = town.api.request("POST", "/api/v1/city/accounts", town.admin, json={
        "email": "x-%s@lookalike.example" % uuid.uuid4().hex[:6], "role": "city_staff",
        "display_name": name, "password": TOWN_PASSWORD, "language": "fr"})
    assert staff.status_code == 400, (how, staff.text)
    assert "display_name" in staff.json()["error"]["details"], staff.text


@pytest.mark.parametrize("how", sorted(BAD_NAMES))
def test_a_post_title_with_control_bidi_or_only_invisible_characters_is_400(town, how):
    refused = post(town, BAD_NAMES[how], "A perfectly ordinary body")
    assert refused.status_code == 400, (how, refused.text)
    assert "title" in refused.json()["error"]["details"], refused.text


def test_registration_refuses_a_display_name_with_a_bidi_override(town):
    registered = town.api.request("POST", "/api/v1/auth/register", json={
        "invitation_code": "ABCD2345", "password": TOWN_PASSWORD,
        "email": "r-%s@lookalike.example" % uuid.uuid4().hex[:6],
        "display_name": "Ann\u202eeoD", "language": "fr"})
    assert registered.status_code == 400, registered.text
    assert "display_name" in registered.json()["error"]["details"], registered.text


def test_ordinary_names_and_titles_still_pass(town):
    for name in ("Zoë O'Brien-Müller", "محمد علي", "李小龍"):
        changed = town.api.request("PATCH", "/api/v1/me", town.tokens["ivy"],
                                   json={"display_name": name})
        assert changed.status_code == 200, changed.text
    assert post(town, "Fête des voisins", "Samedi à 18 h").status_code == 201
