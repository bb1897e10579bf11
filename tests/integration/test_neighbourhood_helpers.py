"""Helpers over a real broker: a profile reaches the search projection through its event; the
searcher sees their home and followed neighbourhoods only; a duplicate event leaves one document;
the index rebuilt from the store after being emptied; call-outs that name a helper to the city
only on accept; erasure."""
import uuid

import pytest
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events
from contracts.caller import CITY_STAFF, Caller
from services.neighbourhood.dependencies import HelperSearch
from services.moderation.service import ModerationService
from services.neighbourhood.reindex import main as reindex_main
from tests.integration.helpers import RPC_TIMEOUT
from tests.integration.test_neighbourhood_service import (  # noqa: F401
    MUNICIPALITY,
    SYSTEM,
    cells,
    container,
    deliver,
    dispatch,
    error_code,
    listener,
    neighbourhood,
    register,
    resident,
)

STAFF = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()


@pytest.fixture(autouse=True)
def moderation(start_service):
    """Asked whether a resident is suspended before their profile is stored."""
    return start_service(ModerationService)


def search_index(container):
    return next(e for e in container.extensions if isinstance(e, HelperSearch)).index


def put_profile(container, neighbourhood, user_id, **profile):
    """Store a profile and wait until the projection has indexed it."""
    profile.setdefault("skills", ["gardening"])
    with entrypoint_waiter(container, "on_helper_profile_updated", timeout=RPC_TIMEOUT):
        stored = neighbourhood.put_helper_profile(caller=resident(user_id), profile=profile)
    return stored


def found(neighbourhood, user_id, **query):
    return [h["user_id"] for h in neighbourhood.search_helpers(caller=resident(user_id),
                                                               **query)["items"]]


@pytest.fixture
def town(container, dispatch, cells):
    """u1, u2 at home in r0c0; u3 in r0c1 (adjacent); u4 in r0c2 (not adjacent to r0c0)."""
    for user, cell in (("u1", "r0c0"), ("u2", "r0c0"), ("u3", "r0c1"), ("u4", "r0c2")):
        register(container, dispatch, user, cells[cell], display_name=user.upper() + " Doe")
    return cells


def test_a_profile_is_found_by_neighbours_and_followers_only(container, neighbourhood, town):
    put_profile(container, neighbourhood, "u1", skills=["french_lessons"],
                free_text="Conversation, grammaire", languages=["fr", "en"], volunteer=True)
    neighbourhood.follow(caller=resident("u3"), neighbourhood_id=town["r0c0"])

    hits = neighbourhood.search_helpers(caller=resident("u2"), q="French lessons")["items"]

    assert [(h["user_id"], h["first_name"]) for h in hits] == [("u1", "U1")]
    assert "street" not in hits[0]
    assert found(neighbourhood, "u3", q="francais") == ["u1"]
    assert found(neighbourhood, "u4", q="francais") == []
    assert error_code(neighbourhood.search_helpers, caller=STAFF, q="x") == errors.FORBIDDEN


def test_the_same_event_twice_leaves_one_document(container, neighbourhood, dispatch, town):
    put_profile(container, neighbourhood, "u1")
    payload = events.HELPER_PROFILE_UPDATED.payload(
        "replayed-" + uuid.uuid4().hex, user_id="u1", neighbourhood_id=town["r0c0"])
    for _ in range(2):
        with entrypoint_waiter(container, "on_helper_profile_updated", timeout=RPC_TIMEOUT):
            dispatch(events.HELPER_PROFILE_UPDATED.source, events.HELPER_PROFILE_UPDATED.name,
                     payload)
    # A new event for the same profile replaces the document, never adds one.
    deliver(container, dispatch, events.HELPER_PROFILE_UPDATED, "on_helper_profile_updated",
            user_id="u1", neighbourhood_id=town["r0c0"])

    assert search_index(container).count() == 1
    assert found(neighbourhood, "u2", q="jardin") == ["u1"]


def test_a_removed_profile_leaves_search(container, neighbourhood, town):
    put_profile(container, neighbourhood, "u1")
    with entrypoint_waiter(container, "on_helper_profile_removed", timeout=RPC_TIMEOUT):
        assert neighbourhood.remove_helper_profile(caller=resident("u1")) == {"removed": True}
    assert neighbourhood.remove_helper_profile(caller=resident("u1")) == {"removed": False}
    assert found(neighbourhood, "u2", q="jardin") == []
    assert search_index(container).count() == 0


def test_reindex_restores_every_profile_into_an_emptied_index(
        container, neighbourhood, town, rabbit_config, monkeypatch, capsys):
    for user in ("u1", "u2", "u3"):
        put_profile(container, neighbourhood, user, skills=["babysitting"])
    neighbourhood.helper_index(caller=SYSTEM, action="clear")
    assert found(neighbourhood, "u1", q="babysitting") == []

    # The operator's command, through the running service.
    amqp_uri = rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://", 1)  # pika's scheme
    assert reindex_main(["--amqp-uri", amqp_uri]) == 0

    assert "indexed 3 helper profiles" in capsys.readouterr().out
    assert sorted(found(neighbourhood, "u1", q="garde d'enfants")) == ["u1", "u2"]
    assert search_index(container).count() == 3
    assert error_code(neighbourhood.helper_index, caller=resident("u1"),
                      action="clear") == errors.FORBIDDEN


def test_a_callout_names_a_helper_to_the_city_only_once_they_accept(
        container, neighbourhood, town):
    put_profile(container, neighbourhood, "u1", skills=["gardening"], volunteer=True)
    put_profile(container, neighbourhood, "u2", skills=["gardening"], volunteer=True)
    put_profile(container, neighbourhood, "u3", skills=["gardening"], volunteer=True)  # r0c1
    put_profile(container, neighbourhood, "u4", skills=["gardening"], volunteer=False)

    callout = neighbourhood.create_callout(caller=STAFF, callout={
        "neighbourhood_id": town["r0c0"], "skill": "gardening", "wanted": 1,
        "message": "Spring clean-up of the square"})

    assert callout["counts"] == {"notified": 2, "accepted": 0, "declined": 0, "pending": 2}
    assert callout["accepted_helpers"] == []
    invited = neighbourhood.my_callouts(caller=resident("u2"))["items"]
    assert [i["callout_id"] for i in invited] == [callout["id"]]
    assert neighbourhood.my_callouts(caller=resident("u3"))["items"] == []

    neighbourhood.answer_callout(caller=resident("u2"), callout_id=callout["id"],
                                 answer="declined")
    declined = neighbourhood.get_callout(caller=STAFF, callout_id=callout["id"])
    assert declined["counts"]["declined"] == 1 and declined["accepted_helpers"] == []

    neighbourhood.answer_callout(caller=resident("u1"), callout_id=callout["id"],
                                 answer="accepted")
    accepted = neighbourhood.get_callout(caller=STAFF, callout_id=callout["id"])
    assert accepted["accepted_helpers"] == [{"user_id": "u1", "display_name": "U1"}]
    assert accepted["filled"] is True
    # Filled: u2 changing their mind is refused; a stranger is not invited at all.
    assert error_code(neighbourhood.answer_callout, caller=resident("u2"),
                      callout_id=callout["id"], answer="accepted") == errors.CONFLICT
    assert error_code(neighbourhood.answer_callout, caller=resident("u3"),
                      callout_id=callout["id"], answer="accepted") == errors.NOT_FOUND

    # Three gardeners, two of them volunteers: all under 10, so counted but never shown.
    stats = neighbourhood.helper_statistics(caller=STAFF)
    assert [(r["skill"], r["helpers"], r["volunteers"], r["suppressed"])
            for r in stats["skills"]] == [("gardening", None, None, ["helpers", "volunteers"])]
    assert stats["helpers"] is None and stats["volunteers"] is None
    assert {r["neighbourhood_id"]: r["helpers"] for r in stats["neighbourhoods"]}[
        town["r0c0"]] is None
    assert "first_name" not in str(stats)


def test_erasure_forgets_the_profile_and_the_answers(container, neighbourhood, dispatch, town):
    put_profile(container, neighbourhood, "u1", volunteer=True)
    callout = neighbourhood.create_callout(caller=STAFF, callout={
        "neighbourhood_id": town["r0c0"], "skill": "gardening", "wanted": 2})
    neighbourhood.answer_callout(caller=resident("u1"), callout_id=callout["id"],
                                 answer="accepted")
    exported = neighbourhood.export_user(caller=resident("u1"))["helpers"]
    assert exported["profile"]["skills"] == ["gardening"]
    assert [a["status"] for a in exported["callout_answers"]] == ["accepted"]

    deliver(container, dispatch, events.USER_ERASED, "on_user_erased_helpers",
            user_id="u1", municipality_id=MUNICIPALITY)

    after = neighbourhood.get_callout(caller=STAFF, callout_id=callout["id"])
    assert after["accepted_helpers"] == [] and after["counts"]["notified"] == 0
    assert found(neighbourhood, "u2", q="jardin") == []


def test_a_helper_who_moves_is_found_from_the_new_home_only(
        container, neighbourhood, dispatch, town):
    put_profile(container, neighbourhood, "u1", skills=["plumbing"])
    assert found(neighbourhood, "u2", q="plombier") == ["u1"]

    # A corrected address register moves u1 to r0c1: left, then joined (identity's event).
    with entrypoint_waiter(container, "on_member_joined_helpers", timeout=RPC_TIMEOUT):
        deliver(container, dispatch, events.USER_UPDATED, "on_user_updated", user_id="u1",
                municipality_id=MUNICIPALITY, changes={"neighbourhood_id": town["r0c1"]})

    assert found(neighbourhood, "u2", q="plombier") == []
    assert found(neighbourhood, "u3", q="plombier") == ["u1"]
    assert neighbourhood.get_helper_profile(
        caller=resident("u1"))["neighbourhood_id"] == town["r0c1"]


def test_business_counters_count_new_helpers_callouts_and_answers_not_edits(
        container, neighbourhood, town):
    from prometheus_client import REGISTRY

    def value(name, **labels):
        return REGISTRY.get_sample_value(name, dict(municipality=MUNICIPALITY, **labels)) or 0

    profiles = value("quartier_helper_profiles_created_total")
    callouts = value("quartier_callouts_created_total")
    accepted = value("quartier_callout_answers_total", answer="accepted")

    put_profile(container, neighbourhood, "u1", volunteer=True)
    put_profile(container, neighbourhood, "u1", volunteer=True, free_text="edited")
    callout = neighbourhood.create_callout(caller=STAFF, callout={
        "neighbourhood_id": town["r0c0"], "skill": "gardening", "wanted": 1})
    for _ in range(2):  # the second answer changes nothing and counts nothing
        neighbourhood.answer_callout(caller=resident("u1"), callout_id=callout["id"],
                                     answer="accepted")

    assert value("quartier_helper_profiles_created_total") == profiles + 1
    assert value("quartier_callouts_created_total") == callouts + 1
    assert value("quartier_callout_answers_total", answer="accepted") == accepted + 1
