"""The public budget log named voters by sha256(budget:user:<id>): a neighbour who read the user
id in the members list could compute it and read the neighbour's vote. The log head was never
published, so rewriting the whole store went unnoticed.

Now the pseudonym is keyed (HMAC under a per-budget secret only participation holds), and the
head of the log is published at every phase change: anyone holding the log checks the chain and
that it runs through every published head."""
import copy
import hashlib
import hmac

import pytest

from services.participation import domain
from tests import participation_samples as samples
from tests.e2e.stack import build_town

pytestmark = pytest.mark.timeout(300)

RESIDENTS = {"v%d" % i: ((0, 0), "Rue des Urnes", "Vera %d" % i) for i in range(3)}


@pytest.fixture(scope="module")
def town(platform):
    return build_town(platform.platform, "ballotsecrecy", 1, 1, RESIDENTS)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def unkeyed_guesses(budget_id, ids):
    """What a neighbour can compute without the secret: the old pseudonym and other plain hashes
    of the budget and the user or household id, whole and shortened as the log shows them."""
    guesses = set()
    for value in ids:
        for text in ("%s:user:%s" % (budget_id, value), "%s:household:%s" % (budget_id, value),
                     "%s:%s" % (budget_id, value), "user:%s" % value, value,
                     "%s%s" % (budget_id, value)):
            for algorithm in (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.blake2b):
                digest = algorithm(text.encode()).hexdigest()
                guesses.update({digest, digest[:32], digest[:16]})
            keyed = hmac.new(budget_id.encode(), text.encode(), hashlib.sha256).hexdigest()
            guesses.update({keyed, keyed[:32]})
    return guesses


def test_a_neighbour_cannot_find_a_ballot_and_the_published_head_pins_the_log(town):
    staff = town.staff
    budget = ok(town.api.request("POST", "/api/v1/city/budgets", staff,
                                 json=samples.budget(cap=1000)), 201)
    base, staff_base = "/api/v1/budgets/" + budget["id"], "/api/v1/city/budgets/" + budget["id"]
    project = ok(town.api.request("POST", base + "/projects", town.tokens["v1"],
                                  json={"title": "Benches", "cost": 400}), 201)
    ok(town.api.request("POST", staff_base + "/phase", staff, json={"phase": "review"}))
    ok(town.api.request("PUT", "%s/projects/%s/review" % (staff_base, project["id"]), staff,
                        json={"decision": "accepted"}))
    ok(town.api.request("POST", staff_base + "/phase", staff, json={"phase": "voting"}))
    ok(town.api.request("PUT", base + "/ballot", town.tokens["v0"],
                        json={"project_ids": [project["id"]]}))

    # The neighbour reads v0's user id in the members list, and guesses household ids.
    members = ok(town.api.request("GET", "/api/v1/neighbourhoods/%s/members"
                                  % town.homes["v1"], town.tokens["v1"]))
    listed = {m["user_id"] for m in members["items"]}
    assert town.users["v0"] in listed
    log = ok(town.api.request("GET", base + "/log", town.tokens["v1"]))["items"]
    voters = {e["data"]["voter"] for e in log if e["kind"] == "ballot"}
    assert len(voters) == 1
    guesses = unkeyed_guesses(budget["id"], listed | {"h-v0", "h-v1", "h-v2"})
    assert not voters & guesses, "the neighbour found the ballot under a computable pseudonym"

    ok(town.api.request("POST", staff_base + "/phase", staff, json={"phase": "results"}))
    heads = ok(town.api.request("GET", base + "/log/head", town.tokens["v1"]))
    published = {h["phase"]: h for h in heads["published"]}
    assert set(published) >= {"review", "voting", "results"}
    downloaded = ok(town.api.request("GET", base + "/log", town.tokens["v1"]))["items"]
    final = published["results"]
    assert final["entries"] == len(downloaded) and final["hash"] == downloaded[-1]["hash"]
    assert domain.verify_chain(downloaded, heads["published"]) == (True, [])

    # Someone rewrites the whole store consistently: the chain recomputes, the heads do not.
    forged, previous = [], None
    for entry in downloaded:
        data = copy.deepcopy(entry["data"])
        if entry["kind"] == "ballot":
            data["project_ids"] = []
        previous = domain.log_entry(entry["budget_id"], previous, entry["kind"], data)
        forged.append(dict(previous, at=entry["at"]))
        forged[-1]["hash"] = domain.entry_hash(forged[-1]["prev_hash"], forged[-1])
        previous = forged[-1]
    valid, problems = domain.verify_chain(forged, heads["published"])
    assert not valid and problems
    edited = copy.deepcopy(downloaded)
    edited[-1]["at"] = "2000-01-01T00:00:00+00:00"
    assert not domain.verify_chain(edited, heads["published"])[0]
