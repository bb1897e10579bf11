"""The participation repository contract, run on every adapter (SQLite, mongomock, real MongoDB
when MONGO_URI is set) through the shared `store` fixture."""
import pytest

from contracts import errors
from contracts.caller import RESIDENT, Caller
from contracts.errors import DomainError
from servicekit.store import repository_for
from services.participation import domain
from services.participation.repository import MongoParticipation, SqliteParticipation
from tests import participation_samples as samples


@pytest.fixture
def repo(store):
    return repository_for(store, SqliteParticipation, MongoParticipation)


def resident(user, household="h1", neighbourhood="n1"):
    return Caller(user_id=user, role=RESIDENT, municipality_id="m1",
                  neighbourhood_id=neighbourhood, household_id=household)


def registration(user, neighbourhood, household):
    return {"user_id": user, "municipality_id": "m1", "neighbourhood_id": neighbourhood,
            "household_id": household}


def test_registered_households_count_households_not_people(repo):
    repo.upsert_registration(registration("a", "n1", "h1"))
    repo.upsert_registration(registration("b", "n1", "h1"))
    repo.upsert_registration(registration("c", "n1", "h2"))
    repo.upsert_registration(registration("d", "n2", "h3"))
    repo.upsert_registration(dict(registration("e", "n1", "h9"), municipality_id="m2"))

    assert repo.registered_households("m1") == {"n1": 2, "n2": 1}
    repo.move_registration("d", neighbourhood_id="n1")
    repo.remove_registration("c")
    assert repo.registered_households("m1") == {"n1": 2}
    assert repo.get_registration("a")["household_id"] == "h1"
    assert repo.get_registration("c") is None


def test_surveys_page_newest_first_and_by_target(repo):
    made = []
    for index, targets in enumerate((["n1"], ["n2"], ["n1", "n2"])):
        survey = domain.new_survey("m1", samples.survey(targets), ["n1", "n2"], "s1")
        survey["created_at"] = "2026-11-22T10:00:0%d+00:00" % index
        repo.add_survey(survey)
        made.append(survey["id"])

    everything = repo.surveys_page("m1", limit=10)
    first = repo.surveys_page("m1", "n1", limit=1)
    rest = repo.surveys_page("m1", "n1", before=(first[0]["created_at"], first[0]["id"]),
                             limit=10)

    assert [s["id"] for s in everything] == made[::-1]
    assert [s["id"] for s in first + rest] == [made[2], made[0]]
    assert repo.surveys_page("m2", limit=10) == []
    assert repo.get_survey(made[0])["neighbourhood_ids"] == ["n1"]


def test_one_response_per_respondent_key(repo):
    survey = domain.new_survey("m1", samples.survey(["n1"], response_unit="household"), ["n1"],
                               "s1")
    repo.add_survey(survey)
    repo.add_response(survey, domain.new_response(survey, resident("a"), samples.answers()))

    with pytest.raises(DomainError) as raised:
        repo.add_response(survey, domain.new_response(survey, resident("b"), samples.answers()))

    assert raised.value.code == errors.CONFLICT
    assert "household" in raised.value.message
    assert repo.has_responded(survey["id"], "household:h1")
    assert len(repo.responses_page(survey["id"])) == 1


def new_budget(repo, **kwargs):
    budget = domain.new_budget("m1", samples.budget(**kwargs), ["n1"], "s1")
    repo.add_budget(budget, domain.log_entry(budget["id"], None, "rules",
                                             domain.rules_entry_data(budget)))
    return budget


def ballot(budget, user, voter_key, project_ids):
    caller = resident(user)
    return domain.new_ballot(domain.advance_phase(budget, "voting"), caller, voter_key, "h1",
                             project_ids, None)


def test_the_first_ballot_freezes_the_rules_and_every_write_is_logged(repo):
    budget = new_budget(repo)
    changed = domain.change_rules(budget, {"cap": 50_000})
    repo.update_budget(changed, "rules", domain.rules_entry_data(changed), unless_frozen=True)

    assert repo.put_ballot(ballot(budget, "a", "user:a", ["p1"])) is True
    assert repo.put_ballot(ballot(budget, "a", "user:a", ["p2"])) is False
    with pytest.raises(DomainError) as raised:
        repo.update_budget(changed, "rules", domain.rules_entry_data(changed),
                           unless_frozen=True)

    assert raised.value.code == errors.CONFLICT
    stored = repo.get_budget(budget["id"])
    assert stored["frozen"] is True and stored["cap"] == 50_000
    log = repo.log_page(budget["id"])
    assert [e["kind"] for e in log] == ["rules", "rules", "ballot", "ballot"]
    assert domain.verify_log(log, repo.ballots_of(budget["id"])) == (True, [])
    assert [b["project_ids"] for b in repo.ballots_of(budget["id"])] == [["p2"]]


def test_a_households_ballot_belongs_to_who_cast_it(repo):
    budget = new_budget(repo, ballot_unit="household")
    repo.put_ballot(ballot(budget, "a", "household:h1", ["p1"]))

    with pytest.raises(DomainError) as raised:
        repo.put_ballot(ballot(budget, "b", "household:h1", ["p2"]))

    assert raised.value.code == errors.CONFLICT
    assert [b["cast_by"] for b in repo.ballots_of(budget["id"])] == ["a"]
    assert len(repo.log_page(budget["id"])) == 2


def test_a_budget_keeps_one_secret_created_with_it_or_on_first_use(repo):
    budget = domain.new_budget("m1", samples.budget(), ["n1"], "s1")
    repo.add_budget(budget, domain.log_entry(budget["id"], None, "rules",
                                             domain.rules_entry_data(budget)), "aa" * 32)
    older = new_budget(repo)  # stored without one, as budgets were before keyed pseudonyms

    assert repo.budget_secret(budget["id"], "bb" * 32) == "aa" * 32
    assert repo.budget_secret(older["id"], "cc" * 32) == "cc" * 32
    assert repo.budget_secret(older["id"], "dd" * 32) == "cc" * 32
    # Nothing that reads budgets, logs or a person's data carries it.
    readable = repr([repo.get_budget(budget["id"]), repo.budgets_page("m1"),
                     repo.log_page(budget["id"]), repo.personal_data("s1")])
    assert "aa" * 32 not in readable and "cc" * 32 not in readable


def test_a_published_head_is_recorded_once_per_phase_and_listed_in_log_order(repo):
    budget = new_budget(repo)
    first = repo.publish_log_head(budget["id"], "review")
    repo.put_ballot(ballot(budget, "a", "user:a", ["p1"]))
    again = repo.publish_log_head(budget["id"], "review")
    voting = repo.publish_log_head(budget["id"], "voting")

    log = repo.log_page(budget["id"])
    assert again == first and (first["entries"], first["hash"]) == (1, log[0]["hash"])
    assert (voting["entries"], voting["hash"]) == (2, log[1]["hash"])
    assert repo.log_heads(budget["id"]) == [first, voting]
    assert repo.last_log_entry(budget["id"]) == log[-1]
    assert domain.verify_chain(log, repo.log_heads(budget["id"])) == (True, [])


def test_a_review_after_the_rules_froze_is_refused(repo):
    budget = new_budget(repo)
    project = domain.new_project(budget, resident("a"), {"title": "Trees", "cost": 100})
    repo.add_project(project)
    repo.review_project(dict(project, status=domain.ACCEPTED))
    repo.put_ballot(ballot(budget, "a", "user:a", [project["id"]]))

    with pytest.raises(DomainError):
        repo.review_project(dict(project, status=domain.REJECTED, reason="late"))

    assert repo.projects_of(budget["id"])[0]["status"] == domain.ACCEPTED
    assert repo.get_project(project["id"])["status"] == domain.ACCEPTED


def test_a_support_counts_once(repo):
    initiative = domain.new_initiative(resident("a"), {"title": "T", "text": "x"}, 2)
    repo.add_initiative(initiative)

    assert repo.add_support(initiative["id"], "b", "2026-11-22T10:00:00+00:00") == 1
    assert repo.add_support(initiative["id"], "b", "2026-11-22T10:00:01+00:00") is None
    assert repo.add_support(initiative["id"], "c", "2026-11-22T10:00:02+00:00") == 2
    assert repo.save_initiative(dict(initiative, supports=2, status=domain.ESCALATED),
                                expected_status=domain.OPEN) is True
    assert repo.save_initiative(dict(initiative, status=domain.ESCALATED),
                                expected_status=domain.OPEN) is False

    stored = repo.get_initiative(initiative["id"])
    assert (stored["supports"], stored["status"]) == (2, domain.ESCALATED)
    assert repo.has_supported(initiative["id"], "b") and not repo.has_supported(
        initiative["id"], "a")
    assert [i["id"] for i in repo.initiatives_page("m1", ["n1"], [domain.ESCALATED])] == [
        initiative["id"]]
    assert repo.initiatives_page("m1", ["n2"]) == []


def test_incidents_are_numbered_in_arrival_order_and_read_after_a_number(repo):
    stored = [repo.add_incident(domain.new_incident(resident(user), {
        "category": "waste", "location": {"latitude": 1, "longitude": 2}, "text": "Bags"}))
        for user in ("a", "b", "a")]

    sequences = [i["sequence"] for i in stored]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert [i["id"] for i in repo.incidents_after("m1", sequences[0])] == [
        stored[1]["id"], stored[2]["id"]]
    assert [i["id"] for i in repo.incidents_of_reporter("a")] == [stored[2]["id"],
                                                                  stored[0]["id"]]
    changed = domain.change_incident_status(stored[1], "in_progress", None)
    assert repo.save_incident(changed, expected_status="received") is True
    assert repo.save_incident(changed, expected_status="received") is False
    assert repo.get_incident(stored[1]["id"])["status"] == "in_progress"
    assert [i["id"] for i in repo.incidents_after("m1", 0, status="in_progress")] == [
        stored[1]["id"]]


def test_settings_round_trip(repo):
    assert repo.get_settings("m1") == {}
    repo.set_settings("m1", {"initiative_threshold": 5})
    assert repo.get_settings("m1") == {"initiative_threshold": 5}


def test_budgets_wait_for_announcements_until_their_results_phase_is_announced(repo):
    budget = new_budget(repo)

    assert [b["id"] for b in repo.budgets_to_announce()] == [budget["id"]]
    repo.mark_phase_announced(budget["id"], "proposals")
    assert repo.get_budget(budget["id"])["announced_phase"] == "proposals"
    repo.mark_phase_announced(budget["id"], "results")
    assert repo.budgets_to_announce() == []


def test_erasure_unlinks_a_user_but_keeps_what_counts(repo):
    per_person = domain.new_survey("m1", samples.survey(["n1"]), ["n1"], "s1")
    per_household = domain.new_survey("m1", samples.survey(["n1"], response_unit="household"),
                                      ["n1"], "s1")
    for survey in (per_person, per_household):
        repo.add_survey(survey)
        repo.add_response(survey, domain.new_response(survey, resident("a"), samples.answers()))
    repo.upsert_registration(registration("a", "n1", "h1"))
    budget = new_budget(repo)
    repo.put_ballot(ballot(budget, "a", "user:a", ["p1"]))
    initiative = domain.new_initiative(resident("a"), {"title": "T", "text": "x"}, 5)
    repo.add_initiative(initiative)
    other = domain.new_initiative(resident("b"), {"title": "U", "text": "y"}, 5)
    repo.add_initiative(other)
    repo.add_support(other["id"], "a", "2026-11-22T10:00:00+00:00")
    incident = repo.add_incident(domain.new_incident(resident("a"), {
        "category": "waste", "location": {"latitude": 1, "longitude": 2}, "text": "Bags"}))
    held = repo.personal_data("a")
    assert [len(held[k]) for k in ("responses", "ballots", "initiatives", "supports",
                                   "incidents")] == [2, 1, 1, 1, 1]

    repo.erase_user("a", "erased-1")

    left = repo.personal_data("a")
    assert left["registration"] is None
    assert all(not left[k] for k in left if k != "registration")
    assert len(repo.responses_page(per_person["id"])) == 1
    assert not repo.has_responded(per_person["id"], "user:a")
    # The household still answered: its other adults cannot answer again.
    assert repo.has_responded(per_household["id"], "household:h1")
    assert [b["project_ids"] for b in repo.ballots_of(budget["id"])] == [["p1"]]
    assert domain.verify_log(repo.log_page(budget["id"]), repo.ballots_of(budget["id"]))[0]
    assert repo.get_initiative(other["id"])["supports"] == 1
    assert repo.get_incident(incident["id"])["reporter_id"] == "erased-1"


def test_erasure_takes_the_person_s_own_words_and_keeps_what_counts(repo):
    survey = domain.new_survey("m1", samples.survey(["n1"]), ["n1"], "s1")
    repo.add_survey(survey)
    repo.add_response(survey, domain.new_response(survey, resident("a"), samples.answers(
        mode="bike", why="my daughter's school is on Rue Haute", comment="call me, Anna")))
    initiative = domain.new_initiative(resident("a"), {"title": "Benches", "text": "Anna's"}, 5)
    repo.add_initiative(initiative)
    incident = repo.add_incident(domain.new_incident(resident("a"), {
        "category": "waste", "text": "Bags in front of my house, number 12",
        "location": {"latitude": 1, "longitude": 2, "description": "my house"}}))

    repo.erase_user("a", "erased-1")
    repo.erase_user("a", "erased-2")  # a replay finds nothing left

    [kept] = repo.responses_page(survey["id"])
    assert kept["answers"] == {k: v for k, v in samples.answers(mode="bike").items()}
    withdrawn = repo.get_initiative(initiative["id"])
    assert (withdrawn["title"], withdrawn["text"], withdrawn["proposer_id"]) == (
        "", "", "erased-1")
    reported = repo.get_incident(incident["id"])
    assert (reported["text"], reported["location"]["description"]) == ("", "")
    assert (reported["category"], reported["location"]["latitude"]) == ("waste", 1)


def test_erasure_keeps_an_accepted_project_s_text_and_withdraws_one_never_accepted(repo):
    budget = new_budget(repo)
    accepted = domain.new_project(budget, resident("a"), {"title": "Trees", "cost": 100})
    pending = domain.new_project(budget, resident("a"), {
        "title": "Anna's bench", "description": "in front of number 12", "cost": 50})
    for project in (accepted, pending):
        repo.add_project(project)
    repo.review_project(dict(accepted, status=domain.ACCEPTED))

    repo.erase_user("a", "erased-1")

    kept, withdrawn = repo.get_project(accepted["id"]), repo.get_project(pending["id"])
    assert (kept["title"], kept["proposer_id"]) == ("Trees", "erased-1")
    assert (withdrawn["title"], withdrawn["description"], withdrawn["proposer_id"]) == (
        "", "", "erased-1")
