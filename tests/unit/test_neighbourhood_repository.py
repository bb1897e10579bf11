"""The neighbourhood repository contract, run on every adapter (SQLite, mongomock, real
MongoDB when MONGO_URI is set) through the shared `store` fixture."""
import threading
from dataclasses import replace

import pytest

from contracts import errors
from contracts.errors import DomainError
from servicekit.store import repository_for
from services.neighbourhood import domain
from services.neighbourhood.repository import MongoNeighbourhoods, SqliteNeighbourhoods


@pytest.fixture
def repo(store):
    return repository_for(store, SqliteNeighbourhoods, MongoNeighbourhoods)


def neighbourhood(id, municipality_id="m1", name=None, adjacent=(), key=None):
    return domain.Neighbourhood(
        id=id, municipality_id=municipality_id, key=key or id, name=name or id.upper(), code=id,
        geometry={"type": "Polygon", "coordinates": [[[6.1, 49.6], [6.2, 49.6], [6.2, 49.7],
                                                      [6.1, 49.6]]]},
        adjacent_ids=tuple(adjacent), created_at="2026-11-22T03:00:00+00:00")


def member(user_id, neighbourhood_id="n1", household_id=None, first_name="Ana", street="Rue A",
           municipality_id="m1"):
    return domain.Member(user_id=user_id, municipality_id=municipality_id,
                         neighbourhood_id=neighbourhood_id,
                         household_id=household_id or "h-" + user_id, first_name=first_name,
                         street=street, joined_at="2026-11-22T03:00:00+00:00")


def test_imported_neighbourhoods_round_trip_ordered_by_name(repo):
    repo.store_import([neighbourhood("n2", name="Gare", adjacent=("n1",)),
                       neighbourhood("n1", name="Centre", adjacent=("n2",)),
                       neighbourhood("x1", municipality_id="m2")])

    found = repo.in_municipality("m1")

    assert [(n.id, n.name, n.adjacent_ids, n.state) for n in found] == [
        ("n1", "Centre", ("n2",), domain.PENDING), ("n2", "Gare", ("n1",), domain.PENDING)]
    assert repo.get("n1") == found[0]
    assert repo.get("nope") is None


def test_a_re_import_updates_geography_but_never_the_state(repo):
    repo.store_import([neighbourhood("n1")])
    assert repo.activate("n1", "2026-11-22T04:00:00+00:00")
    stale = replace(neighbourhood("n1", name="Renamed", adjacent=("n2",)))  # state: pending

    repo.store_import([stale])

    stored = repo.get("n1")
    assert (stored.name, stored.adjacent_ids, stored.state) == ("Renamed", ("n2",),
                                                                domain.ACTIVE)


def test_a_second_neighbourhood_with_the_same_key_is_a_conflict(repo):
    repo.store_import([neighbourhood("n1", key="centre")])

    with pytest.raises(DomainError) as raised:
        repo.store_import([neighbourhood("n9", key="centre")])

    assert raised.value.code == errors.CONFLICT
    assert [n.id for n in repo.in_municipality("m1")] == ["n1"]


def test_activation_happens_once_and_its_announcement_is_remembered(repo):
    repo.store_import([neighbourhood("n1")])

    assert repo.activate("n1", "2026-11-22T04:00:00+00:00") is True
    assert repo.activate("n1", "2026-11-22T05:00:00+00:00") is False
    assert repo.get("n1").activated_at == "2026-11-22T04:00:00+00:00"
    assert repo.get("n1").activation_announced is False
    repo.mark_activation_announced("n1")
    assert repo.get("n1").activation_announced is True


def test_municipality_thresholds_are_recorded_and_replaced(repo):
    assert repo.activation_threshold("m1") is None
    repo.record_municipality("m1", "Mersch", 12)
    repo.record_municipality("m1", "Mersch", 12)  # a replayed event
    assert repo.activation_threshold("m1") == 12


def test_a_member_is_added_once_and_households_are_counted_distinctly(repo):
    first = member("u1", household_id="h1")
    assert repo.add_member(first) == (first, True)
    assert repo.add_member(replace(first, first_name="Other")) == (first, False)
    repo.add_member(member("u2", household_id="h1"))  # a co-resident: same household
    repo.add_member(member("u3", household_id="h2"))
    repo.add_member(member("u4", neighbourhood_id="n2", household_id="h3"))
    repo.add_member(member("u5", neighbourhood_id="z", household_id="h9", municipality_id="m2"))

    assert repo.household_count("n1") == 2
    assert repo.household_counts("m1") == {"n1": 2, "n2": 1}


def test_members_can_be_renamed_and_unlisted(repo):
    repo.add_member(member("u1"))

    assert repo.update_member("u1", first_name="Bea", street="Rue B").first_name == "Bea"
    assert repo.update_member("u1", listed=False).listed is False
    assert repo.get_member("u1").street == "Rue B"
    assert repo.update_member("ghost", listed=False) is None


def test_the_neighbour_list_pages_by_street_then_name_and_skips_unlisted(repo):
    people = [("u1", "Zoe", "Rue A"), ("u2", "Ana", "Rue B"), ("u3", "Ana", "Rue A"),
              ("u4", "Ben", "Rue A"), ("u5", "Cy", "Allée"), ("u6", "Dee", "Rue B")]
    for user_id, name, street in people:
        repo.add_member(member(user_id, first_name=name, street=street))
    repo.update_member("u6", listed=False)
    repo.add_member(member("u7", neighbourhood_id="n2"))

    seen, after = [], None
    while True:
        page = repo.listed_members("n1", after=after, limit=2)
        if not page:
            break
        seen += [(m.street, m.first_name) for m in page]
        after = (page[-1].street, page[-1].first_name, page[-1].user_id)

    assert seen == [("Allée", "Cy"), ("Rue A", "Ana"), ("Rue A", "Ben"), ("Rue A", "Zoe"),
                    ("Rue B", "Ana")]


def test_follows_are_idempotent_and_revocable(repo):
    assert repo.follow("u1", "n2", "2026-11-22T03:00:00+00:00") is True
    assert repo.follow("u1", "n2", "2026-11-22T03:05:00+00:00") is False
    repo.follow("u1", "n3", "2026-11-22T03:10:00+00:00")

    assert repo.follows_of("u1") == [("n2", "2026-11-22T03:00:00+00:00"),
                                     ("n3", "2026-11-22T03:10:00+00:00")]
    assert repo.unfollow("u1", "n2") is True
    assert repo.unfollow("u1", "n2") is False
    assert [n for n, _ in repo.follows_of("u1")] == ["n3"]


def test_removing_a_member_removes_their_follows_and_nobody_else(repo):
    repo.add_member(member("u1"))
    repo.add_member(member("u2"))
    repo.follow("u1", "n2", "2026-11-22T03:00:00+00:00")
    repo.follow("u2", "n2", "2026-11-22T03:00:00+00:00")

    removed = repo.remove_member("u1")

    assert removed.user_id == "u1"
    assert repo.get_member("u1") is None and repo.follows_of("u1") == []
    assert repo.get_member("u2") is not None and len(repo.follows_of("u2")) == 1
    assert repo.remove_member("u1") is None


def test_concurrent_joins_of_one_user_create_one_member(repo):
    contenders = [member("u1", first_name="N%d" % i) for i in range(12)]
    results, failures = [], []
    start = threading.Barrier(len(contenders))

    def join(candidate):
        try:
            start.wait(timeout=10)
            results.append(repo.add_member(candidate))
        except Exception as exc:  # a race must not raise to the handler
            failures.append(exc)

    threads = [threading.Thread(target=join, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert [created for _, created in results].count(True) == 1
    assert len({stored.first_name for stored, _ in results}) == 1
