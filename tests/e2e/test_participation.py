"""Issue 7 acceptance 1-5 through the gateway, with residents registered the real way
(stack.build_town: polygons, address register, letters, registration; a co-resident invited by
their household): surveys with every question type, budget ballots and their limits, a
hand-computed allocation with ties, the hash-chained log and a ballot tampered with in the
store, one ballot per household, initiatives escalating to the city, incident statuses.

A strip of three neighbourhoods: r0c0 (12 households, one of them with two adults), r0c1 (3
households) and r0c2 (one)."""
import csv
import io
import json
import os
import sqlite3
import uuid

import pytest
import requests

from tests import participation_samples as samples
from tests.e2e.stack import add_co_resident, build_town, wait_until

pytestmark = pytest.mark.timeout(600)

PROJECTION_TIMEOUT = 20.0
BIG = ["a%d" % i for i in range(12)]
SMALL = ["b%d" % i for i in range(3)]
RESIDENTS = dict(
    [(key, ((0, 0), "Rue Haute", "Anna %s" % key.upper())) for key in BIG]
    + [(key, ((0, 1), "Place du Marché", "Bert %s" % key.upper())) for key in SMALL]
    + [("c0", ((0, 2), "Rue du Moulin", "Chloé Petit"))])


@pytest.fixture(scope="module")
def town(platform):
    town = build_town(platform.platform, "participation", 1, 3, RESIDENTS)
    add_co_resident(town, "a0", "a0bis", "Alex Dupont")
    town.var_dir = platform.platform.var_dir
    return town


def call(town, method, path, who, **kwargs):
    token = town.staff if who == "staff" else town.tokens[who]
    return town.api.request(method, path, token, **kwargs)


def created(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


# -- acceptance 1: surveys -------------------------------------------------------------------------


def test_a_survey_of_every_question_type_targeted_at_two_neighbourhoods(town):
    big, small = town.cells["r0c0"], town.cells["r0c1"]
    survey = created(call(town, "POST", "/api/v1/city/surveys", "staff",
                          json=samples.survey([big, small])))
    path = "/api/v1/surveys/%s" % survey["id"]

    # Elsewhere: the survey does not exist, not even to answer it.
    assert call(town, "GET", path, "c0").status_code == 404
    assert call(town, "POST", path + "/responses", "c0",
                json={"answers": samples.answers()}).status_code == 404
    assert survey["id"] not in [s["id"] for s in call(town, "GET", "/api/v1/surveys",
                                                      "c0").json()["items"]]
    listed = call(town, "GET", "/api/v1/surveys", "a1").json()["items"]
    assert [s["status"] for s in listed if s["id"] == survey["id"]] == ["open"]

    # 10 of the 12 households of r0c0 and 2 of the 3 of r0c1 answer; 4 cycle and say why.
    for index, key in enumerate(BIG[:10] + SMALL[:2]):
        cycles = index < 4
        answer = samples.answers(
            mode="bike" if cycles else ("bus" if index % 3 == 0 else "car"),
            why="It is quicker" if cycles else None,
            wishes=("lanes", "lights") if index % 2 else ("benches",),
            safety=4 + index % 5, priorities=("green", "quiet", "parking"))
        created(call(town, "POST", path + "/responses", key, json={"answers": answer}))
    again = call(town, "POST", path + "/responses", "a0", json={"answers": samples.answers()})
    hidden_answered = call(town, "POST", path + "/responses", "a11", json={
        "answers": samples.answers(mode="car", why="not asked")})

    assert again.status_code == 409
    assert hidden_answered.status_code == 400
    assert hidden_answered.json()["error"]["details"] == {
        "answers.bike_why": "not asked: its condition is not met"}

    # The registrations reach participation by event: wait until a survey of r0c0 alone counts
    # its 12 households (r0c1's 3 are a small cell, never shown).
    probe = created(call(town, "POST", "/api/v1/city/surveys", "staff",
                         json=samples.survey([big])))

    def results(survey_id=survey["id"]):
        answer = call(town, "GET", "/api/v1/city/surveys/%s/results" % survey_id, "staff")
        assert answer.status_code == 200, answer.text
        return answer.json()

    wait_until(lambda: [c["registered_households"] for c in results(probe["id"])[
        "participation"]] == [12], PROJECTION_TIMEOUT,
        describe=lambda _: "participation: %r" % results(probe["id"])["participation"])
    found = results()
    by_id = {q["question_id"]: q for q in found["questions"]}
    # index 0..11: bike 0-3; bus where index % 3 == 0 among 4..11 (6, 9); car the rest (6):
    # every option under 10, so none is shown.
    assert by_id["mode"]["options"] == [
        {"id": o, "count": None, "suppressed": ["count"]} for o in ("car", "bike", "bus")]
    assert by_id["bike_why"]["answered"] is None
    assert [o["count"] for o in by_id["wishes"]["options"]] == [None, None, None]
    assert [v["count"] for v in by_id["safety"]["values"]] == [0, 0, 0] + [None] * 5 + [0, 0]
    assert by_id["safety"]["mean"] is None
    assert by_id["priorities"]["options"][0] == {"id": "green", "ranked": 12, "first": 12,
                                                 "points": 36}
    assert by_id["streets"]["rows"][0]["columns"] == [{"id": "good", "count": 12},
                                                      {"id": "bad", "count": 0}]
    assert found["responses"] == 12
    # r0c1's 3 households and 2 answers are hidden, and r0c0's figures with them: the total
    # would give them back.
    assert sorted(found["participation"], key=lambda c: c["neighbourhood_id"] != big) == [
        {"neighbourhood_id": big, "registered_households": None,
         "participating_households": None, "rate": None, "suppressed": True},
        {"neighbourhood_id": small, "registered_households": None,
         "participating_households": None, "rate": None, "suppressed": True}]
    stats = call(town, "GET", "/api/v1/city/participation", "staff").json()
    assert [s["neighbourhoods"] for s in stats["surveys"] if s["survey_id"] == survey["id"]] \
        == [found["participation"]]

    export = call(town, "GET", "/api/v1/city/surveys/%s/export.csv" % survey["id"], "staff")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert export.headers["Content-Type"].startswith("text/csv")
    assert len(rows) == 12 and sorted(r["bike_why"] for r in rows).count("It is quicker") == 4
    # The day, never the time; no neighbourhood named (r0c1's two would stand out).
    assert {len(r["submitted_on"]) for r in rows} == {10}
    assert {r["neighbourhood_id"] for r in rows} == {""}


def test_a_per_household_survey_takes_one_answer_per_household(town):
    survey = created(call(town, "POST", "/api/v1/city/surveys", "staff",
                          json=samples.survey([town.cells["r0c0"]], response_unit="household")))
    path = "/api/v1/surveys/%s/responses" % survey["id"]

    first = call(town, "POST", path, "a0", json={"answers": samples.answers()})
    housemate = call(town, "POST", path, "a0bis", json={"answers": samples.answers()})
    neighbour = call(town, "POST", path, "a1", json={"answers": samples.answers()})

    assert first.status_code == 201 and neighbour.status_code == 201
    assert housemate.status_code == 409
    assert housemate.json()["error"]["message"] == \
        "your household has already answered this survey"
    assert call(town, "GET", "/api/v1/surveys/" + survey["id"], "a0bis").json()["responded"]


# -- budgets ---------------------------------------------------------------------------------------


def open_voting(town, body, costs, proposer="a1"):
    """A budget with the given projects proposed, accepted, and voting open: (id, [ids])."""
    budget = created(call(town, "POST", "/api/v1/city/budgets", "staff", json=body))
    base = "/api/v1/budgets/%s" % budget["id"]
    project_ids = [created(call(town, "POST", base + "/projects", proposer, json={
        "title": "Project %d" % n, "cost": cost}))["id"] for n, cost in enumerate(costs)]
    staff_base = "/api/v1/city/budgets/%s" % budget["id"]
    created(call(town, "POST", staff_base + "/phase", "staff", json={"phase": "review"}), 200)
    for project_id in project_ids:
        created(call(town, "PUT", "%s/projects/%s/review" % (staff_base, project_id), "staff",
                     json={"decision": "accepted"}), 200)
    created(call(town, "POST", staff_base + "/phase", "staff", json={"phase": "voting"}), 200)
    return budget["id"], project_ids


def vote(town, budget_id, who, project_ids):
    return call(town, "PUT", "/api/v1/budgets/%s/ballot" % budget_id, who,
                json={"project_ids": project_ids})


def test_ballot_limits_and_rules_frozen_by_the_first_ballot(town):
    # Acceptance 2: knapsack over the cap, approval with N+1 projects, rules after a ballot.
    knapsack, (p600, p500, p300) = open_voting(town, samples.budget(cap=1000),
                                               [600, 500, 300])
    over = vote(town, knapsack, "a1", [p600, p500])
    patch = "/api/v1/city/budgets/" + knapsack
    before_ballot = call(town, "PATCH", patch, "staff", json={"title": "Budget 2027 (edited)"})
    assert vote(town, knapsack, "a1", [p600, p300]).status_code == 200
    after_ballot = call(town, "PATCH", patch, "staff", json={"cap": 2000})

    assert over.status_code == 422
    assert over.json()["error"]["details"] == {"sum": 1100, "cap": 1000}
    assert "1100" in over.json()["error"]["message"] and "1000" in over.json()["error"]["message"]
    assert before_ballot.status_code == 200
    assert after_ballot.status_code == 409
    assert call(town, "GET", "/api/v1/budgets/" + knapsack, "a1").json()["cap"] == 1000

    approval, projects = open_voting(
        town, samples.budget(voting_style="approval", max_projects=2), [10, 20, 30])
    too_many = vote(town, approval, "a2", projects)
    enough = vote(town, approval, "a2", projects[:2])

    assert too_many.status_code == 422
    assert too_many.json()["error"]["details"] == {"chosen": 3, "max_projects": 2}
    assert enough.status_code == 200


def test_results_match_the_hand_computed_allocation_and_a_tampered_ballot_is_detected(town):
    # Acceptance 3. Cap 1000; projects A 600, B 500, C 300, D 200, E 500.
    budget_id, (a, b, c, d, e) = open_voting(town, samples.budget(cap=1000),
                                             [600, 500, 300, 200, 500])
    ballots = {"a1": [a, c], "a2": [a, d], "a3": [a], "a4": [b, c], "a5": [b, d], "a6": [e],
               "a7": [e]}
    for who, chosen in ballots.items():
        assert vote(town, budget_id, who, chosen).status_code == 200
    created(call(town, "POST", "/api/v1/city/budgets/%s/phase" % budget_id, "staff",
                 json={"phase": "results"}), 200)

    results = created(call(town, "GET", "/api/v1/budgets/%s/results" % budget_id, "a9"), 200)

    # Votes: A 3; B, C, D, E 2 each. Ties: cheaper first (D 200, C 300), then B and E (both
    # 500) by project id. Funding: A (600) leaves 400, D (200) leaves 200; nothing else fits.
    b_e = sorted([b, e])
    assert [(p["id"], p["votes"], p["funded"]) for p in results["projects"]] == [
        (a, 3, True), (d, 2, True), (c, 2, False), (b_e[0], 2, False), (b_e[1], 2, False)]
    assert (results["spent"], results["remaining"], results["ballots"]) == (800, 200, 7)
    exported = call(town, "GET", "/api/v1/budgets/%s/results.csv" % budget_id, "staff")
    assert exported.text.splitlines()[1] == "1,%s,Project 0,600,3,True" % a

    verify = "/api/v1/budgets/%s/log/verify" % budget_id
    intact = created(call(town, "GET", verify, "a9"), 200)
    log = created(call(town, "GET", "/api/v1/budgets/%s/log" % budget_id, "a9"), 200)
    assert intact["valid"] is True and intact["problems"] == []
    assert [entry["kind"] for entry in log["items"]].count("ballot") == 7
    assert intact["head"] == log["items"][-1]["hash"]

    # Someone with access to the database turns one of E's ballots into a vote for B.
    path = os.path.join(town.var_dir, "participation", "participation.sqlite3")
    with sqlite3.connect(path, timeout=10) as db:
        changed = db.execute(
            "UPDATE ballots SET project_ids = ? WHERE rowid = (SELECT rowid FROM ballots "
            "WHERE budget_id = ? AND project_ids = ? LIMIT 1)",
            (json.dumps([b]), budget_id, json.dumps([e]))).rowcount
    assert changed == 1
    tampered = created(call(town, "GET", verify, "staff"), 200)

    assert tampered["valid"] is False
    assert len(tampered["problems"]) == 1 and "differs from the log" in tampered["problems"][0]


def test_two_adults_of_one_household_cast_one_ballot_between_them(town):
    # Acceptance 4.
    body = samples.budget(cap=1000, ballot_unit="household",
                          neighbourhood_id=town.cells["r0c0"])
    budget_id, (p1, p2) = open_voting(town, body, [400, 500])

    first = vote(town, budget_id, "a0", [p1])
    housemate = vote(town, budget_id, "a0bis", [p2])
    neighbour = vote(town, budget_id, "a1", [p2])
    changed_mind = vote(town, budget_id, "a0", [p1, p2])
    seen_by_housemate = call(town, "GET", "/api/v1/budgets/" + budget_id, "a0bis").json()
    results = call(town, "GET", "/api/v1/budgets/%s/results" % budget_id, "staff").json()
    elsewhere = vote(town, budget_id, "b0", [p1])

    assert first.status_code == neighbour.status_code == changed_mind.status_code == 200
    assert housemate.status_code == 409
    assert "household has already voted" in housemate.json()["error"]["message"]
    assert seen_by_housemate["my_ballot"]["project_ids"] == sorted([p1, p2])
    assert results["ballots"] == 2
    assert {p["id"]: p["votes"] for p in results["projects"]} == {p1: 1, p2: 2}
    assert elsewhere.status_code == 404  # r0c1 does not see r0c0's budget


# -- acceptance 5: initiatives and incidents -------------------------------------------------------


def test_an_initiative_reaching_its_threshold_escalates_to_the_city(town):
    created(call(town, "PUT", "/api/v1/city/initiatives/threshold", "staff",
                 json={"initiative_threshold": 3}), 200)
    initiative = created(call(town, "POST", "/api/v1/initiatives", "a3", json={
        "title": "Benches along the river", "text": "Older neighbours need a rest on the way"}))
    path = "/api/v1/initiatives/" + initiative["id"]

    assert call(town, "GET", path, "staff").status_code == 404  # still among residents
    assert call(town, "POST", path + "/supports", "a4").status_code == 201
    retry = {"Idempotency-Key": "support-" + uuid.uuid4().hex}
    supported = created(call(town, "POST", path + "/supports", "a5", headers=retry))
    replayed = created(call(town, "POST", path + "/supports", "a5", headers=retry))
    assert supported == replayed and supported["supports"] == 2  # a lost answer, retried
    assert call(town, "POST", path + "/supports", "a4").status_code == 409
    assert call(town, "POST", path + "/supports", "a3").status_code == 409
    assert call(town, "GET", path, "a6").json()["status"] == "open"
    reached = created(call(town, "POST", path + "/supports", "a6"))
    escalated = [i["id"] for i in call(town, "GET", "/api/v1/city/initiatives?status=escalated",
                                       "staff").json()["items"]]

    assert (reached["status"], reached["supports"]) == ("escalated", 3)
    assert initiative["id"] in escalated
    assert call(town, "GET", path, "staff").json()["status"] == "escalated"
    assert call(town, "GET", path, "c0").status_code == 404  # another neighbourhood
    answered = created(call(town, "POST", "/api/v1/city/initiatives/%s/answer"
                            % initiative["id"], "staff",
                            json={"response": "Six benches in the spring"}), 200)
    assert call(town, "GET", path, "a4").json()["city_response"]["text"] == \
        answered["city_response"]["text"]


def test_an_incident_status_is_seen_by_its_reporter_and_the_city_only(town):
    key = "incident-" + uuid.uuid4().hex
    body = {"category": "lighting", "text": "The street light at the corner is out",
            "location": {"latitude": 49.611, "longitude": 6.131,
                         "description": "corner of Rue Haute"}}
    reported = created(call(town, "POST", "/api/v1/incidents", "a8", json=body,
                            headers={"Idempotency-Key": key}))
    replay = created(call(town, "POST", "/api/v1/incidents", "a8", json=body,
                          headers={"Idempotency-Key": key}))
    path = "/api/v1/incidents/" + reported["id"]
    status = "/api/v1/city/incidents/%s/status" % reported["id"]

    stream = call(town, "GET", "/api/v1/city/incidents", "staff").json()
    created(call(town, "PUT", status, "staff", json={"status": "in_progress"}), 200)
    no_reason = call(town, "PUT", status, "staff", json={"status": "not_ours"})
    created(call(town, "PUT", status, "staff",
                 json={"status": "not_ours", "reason": "regional road: the province's"}), 200)
    final = call(town, "PUT", status, "staff", json={"status": "resolved"})
    seen_by_reporter = call(town, "GET", path, "a8").json()

    assert replay["id"] == reported["id"]
    assert reported["id"] in [i["id"] for i in stream["items"]]
    assert no_reason.status_code == 400 and final.status_code == 409
    assert (seen_by_reporter["status"], seen_by_reporter["reason"]) == (
        "not_ours", "regional road: the province's")
    assert [h["status"] for h in seen_by_reporter["history"]] == [
        "received", "in_progress", "not_ours"]
    assert [i["id"] for i in call(town, "GET", "/api/v1/incidents", "a8").json()["items"]] == [
        reported["id"]]
    assert call(town, "GET", path, "a9").status_code == 404
    assert call(town, "GET", path, "a0bis").status_code == 404
    assert call(town, "GET", path, "staff").json()["status"] == "not_ours"
    after = call(town, "GET", "/api/v1/city/incidents?after_sequence=%d"
                 % reported["sequence"], "staff").json()
    assert reported["id"] not in [i["id"] for i in after["items"]]
    exported = call(town, "GET", "/api/v1/me/export", "a8").json()["participation"]
    assert [(i["id"], i["status"]) for i in exported["incident_reports"]] == [
        (reported["id"], "not_ours")]


def test_the_demo_seed_asks_its_residents_a_survey_and_opens_a_budget(platform):
    resident = platform.credentials["residents"][0]
    login = requests.post(
        platform.platform.http_url + "/api/v1/auth/login",
        json={"email": resident["email"], "password": resident["password"]}, timeout=20)
    token = login.json()["access_token"]

    surveys = platform.get("/api/v1/surveys", token=token).json()["items"]
    budgets = platform.get("/api/v1/budgets", token=token).json()["items"]

    assert [(s["title"], s["status"], s["response_unit"]) for s in surveys] == [
        ("Our streets in 2027", "open", "household")]
    assert [(b["title"], b["phase"], b["ballot_unit"]) for b in budgets] == [
        ("Participatory budget 2027", "proposals", "household")]
