"""Three households reporting a post hide it pending review; the rule made no exception for the
municipality's own content, so three households could take an urgent city announcement (a
boil-water notice, a road closure) off every resident's feed. Reports on city content now go to
the moderators' queue and the announcement stays visible."""
import pytest

from tests.e2e.stack import add_staff_account, build_town, wait_until

pytestmark = pytest.mark.timeout(300)

EVENT_TIMEOUT = 15.0
RESIDENTS = {key: ((0, 0), "Rue du Pont", "%s Resident" % key.title())
             for key in ("una", "vic", "wes", "xia")}


@pytest.fixture(scope="module")
def town(platform):
    running = platform.platform
    town = build_town(running, "cityhide", 1, 1, RESIDENTS)
    town.mod = add_staff_account(town, running, "cityhide", "moderator", "Mo Queue")
    return town


def feed_ids(town, who):
    response = town.api.request("GET", "/api/v1/feed", town.tokens[who], params={"limit": 100})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def queued_case(town, post_id):
    response = town.api.request("GET", "/api/v1/moderation/queue", town.mod,
                                params={"limit": 100})
    assert response.status_code == 200, response.text
    return next((c for c in response.json()["items"] if c["content_id"] == post_id), None)


def test_three_households_cannot_hide_an_urgent_city_announcement(town):
    created = town.api.request("POST", "/api/v1/city/announcements", town.staff, json={
        "title": "Boil your tap water", "body": "Until further notice, boil tap water.",
        "neighbourhood_ids": [town.homes["una"]], "urgent": True, "language": "en"})
    assert created.status_code == 201, created.text
    announcement = created.json()["id"]
    assert announcement in feed_ids(town, "una")

    for who in ("vic", "wes", "xia"):  # three households
        reported = town.api.request("POST", "/api/v1/posts/%s/reports" % announcement,
                                    town.tokens[who], json={"reason": "offensive"})
        assert reported.status_code == 201, reported.text

    # Moderation has heard all three reports once the case counts them.
    _, case = wait_until(lambda: (lambda c: c if c and c["report_count"] >= 3 else None)(
        queued_case(town, announcement)), EVENT_TIMEOUT,
        describe=lambda _: "the announcement's case with three reports in the queue")
    assert case["content_state"] == "visible" and case["status"] == "open"
    assert "auto_hidden" not in case["sources"]
    assert any("stays visible" in reason for reason in case["reasons"])
    for who in ("una", "vic", "wes", "xia"):
        assert announcement in feed_ids(town, who)
        assert town.api.request("GET", "/api/v1/posts/" + announcement,
                                town.tokens[who]).status_code == 200
