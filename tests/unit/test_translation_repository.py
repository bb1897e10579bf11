"""The translation store's contract, held by both adapters (sqlite, mongomock, real MongoDB):
detected languages per content and text, the cache keyed by text hash + language, and daily
quotas that never go past their limit."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from servicekit.store import repository_for
from services.translation.repository import MongoTranslations, SqliteTranslations


@pytest.fixture
def translations(store):
    return repository_for(store, SqliteTranslations, MongoTranslations)


def test_a_contents_language_follows_its_text(translations):
    assert translations.source("post:p1") is None
    translations.set_source("post:p1", "h1", "fr")
    translations.set_source("post:p1", "h2", "de")  # edited: the new text's language
    translations.set_source("comment:c1", "h3", None)  # undecidable is remembered too

    assert translations.source("post:p1") == ("h2", "de")
    assert translations.source("comment:c1") == ("h3", None)
    translations.forget_source("post:p1")
    assert translations.source("post:p1") is None


def test_the_cache_is_per_text_and_language(translations):
    translations.put_cached("h1", "de", "Titel", "Text", "libretranslate")
    translations.put_cached("h1", "en", "Title", "Text en", "libretranslate")
    translations.put_cached("h1", "de", "Titel 2", "Text 2", "deepl")  # last one stays

    assert translations.cached("h1", "de") == {"title": "Titel 2", "body": "Text 2"}
    assert translations.cached("h1", "en") == {"title": "Title", "body": "Text en"}
    assert translations.cached("h2", "de") is None  # an edited text is another text
    assert translations.cached("h1", "pt") is None


def test_a_quota_stops_at_its_limit_per_user_and_day(translations):
    taken = [translations.take_quota("u1", "2026-11-22", 3) for _ in range(5)]
    other_user = translations.take_quota("u2", "2026-11-22", 3)
    next_day = translations.take_quota("u1", "2026-11-23", 3)

    assert taken == [True, True, True, False, False]
    assert other_user and next_day
    assert translations.quota_used("u1", "2026-11-22") == 3
    translations.give_back_quota("u1", "2026-11-22")  # a failed provider call does not count
    assert translations.quota_used("u1", "2026-11-22") == 2
    assert translations.take_quota("u1", "2026-11-22", 3) is True
    assert translations.take_quota("u9", "2026-11-22", 0) is False
    translations.give_back_quota("nobody", "2026-11-22")
    assert translations.quota_used("nobody", "2026-11-22") == 0


def test_concurrent_takes_never_overshoot(translations, store):
    if store.kind == "mongo" and type(store.client).__module__.startswith("mongomock"):
        pytest.skip("mongomock does not serialise concurrent writers")
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: translations.take_quota("u1", "d", 10), range(40)))
    assert taken.count(True) == 10
    assert translations.quota_used("u1", "d") == 10


def test_a_deleted_text_and_an_erased_user_are_forgotten(translations):
    translations.put_cached("h1", "de", "Titel", "Text", "libretranslate")
    translations.put_cached("h1", "en", "Title", "Text", "libretranslate")
    translations.put_cached("h2", "de", "Andere", "Text", "libretranslate")
    for day in ("2026-11-22", "2026-11-21", "2026-11-22"):
        translations.take_quota("u1", day, 10)
    translations.take_quota("u2", "2026-11-22", 10)

    assert translations.quotas_of("u1") == [{"day": "2026-11-21", "used": 1},
                                            {"day": "2026-11-22", "used": 2}]
    translations.forget_text("h1")
    translations.forget_user("u1")

    assert translations.cached("h1", "de") is None and translations.cached("h1", "en") is None
    assert translations.cached("h2", "de") == {"title": "Andere", "body": "Text"}
    assert translations.quotas_of("u1") == [] and translations.quota_used("u2", "2026-11-22") == 1


def test_an_erased_author_s_texts_and_a_deleted_post_s_versions_leave_the_cache(translations):
    translations.put_cached("v1", "de", "T", "first version", "libretranslate",
                            content_key="post:p1", author_id="u1")
    translations.put_cached("v2", "de", "T", "second version", "libretranslate",
                            content_key="post:p1", author_id="u1")
    translations.put_cached("c1", "de", "", "her comment", "libretranslate",
                            content_key="comment:c1", author_id="u1")
    translations.put_cached("o1", "de", "", "someone else", "libretranslate",
                            content_key="comment:c2", author_id="u2")
    translations.put_cached("a1", "de", "", "announcement", "deepl")  # no origin given

    translations.forget_content("post:p1")
    assert translations.cached("v1", "de") is None and translations.cached("v2", "de") is None
    assert translations.cached("c1", "de") is not None

    translations.forget_author("u1")
    translations.forget_author("u1")  # idempotent
    assert translations.cached("c1", "de") is None
    assert translations.cached("o1", "de") == {"title": "", "body": "someone else"}
    assert translations.cached("a1", "de") is not None
