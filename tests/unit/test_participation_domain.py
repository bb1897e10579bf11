"""Participation's pure rules: surveys and their answers, results and suppression, ballots under
each voting style and unit, the deterministic allocation, the hash-chained log, incidents and
initiatives."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts import errors
from contracts.caller import CITY_STAFF, RESIDENT, Caller
from contracts.errors import DomainError
from services.participation import domain
from tests import participation_samples as samples

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def resident(user="u1", household="h1", neighbourhood="n1", municipality="m1"):
    return Caller(user_id=user, role=RESIDENT, municipality_id=municipality,
                  neighbourhood_id=neighbourhood, household_id=household)


STAFF = Caller(user_id="s1", role=CITY_STAFF, municipality_id="m1")


def make_survey(**kwargs):
    return domain.new_survey("m1", samples.survey(["n1", "n2"], **kwargs), ["n1", "n2", "n3"],
                             "s1")


def raises(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code, raised.value
    return raised.value


# -- surveys


def test_a_survey_keeps_every_question_type_and_its_condition():
    survey = make_survey()

    kinds = [q["type"] for q in domain.questions_of(survey)]
    assert sorted(set(kinds)) == sorted(domain.QUESTION_TYPES)
    bike_why = [q for q in domain.questions_of(survey) if q["id"] == "bike_why"][0]
    assert bike_why["show_if"] == {"question_id": "mode", "any_of": ["bike"]}
    assert survey["translations"] == {"nl": "Mobiliteit in onze wijk"}


@pytest.mark.parametrize("change, where", [
    (lambda s: s["sections"][0]["questions"][1]["show_if"].update(question_id="comment"),
     "sections.0.questions.1.show_if.question_id"),
    (lambda s: s["sections"][0]["questions"][1]["show_if"].update(any_of=["plane"]),
     "sections.0.questions.1.show_if.any_of"),
    (lambda s: s["sections"][1]["questions"][0].update(max=11), "sections.1.questions.0.max"),
    (lambda s: s["sections"][0]["questions"][0].update(options=[{"id": "x", "label": "X"}]),
     "sections.0.questions.0.options"),
    (lambda s: s.update(neighbourhood_ids=["elsewhere"]), "neighbourhood_ids"),
])
def test_a_malformed_survey_is_refused_naming_the_problem(change, where):
    body = samples.survey(["n1"])
    change(body)

    error = raises(errors.INVALID, domain.new_survey, "m1", body, ["n1", "n2"], "s1")

    assert where in error.details


def test_answers_respect_conditions_and_required_questions():
    survey = make_survey()

    assert domain.validate_answers(survey, samples.answers(mode="bike", why="fast"))[
        "bike_why"] == "fast"
    hidden = raises(errors.INVALID, domain.validate_answers, survey,
                    samples.answers(mode="car", why="fast"))
    assert hidden.details == {"answers.bike_why": "not asked: its condition is not met"}
    missing = raises(errors.INVALID, domain.validate_answers, survey,
                     samples.answers(mode="bike"))
    assert missing.details == {"answers.bike_why": "required"}


@pytest.mark.parametrize("field, value", [
    ("mode", "plane"), ("wishes", ["lanes", "lights", "benches"]), ("safety", 11),
    ("priorities", ["green", "green"]), ("streets", {"main": "good"}), ("comment", "x" * 5001),
])
def test_each_question_type_refuses_a_wrong_answer(field, value):
    given = samples.answers()
    given[field] = value

    error = raises(errors.INVALID, domain.validate_answers, make_survey(), given)

    assert list(error.details) == ["answers." + field]


@pytest.mark.parametrize("field, value", [
    ("mode", ["car"]), ("mode", {"car": 1}), ("mode", 1), ("wishes", "lanes"),
    ("wishes", [["lanes"]]), ("wishes", [{"id": "lanes"}]), ("safety", "7"), ("safety", [7]),
    ("safety", 7.5), ("safety", True), ("priorities", [["green"]]), ("priorities", {"g": 1}),
    ("comment", ["text"]), ("comment", 5), ("streets", ["good"]),
    ("streets", {"main": ["good"], "park": "bad"}), ("streets", {"main": {"x": 1}}),
])
def test_an_answer_of_the_wrong_type_is_invalid_never_an_exception(field, value):
    given = samples.answers()
    given[field] = value

    error = raises(errors.INVALID, domain.validate_answers, make_survey(), given)

    assert list(error.details) == ["answers." + field]


def test_one_response_per_person_or_per_household():
    per_person, per_household = make_survey(), make_survey(response_unit="household")
    adult_a, adult_b = resident("a", "h1"), resident("b", "h1")

    assert domain.respondent_key(per_person, adult_a) != domain.respondent_key(per_person,
                                                                               adult_b)
    assert domain.respondent_key(per_household, adult_a) == domain.respondent_key(
        per_household, adult_b)


def test_a_closed_survey_takes_no_response():
    survey = make_survey()
    later = datetime.now(timezone.utc) + timedelta(days=2)

    raises(errors.CONFLICT, domain.new_response, survey, resident(), samples.answers(), later)


def test_results_count_per_option_and_suppress_small_cells():
    survey = make_survey()
    tally = domain.SurveyTally(survey)
    for index in range(12):
        caller = resident("u%d" % index, "h%d" % index, "n1")
        tally.add(domain.new_response(survey, caller, samples.answers(
            mode="bike" if index < 5 else "car", why="fast" if index < 5 else None,
            wishes=("lanes", "lights") if index % 2 else ("benches",),
            priorities=("quiet", "green"))))
    tally.add(domain.new_response(survey, resident("x", "hx", "n2"), samples.answers()))

    results = tally.results({"n1": 40, "n2": 30})

    by_id = {q["question_id"]: q for q in results["questions"]}
    # 8 by car and 5 by bike are both under 10: hidden; nobody took the bus (0 is shown).
    assert by_id["mode"]["options"] == [
        {"id": "car", "count": None, "suppressed": ["count"]},
        {"id": "bike", "count": None, "suppressed": ["count"]}, {"id": "bus", "count": 0}]
    assert [o["count"] for o in by_id["wishes"]["options"]] == [None, None, None]
    assert by_id["bike_why"]["answered"] is None
    assert by_id["bike_why"]["suppressed"] == ["answered"]
    assert by_id["safety"]["mean"] == 7.0 and by_id["safety"]["values"][6] == {
        "value": 7, "count": 13}
    # One first place of green would follow from 13 minus quiet's 12: parking's 0 hides with it.
    assert by_id["priorities"]["options"] == [
        {"id": "green", "ranked": 13, "first": None, "points": 27, "suppressed": ["first"]},
        {"id": "quiet", "ranked": 13, "first": 12, "points": 3 * 12 + 2},
        {"id": "parking", "ranked": 0, "first": None, "points": 0, "suppressed": ["first"]}]
    assert by_id["streets"]["rows"][0] == {"id": "main", "columns": [
        {"id": "good", "count": 13}, {"id": "bad", "count": 0}]}
    assert results["responses"] == 13
    # n2's one household is hidden, and n1's 12 with it: the 13 responses would give it back.
    assert results["participation"] == [
        {"neighbourhood_id": "n1", "registered_households": 40,
         "participating_households": None, "rate": None, "suppressed": True},
        {"neighbourhood_id": "n2", "registered_households": 30,
         "participating_households": None, "rate": None, "suppressed": True}]
    alone = domain.SurveyTally(survey)
    for response in range(3):
        alone.add(domain.new_response(survey, resident("y%d" % response, "hy%d" % response,
                                                       "n1"), samples.answers()))
    few = alone.results({"n1": 40, "n2": 30})
    assert few["responses"] is None and few["suppressed"] == ["responses"]
    assert by_id["safety"]["answered"] == 13
    scale = {q["question_id"]: q for q in few["questions"]}["safety"]
    assert scale["mean"] is None and "mean" in scale["suppressed"]


def test_the_export_gives_the_day_and_no_small_neighbourhood():
    survey = make_survey()
    tally = domain.SurveyTally(survey)
    responses = [domain.new_response(survey, resident("u%d" % i, "h%d" % i, "n1" if i < 12
                                                      else "n2"), samples.answers())
                 for i in range(14)]
    for response in responses:
        tally.add(response)

    small = tally.small_neighbourhoods()
    rows = [domain.export_row(survey, r, small) for r in responses]

    assert domain.export_columns(survey)[:3] == ["response_id", "neighbourhood_id",
                                                 "submitted_on"]
    assert {row[2] for row in rows} == {r["submitted_at"][:10] for r in responses}
    assert all(len(row[2]) == 10 for row in rows)
    # n2's two would be named by elimination if n1 were shown: both are left out.
    assert small == {"n1", "n2"} and {row[1] for row in rows} == {""}


def test_a_neighbourhood_under_ten_registered_households_is_suppressed():
    assert domain.participation_cell("n1", 9, 9)["suppressed"] is True
    assert domain.participation_cell("n1", 10, 10) == {
        "neighbourhood_id": "n1", "registered_households": 10, "participating_households": 10,
        "rate": 1.0, "suppressed": False}


def test_residents_outside_the_targets_do_not_see_the_survey():
    survey = make_survey()

    assert domain.require_survey_visible(resident(neighbourhood="n2"), survey) is survey
    raises(errors.NOT_FOUND, domain.require_survey_visible, resident(neighbourhood="n3"),
           survey)
    raises(errors.NOT_FOUND, domain.require_survey_visible,
           resident(neighbourhood="n1", municipality="m2"), survey)


# -- budgets


def voting_budget(**kwargs):
    budget = domain.new_budget("m1", samples.budget(**kwargs), ["n1"], "s1")
    return domain.advance_phase(budget, "voting")


def projects(*costs):
    return [{"id": "p%d" % i, "budget_id": "b", "title": "P%d" % i, "cost": cost,
             "status": domain.ACCEPTED} for i, cost in enumerate(costs, start=1)]


def test_a_knapsack_ballot_over_the_cap_states_the_sum_and_the_cap():
    budget = voting_budget(cap=1000)

    error = raises(errors.UNPROCESSABLE, domain.validate_ballot, budget,
                   projects(600, 500), ["p1", "p2"])

    assert error.details == {"sum": 1100, "cap": 1000}
    assert "1100" in error.message and "1000" in error.message
    assert domain.validate_ballot(budget, projects(600, 400), ["p2", "p1"]) == ["p1", "p2"]


def test_a_knapsack_ballot_under_the_minimum_share_is_refused():
    budget = voting_budget(cap=1000, min_share=0.5)

    error = raises(errors.UNPROCESSABLE, domain.validate_ballot, budget, projects(100, 300),
                   ["p1"])

    assert error.details == {"sum": 100, "minimum": 500, "cap": 1000}


def test_an_approval_ballot_takes_at_most_n_projects():
    budget = voting_budget(voting_style="approval", max_projects=2)

    error = raises(errors.UNPROCESSABLE, domain.validate_ballot, budget, projects(1, 1, 1),
                   ["p1", "p2", "p3"])

    assert error.details == {"chosen": 3, "max_projects": 2}


def test_a_ballot_names_accepted_projects_of_the_budget_once():
    budget = voting_budget()
    listed = projects(10, 20)
    listed[1]["status"] = domain.REJECTED

    raises(errors.INVALID, domain.validate_ballot, budget, listed, ["p2"])
    raises(errors.INVALID, domain.validate_ballot, budget, listed, ["p1", "p1"])
    raises(errors.INVALID, domain.validate_ballot, budget, listed, [])


def test_rules_freeze_with_the_first_ballot():
    budget = domain.new_budget("m1", samples.budget(), [], "s1")

    changed = domain.change_rules(budget, {"cap": 5})
    raises(errors.CONFLICT, domain.change_rules, dict(budget, frozen=True), {"cap": 5})

    assert changed["cap"] == 5


def test_phases_only_move_forward():
    budget = domain.new_budget("m1", samples.budget(), [], "s1")
    assert domain.phase_of(budget) == "proposals"

    voting = domain.advance_phase(budget, "voting")

    assert domain.phase_of(voting) == "voting"
    raises(errors.CONFLICT, domain.advance_phase, voting, "review")
    assert domain.phase_of(domain.advance_phase(voting, "results")) == "results"


def test_ballot_units_decide_who_votes_and_as_whom():
    city_wide = voting_budget(ballot_unit="household")
    adult_a, adult_b = resident("a", "h1", "n1"), resident("b", "h1", "n1")

    assert domain.voter_for(city_wide, adult_a) == domain.voter_for(city_wide, adult_b)
    local = voting_budget(ballot_unit="resident", neighbourhood_id="n1")
    registered = {"user_id": "a", "municipality_id": "m1", "neighbourhood_id": "n1",
                  "household_id": "h1"}
    assert domain.voter_for(local, adult_a, registered) == ("user:a", "h1")
    raises(errors.FORBIDDEN, domain.voter_for, local, adult_a, None)
    raises(errors.FORBIDDEN, domain.voter_for, local, adult_a,
           dict(registered, neighbourhood_id="n2"))
    per_person = voting_budget(ballot_unit="person", neighbourhood_id="n1")
    follower = resident("f", "h9", "n2")
    assert domain.voter_for(per_person, follower) == ("user:f", "h9")


def test_another_adult_cannot_replace_the_households_ballot():
    budget = voting_budget(ballot_unit="household")
    first = domain.new_ballot(budget, resident("a", "h1"), "household:h1", "h1", ["p1"], None)

    raises(errors.CONFLICT, domain.new_ballot, budget, resident("b", "h1"), "household:h1",
           "h1", ["p2"], first)
    again = domain.new_ballot(budget, resident("a", "h1"), "household:h1", "h1", ["p2"], first)
    assert again["cast_at"] == first["cast_at"] and again["project_ids"] == ["p2"]


def test_results_rank_by_votes_then_cost_then_id_and_fill_greedily():
    budget = voting_budget(cap=1000)
    listed = projects(600, 500, 300, 200, 500)  # p1..p5
    ballots = [{"project_ids": ids} for ids in (
        ["p1", "p3"], ["p1", "p2"], ["p1", "p4"], ["p2", "p3"], ["p5"], ["p5"], ["p4"])]

    results = domain.compute_results(budget, listed, ballots)

    # p1 has 3 votes; p2, p3, p4 and p5 have 2 each: cheaper first (p4, p3), then p2 before
    # p5 (same cost, lower id). 600 + 200 fit in 1000; p3 (300) no longer does.
    assert [(p["id"], p["votes"], p["funded"]) for p in results["projects"]] == [
        ("p1", 3, True), ("p4", 2, True), ("p3", 2, False), ("p2", 2, False),
        ("p5", 2, False)]
    assert (results["spent"], results["remaining"], results["ballots"]) == (800, 200, 7)


def test_a_project_that_no_longer_fits_is_skipped_and_a_cheaper_one_still_funded():
    budget = voting_budget(cap=1000)
    listed = projects(700, 400, 300)
    ballots = [{"project_ids": ["p1", "p2", "p3"]}, {"project_ids": ["p1", "p2"]},
               {"project_ids": ["p1"]}]

    results = domain.compute_results(budget, listed, ballots)

    assert [(p["id"], p["funded"]) for p in results["projects"]] == [
        ("p1", True), ("p2", False), ("p3", True)]


def test_the_log_verifies_and_any_change_is_detected():
    entries, previous = [], None
    for kind, data in (("rules", {"rules": {"cap": 10}}),
                       ("ballot", {"voter": "v1", "project_ids": ["p1"]}),
                       ("ballot", {"voter": "v2", "project_ids": ["p2"]}),
                       ("ballot", {"voter": "v1", "project_ids": ["p2"]})):
        previous = domain.log_entry("b", previous, kind, data, NOW)
        entries.append(previous)
    ballots = [{"voter": "v1", "project_ids": ["p2"]}, {"voter": "v2", "project_ids": ["p2"]}]

    assert domain.verify_log(entries, ballots) == (True, [])
    altered_store = [{"voter": "v1", "project_ids": ["p1"]}, ballots[1]]
    assert domain.verify_log(entries, altered_store) == (
        False, ["ballot of voter v1 differs from the log"])
    altered_log = [dict(e) for e in entries]
    altered_log[1]["data"] = {"voter": "v1", "project_ids": ["p3"]}
    valid, problems = domain.verify_log(altered_log, ballots)
    assert not valid and problems == ["entry 2: its content does not match its hash"]
    assert not domain.verify_log(entries[:1] + entries[2:], ballots)[0]


def test_pseudonyms_are_keyed_per_budget_and_not_computable_from_the_ids():
    secret, other = "11" * 32, "22" * 32

    keyed = domain.pseudonym(secret, "b1", "user:u1")
    assert keyed == domain.pseudonym(secret, "b1", "user:u1") and len(keyed) == 32
    assert keyed != domain.pseudonym(secret, "b2", "user:u1")
    assert keyed != domain.pseudonym(other, "b1", "user:u1")
    assert keyed != domain.legacy_pseudonym("b1", "user:u1")
    assert len(domain.new_budget_secret()) == 64
    assert domain.new_budget_secret() != domain.new_budget_secret()


def test_a_replaced_ballot_keeps_the_pseudonym_it_was_cast_under():
    budget = voting_budget()
    legacy = dict(domain.new_ballot(budget, resident("a"), "old", "h1", ["p1"], None))

    again = domain.new_ballot(budget, resident("a"), "keyed", "h1", ["p2"], legacy)

    assert again["voter"] == "old"


def test_a_copy_of_the_log_must_run_through_every_published_head():
    entries, previous = [], None
    for kind, data in (("rules", {"rules": {"cap": 10}}), ("phase", {"phase": "voting"}),
                       ("ballot", {"voter": "v1", "project_ids": ["p1"]})):
        previous = domain.log_entry("b", previous, kind, data, NOW)
        entries.append(previous)
    heads = [domain.published_head("voting", entries[1], NOW)]

    assert domain.verify_chain(entries, heads) == (True, [])
    assert domain.log_head(entries[-1]) == {"entries": 3, "hash": entries[-1]["hash"]}
    # Rewritten from the first entry on, consistently: the chain holds, the head does not.
    forged, previous = [], None
    for entry in entries:
        data = {"rules": {"cap": 99}} if entry["kind"] == "rules" else entry["data"]
        previous = domain.log_entry("b", previous, entry["kind"], data, NOW)
        forged.append(previous)
    assert domain.verify_chain(forged) == (True, [])
    assert domain.verify_chain(forged, heads) == (
        False, ["entry 2: differs from the head published at voting"])
    assert domain.verify_chain(entries[:1], heads) == (
        False, ["the head published at voting has 2 entries; the log has 1"])
    assert not domain.verify_log(forged, [{"voter": "v1", "project_ids": ["p1"]}], heads)[0]


# -- initiatives and incidents


def test_an_initiative_escalates_at_its_threshold_and_not_before():
    initiative = domain.new_initiative(resident(), {"title": "Benches", "text": "More"}, 3)

    assert not domain.escalation_due(dict(initiative, supports=2))
    assert domain.escalation_due(dict(initiative, supports=3))
    raises(errors.CONFLICT, domain.check_support, resident(), initiative)
    raises(errors.NOT_FOUND, domain.require_initiative_visible, STAFF, initiative, [])
    assert domain.require_initiative_visible(STAFF, dict(initiative, status="escalated"), [])


def test_incident_statuses_move_on_and_not_ours_needs_a_reason():
    incident = domain.new_incident(resident(), {
        "category": "lighting", "location": {"latitude": 50.45, "longitude": 3.95},
        "text": "The street light is out"})

    working = domain.change_incident_status(incident, "in_progress", None)
    raises(errors.INVALID, domain.change_incident_status, working, "not_ours", None)
    refused = domain.change_incident_status(working, "not_ours", "regional road")
    raises(errors.CONFLICT, domain.change_incident_status, refused, "resolved", None)

    assert domain.change_incident_status(working, "in_progress", None) is None
    assert [h["status"] for h in refused["history"]] == ["received", "in_progress", "not_ours"]
    assert refused["reason"] == "regional road"


def test_only_the_reporter_and_the_city_see_an_incident():
    incident = domain.new_incident(resident("u1"), {
        "category": "waste", "location": {"latitude": 1, "longitude": 2}, "text": "Bags"})

    assert domain.incident_view(incident, resident("u1"))["reporter_id"] == "u1"
    assert "reporter_id" not in domain.incident_view(incident, STAFF)
    raises(errors.NOT_FOUND, domain.require_incident_visible, resident("u2"), incident)
    raises(errors.NOT_FOUND, domain.require_incident_visible,
           Caller(user_id="s9", role=CITY_STAFF, municipality_id="m2"), incident)


def test_a_phase_entered_by_the_schedule_is_announced_once():
    budget = domain.new_budget("m1", samples.budget(), [], "s1")
    later = datetime.now(timezone.utc) + timedelta(hours=49)

    assert domain.phase_announcement_due(budget) == "proposals"
    announced = dict(budget, announced_phase="proposals")
    assert domain.phase_announcement_due(announced) is None
    # Review started and ended unseen: only voting, the phase it is in, is announced.
    assert domain.phase_announcement_due(announced, later) == "voting"
