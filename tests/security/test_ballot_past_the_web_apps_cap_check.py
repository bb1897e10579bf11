"""The web app refuses a knapsack ballot over the cap before sending it; a resident who skips the
page and calls the API (or edits the request) must get no further. Over the cap, a project
counted twice, a project still under review or from another budget: each refused with its code,
nothing stored, nothing logged — the ballot that counts stays the valid one cast first. And the
public route that tells the web app its tile server says nothing else about the deployment."""
import pytest

from tests import participation_samples as samples
from tests.e2e.stack import build_town

pytestmark = pytest.mark.timeout(300)

RESIDENTS = {"k%d" % i: ((0, 0), "Rue du Plafond", "Kim %d" % i) for i in range(2)}


@pytest.fixture(scope="module")
def town(platform):
    return build_town(platform.platform, "ballotcap", 1, 1, RESIDENTS)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def voting_budget(town, costs, extra_proposal=None):
    staff = town.staff
    budget = ok(town.api.request("POST", "/api/v1/city/budgets", staff,
                                 json=samples.budget(cap=1000)), 201)
    base, staff_base = "/api/v1/budgets/" + budget["id"], "/api/v1/city/budgets/" + budget["id"]
    projects = [ok(town.api.request("POST", base + "/projects", town.tokens["k1"],
                                    json={"title": "Project %d" % cost, "cost": cost}), 201)
                for cost in costs]
    pending = None
    if extra_proposal:
        pending = ok(town.api.request("POST", base + "/projects", town.tokens["k1"],
                                      json={"title": "Not reviewed", "cost": extra_proposal}), 201)
    ok(town.api.request("POST", staff_base + "/phase", staff, json={"phase": "review"}))
    for project in projects:
        ok(town.api.request("PUT", "%s/projects/%s/review" % (staff_base, project["id"]), staff,
                            json={"decision": "accepted"}))
    ok(town.api.request("POST", staff_base + "/phase", staff, json={"phase": "voting"}))
    return base, [p["id"] for p in projects], pending and pending["id"]


def test_a_ballot_the_page_would_refuse_is_refused_by_the_api_and_changes_nothing(town):
    base, (big, medium, small), pending = voting_budget(town, (600, 500, 300), extra_proposal=100)
    _, (elsewhere,), _ = voting_budget(town, (100,))
    voter = town.tokens["k0"]
    ok(town.api.request("PUT", base + "/ballot", voter, json={"project_ids": [big, small]}))

    over = town.api.request("PUT", base + "/ballot", voter, json={"project_ids": [big, medium]})
    assert over.status_code == 422, over.text
    assert over.json()["error"]["details"] == {"sum": 1100, "cap": 1000}
    for project_ids in ([small, small, small, small], [small, pending], [small, elsewhere], []):
        refused = town.api.request("PUT", base + "/ballot", voter,
                                   json={"project_ids": project_ids})
        assert refused.status_code == 400, (project_ids, refused.text)

    budget = ok(town.api.request("GET", base, voter))
    assert sorted(budget["my_ballot"]["project_ids"]) == sorted([big, small])
    log = ok(town.api.request("GET", base + "/log", voter))["items"]
    assert [e["kind"] for e in log].count("ballot") == 1
    verified = ok(town.api.request("GET", base + "/log/verify", voter))
    assert verified["valid"], verified["problems"]


def test_the_web_config_route_tells_the_tile_server_and_nothing_more(town):
    answer = town.api.request("GET", "/api/v1/web-config")
    assert answer.status_code == 200
    config = answer.json()
    assert set(config) == {"map"} and set(config["map"]) <= {"tile_url", "attribution"}
    assert town.api.request("POST", "/api/v1/web-config").status_code == 405
