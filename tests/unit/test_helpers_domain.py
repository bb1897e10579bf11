"""Helper profiles and call-outs: validation, what the city sees, events."""
import pytest

from contracts import events
from contracts.caller import CITY_STAFF, RESIDENT, Caller
from contracts.errors import DomainError
from services.neighbourhood import helpers
from services.neighbourhood.domain import Member
from services.neighbourhood.helpers import ACCEPTED, DECLINED, PENDING, Callout, Invitation

MEMBER = Member(user_id="u1", municipality_id="m1", neighbourhood_id="n1", household_id="h1",
                first_name="Ana", street="Rue Haute")


def test_a_valid_profile_is_cleaned():
    read = helpers.read_profile({
        "skills": ["gardening", "gardening", "babysitting"], "free_text": "  bio  ",
        "languages": ["fr", "nl"], "availability": ["weekends", "weekday_evenings"],
        "volunteer": True})
    assert read["skills"] == ["gardening", "babysitting"]
    assert read["free_text"] == "bio"
    assert read["availability"] == ["weekday_evenings", "weekends"]


def test_every_problem_of_a_profile_is_listed():
    with pytest.raises(DomainError) as raised:
        helpers.read_profile({"skills": ["gardening", "juggling"], "languages": ["French"],
                              "volunteer": "yes", "availability": ["sometimes"],
                              "street": "x"})
    fields = raised.value.details["fields"]
    assert raised.value.code == "invalid"
    assert set(fields) == {"skills", "languages", "volunteer", "availability", "street"}
    assert "juggling" in fields["skills"]


@pytest.mark.parametrize("body", [{}, {"skills": []}, {"skills": ["gardening"] * 0},
                                  {"skills": ["gardening"], "free_text": "x" * 1001}])
def test_profiles_without_skills_or_with_too_long_text_are_refused(body):
    with pytest.raises(DomainError):
        helpers.read_profile(body)


def test_only_residents_with_a_home_have_profiles():
    resident = Caller(user_id="u1", role=RESIDENT, municipality_id="m1")
    assert helpers.require_resident_home(resident, MEMBER) is MEMBER
    with pytest.raises(DomainError) as raised:
        helpers.require_resident_home(Caller(user_id="s", role=CITY_STAFF,
                                             municipality_id="m1"), MEMBER)
    assert raised.value.code == "forbidden"
    with pytest.raises(DomainError):
        helpers.require_resident_home(resident, None)


def test_the_profile_event_is_declared_and_each_change_is_a_new_event():
    profile = helpers.new_profile(MEMBER, helpers.read_profile({"skills": ["gardening"]}))
    event, payload = helpers.profile_updated(profile)
    assert event is events.HELPER_PROFILE_UPDATED
    assert payload["user_id"] == "u1" and payload["neighbourhood_id"] == "n1"
    # Two changes within the same second must not look like one redelivered event.
    assert helpers.profile_updated(profile)[1]["event_id"] != payload["event_id"]


def test_the_index_document_is_keyed_by_user_and_carries_every_label():
    profile = helpers.new_profile(MEMBER, helpers.read_profile({"skills": ["babysitting"]}))
    document = helpers.index_document(profile)
    assert document["user_id"] == "u1"
    assert "Garde d'enfants" in document["skill_texts"]
    assert "Babysitting" in document["skill_texts"]


def test_search_results_show_no_street():
    profile = helpers.new_profile(MEMBER, helpers.read_profile({"skills": ["gardening"]}))
    view = helpers.search_view(profile, 3.2, "fr")
    assert view["first_name"] == "Ana" and view["skill_labels"] == ["Jardinage"]
    assert "street" not in view


@pytest.mark.parametrize("q, skill, language, volunteer", [
    ("x" * 201, None, None, None), (None, "juggling", None, None),
    (None, None, "French", None), (None, None, None, "maybe")])
def test_bad_search_parameters_are_refused(q, skill, language, volunteer):
    with pytest.raises(DomainError) as raised:
        helpers.read_search(q, skill, language, volunteer)
    assert raised.value.code == "invalid"


def test_malformed_search_cursors_are_refused():
    assert helpers.search_position([1.5, "u"]) == (1.5, "u")
    for bad in (["a", "u"], [1.0], "x", [True, "u"]):
        with pytest.raises(DomainError):
            helpers.search_position(bad)


def test_callouts_are_for_city_staff():
    with pytest.raises(DomainError) as raised:
        helpers.authorize_city(Caller(user_id="u1", role=RESIDENT, municipality_id="m1"))
    assert raised.value.code == "forbidden"
    assert helpers.authorize_city(
        Caller(user_id="s", role=CITY_STAFF, municipality_id="m1")) == "m1"


def test_a_callout_body_is_validated():
    with pytest.raises(DomainError) as raised:
        helpers.read_callout({"neighbourhood_id": "n1", "skill": "juggling", "wanted": 0})
    assert set(raised.value.details["fields"]) == {"skill", "wanted"}
    assert helpers.read_callout({"neighbourhood_id": "n1", "skill": "gardening",
                                 "wanted": 3})["wanted"] == 3


def test_the_city_sees_counts_and_only_the_names_of_those_who_accepted():
    callout = Callout(id="c1", municipality_id="m1", neighbourhood_id="n1", skill="gardening",
                      wanted=2, message="", created_by="s", created_at="t")
    accepted = [Invitation(callout_id="c1", user_id="u1", municipality_id="m1",
                           neighbourhood_id="n1", skill="gardening", status=ACCEPTED,
                           first_name="Ana")]
    view = helpers.city_view(callout, {PENDING: 3, ACCEPTED: 1, DECLINED: 1}, accepted)
    assert view["counts"] == {"notified": 5, "accepted": 1, "declined": 1, "pending": 3}
    assert view["accepted_helpers"] == [{"user_id": "u1", "display_name": "Ana"}]
    assert view["filled"] is False
    nobody = helpers.city_view(callout, {PENDING: 5}, [])
    assert nobody["accepted_helpers"] == []


def test_helper_statistics_hide_small_counts_and_never_one_cell_of_a_total():
    view = helpers.helper_statistics_view(
        [("n1", "North"), ("n2", "South"), ("n3", "East")],
        {"n1": (40, 12), "n2": (2, 1), "n3": (25, 0)},
        [{"neighbourhood_id": "n1", "skill": "plumbing", "helpers": 30, "volunteers": 10},
         {"neighbourhood_id": "n2", "skill": "plumbing", "helpers": 2, "volunteers": 1},
         {"neighbourhood_id": "n1", "skill": "sewing", "helpers": 1, "volunteers": 0}], 10)

    rows = {r["neighbourhood_id"]: r for r in view["neighbourhoods"]}
    # n2's 2 helpers are hidden, and with them the next smallest (n3's 25): 67 - 40 leaves 27.
    assert (rows["n1"]["helpers"], rows["n2"]["helpers"], rows["n3"]["helpers"]) == (40, None,
                                                                                    None)
    assert view["helpers"] == 67 and rows["n2"]["suppressed"] == ["helpers", "volunteers"]
    assert (rows["n1"]["volunteers"], rows["n3"]["volunteers"]) == (12, None)
    skills = {s["skill"]: s for s in view["skills"]}
    assert skills["plumbing"]["helpers"] is None and skills["sewing"]["helpers"] is None
    assert skills["plumbing"]["volunteers"] == 11 and skills["sewing"]["volunteers"] == 0
