"""The Municipalities repository contract, run on every adapter (SQLite, mongomock, real MongoDB
when MONGO_URI is set) through the shared `store` fixture."""
import threading

import pytest

from servicekit.store import repository_for
from services.identity import domain
from services.identity.repository import MongoMunicipalities, SqliteMunicipalities


@pytest.fixture
def municipalities(store):
    return repository_for(store, SqliteMunicipalities, MongoMunicipalities)


def make(slug, name=None, **overrides):
    return domain.new_municipality(slug, name or slug.replace("-", " ").title(), **overrides)


def test_added_municipality_is_found_by_id_and_by_slug(municipalities):
    esch = make("esch-sur-alzette", "Esch-sur-Alzette", activation_threshold=12,
                languages=["fr", "lb", "pt"])

    stored, created = municipalities.add(esch)

    assert created is True
    assert stored == esch
    assert municipalities.get(esch.id) == esch
    assert municipalities.by_slug("esch-sur-alzette") == esch
    # Every field survives the round trip, including the language order (first = default).
    assert municipalities.get(esch.id).languages == ("fr", "lb", "pt")
    assert municipalities.get(esch.id).activation_threshold == 12


def test_adding_an_existing_slug_returns_the_stored_municipality_and_creates_nothing(
        municipalities):
    first = make("dudelange")
    municipalities.add(first)
    replay = make("dudelange")  # a fresh id, as a replayed create would carry

    stored, created = municipalities.add(replay)

    assert created is False
    assert stored == first
    assert municipalities.get(replay.id) is None
    assert [m.id for m in municipalities.page(limit=10)] == [first.id]


def test_unknown_id_and_slug_are_none(municipalities):
    municipalities.add(make("differdange"))

    assert municipalities.get("0" * 32) is None
    assert municipalities.by_slug("nowhere") is None


def test_page_is_ordered_by_slug(municipalities):
    for slug in ("wiltz", "clervaux", "mersch", "beaufort", "vianden"):
        municipalities.add(make(slug))

    assert [m.slug for m in municipalities.page(limit=10)] == [
        "beaufort", "clervaux", "mersch", "vianden", "wiltz",
    ]
    assert [m.slug for m in municipalities.page(limit=2)] == ["beaufort", "clervaux"]


def test_paging_after_the_last_slug_visits_every_municipality_once(municipalities):
    slugs = ["commune-%02d" % i for i in range(23)]
    for slug in reversed(slugs):  # insertion order must not matter
        municipalities.add(make(slug))

    seen, after, pages = [], None, 0
    while True:
        page = municipalities.page(after_slug=after, limit=5)
        pages += 1
        if not page:
            break
        seen.extend(m.slug for m in page)
        after = page[-1].slug

    assert seen == slugs  # no duplicates, no gaps, in order
    assert pages == 6  # 5 full pages, one short page, then the empty answer


def test_a_municipality_added_between_pages_shows_up_in_its_place(municipalities):
    for slug in ("alpha", "charlie", "echo"):
        municipalities.add(make(slug))
    first = municipalities.page(limit=2)

    municipalities.add(make("bravo"))  # sorts before the cursor: must not shift later pages
    municipalities.add(make("delta"))  # sorts after it: must appear

    rest = municipalities.page(after_slug=first[-1].slug, limit=10)
    assert [m.slug for m in first] == ["alpha", "charlie"]
    assert [m.slug for m in rest] == ["delta", "echo"]


def test_page_of_an_empty_repository_is_empty(municipalities):
    assert municipalities.page(limit=5) == []
    assert municipalities.page(after_slug="anything", limit=5) == []


def test_concurrent_adds_of_one_slug_create_exactly_one(municipalities):
    contenders = [make("bettembourg") for _ in range(20)]
    results = [None] * len(contenders)
    errors = []
    start = threading.Barrier(len(contenders))

    def add(index):
        try:
            start.wait(timeout=10)
            results[index] = municipalities.add(contenders[index])
        except Exception as exc:  # surfaced below: a race must not raise to the caller
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(contenders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    created = [stored for stored, was_created in results if was_created]
    assert len(created) == 1
    winner = created[0]
    assert {stored.id for stored, _ in results} == {winner.id}
    assert municipalities.by_slug("bettembourg") == winner
    assert [m.id for m in municipalities.page(limit=50)] == [winner.id]
