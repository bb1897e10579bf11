"""Helpers' store contract (SQLite, mongomock, real MongoDB when MONGO_URI is set): profiles,
per-skill lookups and counts, call-outs with their seats, invitations, erasure."""
import pytest

from servicekit.store import repository_for
from services.neighbourhood import helpers_repository as repo
from services.neighbourhood.helpers import (
    ACCEPTED,
    DECLINED,
    PENDING,
    Callout,
    HelperProfile,
    invitations_for,
)


@pytest.fixture
def store_(store):
    return repository_for(store, repo.SqliteHelpers, repo.MongoHelpers)


def profile(user_id, skills=("gardening",), neighbourhood="n1", volunteer=True,
            created_at="2026-01-01T00:00:00+00:00"):
    return HelperProfile(user_id=user_id, municipality_id="m1", neighbourhood_id=neighbourhood,
                         first_name=user_id.title(), skills=list(skills), volunteer=volunteer,
                         languages=["fr"], created_at=created_at, updated_at=created_at)


def callout(callout_id="c1", wanted=2, created_at="2026-02-01T10:00:00+00:00"):
    return Callout(id=callout_id, municipality_id="m1", neighbourhood_id="n1",
                   skill="gardening", wanted=wanted, message="Spring clean-up",
                   created_by="staff", created_at=created_at)


def test_a_profile_is_stored_once_per_user_and_replaced(store_):
    store_.put_profile(profile("ana"))
    store_.put_profile(profile("ana", skills=("babysitting",)))
    assert store_.get_profile("ana").skills == ["babysitting"]
    assert [p.user_id for p in store_.profiles_page("", 10)] == ["ana"]
    assert store_.get_profiles(["ana", "nobody"]).keys() == {"ana"}


def test_deleting_a_profile(store_):
    store_.put_profile(profile("ana"))
    assert store_.delete_profile("ana") is True
    assert store_.delete_profile("ana") is False
    assert store_.get_profile("ana") is None
    assert store_.volunteers_for("n1", "gardening", 10) == []


def test_profiles_page_walks_every_profile_by_user_id(store_):
    for name in ("c", "a", "b", "d"):
        store_.put_profile(profile(name))
    first = store_.profiles_page("", 3)
    rest = store_.profiles_page(first[-1].user_id, 3)
    assert [p.user_id for p in first + rest] == ["a", "b", "c", "d"]


def test_volunteers_with_a_skill_in_a_neighbourhood_longest_standing_first(store_):
    store_.put_profile(profile("late", created_at="2026-03-01T00:00:00+00:00"))
    store_.put_profile(profile("early", created_at="2026-01-01T00:00:00+00:00"))
    store_.put_profile(profile("not-volunteer", volunteer=False))
    store_.put_profile(profile("elsewhere", neighbourhood="n2"))
    store_.put_profile(profile("other-skill", skills=("baking",)))
    assert [p.user_id for p in store_.volunteers_for("n1", "gardening", 10)] == [
        "early", "late"]
    assert len(store_.volunteers_for("n1", "gardening", 1)) == 1


def test_statistics_are_counts_per_neighbourhood_and_skill(store_):
    store_.put_profile(profile("a", skills=("gardening", "baking")))
    store_.put_profile(profile("b", skills=("gardening",), volunteer=False))
    store_.put_profile(profile("c", skills=("gardening",), neighbourhood="n2"))
    rows = {(r["neighbourhood_id"], r["skill"]): (r["helpers"], r["volunteers"])
            for r in store_.skill_counts("m1")}
    assert rows == {("n1", "baking"): (1, 1), ("n1", "gardening"): (2, 1),
                    ("n2", "gardening"): (1, 1)}
    assert store_.profile_counts("m1") == {"n1": (2, 1), "n2": (1, 1)}
    assert store_.skill_counts("m-other") == []


def _seed_callout(store_, wanted=2, helpers=("a", "b", "c")):
    for name in helpers:
        store_.put_profile(profile(name))
    made = callout(wanted=wanted)
    store_.add_callout(made, invitations_for(made, store_.volunteers_for("n1", "gardening", 10)))
    return made


def test_a_callout_counts_its_invitations(store_):
    made = _seed_callout(store_)
    assert store_.invitation_counts([made.id]) == {made.id: {PENDING: 3}}
    assert store_.accepted_invitations(made.id) == []
    assert [i.callout_id for i in store_.invitations_of("a")] == [made.id]


def test_accepting_takes_a_seat_and_records_the_first_name_only_then(store_):
    made = _seed_callout(store_, wanted=1)
    outcome, invitation = store_.answer(made.id, "a", ACCEPTED, "Ana", "2026-02-02T00:00:00Z")
    assert outcome == repo.CHANGED and invitation.status == ACCEPTED
    assert [i.first_name for i in store_.accepted_invitations(made.id)] == ["Ana"]
    assert store_.answer(made.id, "a", ACCEPTED, "Ana", "x")[0] == repo.UNCHANGED
    # The only seat is taken: another accept changes nothing.
    assert store_.answer(made.id, "b", ACCEPTED, "Bo", "x")[0] == repo.FULL
    assert store_.get_invitation(made.id, "b").status == PENDING
    assert store_.get_callout(made.id).accepted == 1


def test_declining_after_accepting_gives_the_seat_back_and_forgets_the_name(store_):
    made = _seed_callout(store_, wanted=1)
    store_.answer(made.id, "a", ACCEPTED, "Ana", "t1")
    outcome, invitation = store_.answer(made.id, "a", DECLINED, "Ana", "t2")
    assert outcome == repo.CHANGED and invitation.first_name == ""
    assert store_.answer(made.id, "b", ACCEPTED, "Bo", "t3")[0] == repo.CHANGED
    assert store_.invitation_counts([made.id])[made.id] == {DECLINED: 1, ACCEPTED: 1,
                                                            PENDING: 1}


def test_answering_a_callout_one_was_not_invited_to_is_missing(store_):
    made = _seed_callout(store_)
    assert store_.answer(made.id, "stranger", ACCEPTED, "S", "t")[0] == repo.MISSING
    assert store_.answer("no-such", "a", ACCEPTED, "A", "t")[0] == repo.MISSING


def test_callouts_page_newest_first_by_range(store_):
    for n in range(5):
        store_.add_callout(callout("c%d" % n, created_at="2026-02-0%dT00:00:00Z" % (n + 1)), [])
    first = store_.callouts_page("m1", None, 2)
    rest = store_.callouts_page("m1", (first[-1].created_at, first[-1].id), 10)
    assert [c.id for c in first + rest] == ["c4", "c3", "c2", "c1", "c0"]


def test_erasure_forgets_profile_invitations_and_answers_and_frees_the_seat(store_):
    made = _seed_callout(store_, wanted=1)
    store_.answer(made.id, "a", ACCEPTED, "Ana", "t")
    erased = store_.erase_user("a")
    assert erased.user_id == "a"
    assert store_.get_profile("a") is None
    assert store_.all_invitations_of("a") == []
    assert store_.accepted_invitations(made.id) == []
    assert store_.answer(made.id, "b", ACCEPTED, "Bo", "t")[0] == repo.CHANGED
    assert store_.erase_user("a") is None


def test_erasing_staff_keeps_their_callouts_without_their_id(store_):
    store_.add_callout(callout(), [])
    store_.erase_user("staff")
    assert store_.get_callout("c1").created_by == ""
