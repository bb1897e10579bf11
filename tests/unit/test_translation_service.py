"""The translation service's rules with a real store and a LibreTranslate-compatible server
started by the test (tests/translation_server.py), without a broker: detection, the original for
its own language, the cache (a hit never calls the provider, an edit is a new text), quotas
(cache hits do not count), unsupported languages, no provider, a provider down or slow (503 with
retry_after, the circuit opens, cached texts still served, recovery without restart)."""
import time

import pytest
from nameko.testing.services import worker_factory
from prometheus_client import REGISTRY

from contracts import errors
from contracts.errors import DomainError
from servicekit.store import SqliteStore
from services.translation import dependencies, domain, providers
from services.translation.dependencies import Translator
from services.translation.detection import Detector
from services.translation.repository import SqliteTranslations
from services.translation.service import TranslationService
from tests.translation_server import TranslationServer

READER = {"user_id": "u1", "role": "resident", "municipality_id": "m1"}
FRENCH = {"kind": "post", "id": "p1", "title": "Fête des voisins",
          "body": "Bonjour à tous, la fête des voisins aura lieu samedi dans la cour de l'école."}


class Direct(Translator):
    # The service runs detection in eventlet's native thread pool; here it runs in place.
    def detect(self, text):
        return self.detector.detect(text)


@pytest.fixture(scope="module")
def detector():
    found = Detector(domain.DEFAULT_LANGUAGES)
    found.warm()
    return found


@pytest.fixture
def server():
    with TranslationServer() as running:
        yield running


def make_service(tmp_path, detector, provider, quota=100):
    translations = SqliteTranslations(SqliteStore(str(tmp_path / "translation.sqlite")))
    translator = Direct(domain.DEFAULT_LANGUAGES, quota, detector, provider)
    return worker_factory(TranslationService, translations=translations, translator=translator)


def libre(server, **options):
    settings = dict(timeout=0.5, retries=1, backoff=0.05, deadline=1.5,
                    breaker=providers.CircuitBreaker(2, 1.0),
                    on_outcome=dependencies.count_provider_call)
    settings.update(options)
    return providers.Resilient(providers.LibreTranslate(server.url), **settings)


def code_of(call):
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def counted(name, labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_french_post_in_german_then_from_the_cache(tmp_path, detector, server):
    service = make_service(tmp_path, detector, libre(server))
    before = [counted("quartier_translation_cache_total", {"result": result})
              for result in ("hit", "miss")] + [counted(
                  "quartier_translation_provider_calls_total",
                  {"provider": "libretranslate", "outcome": "success"})]

    first = service.translate(READER, dict(FRENCH), "de")
    second = service.translate(READER, dict(FRENCH), "de")
    after = [counted("quartier_translation_cache_total", {"result": result})
             for result in ("hit", "miss")] + [counted(
                 "quartier_translation_provider_calls_total",
                 {"provider": "libretranslate", "outcome": "success"})]

    assert first == second == {
        "id": "p1", "kind": "post", "post_id": "p1", "lang": "de", "source": "fr",
        "machine": True, "title": "Nachbarschaftsfest",
        "body": "Hallo zusammen, das Nachbarschaftsfest findet am Samstag im Schulhof statt.",
        "original": {"lang": "fr", "title": FRENCH["title"], "body": FRENCH["body"]}}
    assert server.call_count == 1  # the second came from the cache
    assert [a - b for a, b in zip(after, before)] == [1, 1, 1]  # hit, miss, provider success
    assert server.calls[0]["source"] == "fr" and server.calls[0]["target"] == "de"
    # Its own language: the original, no call.
    same = service.translate(READER, dict(FRENCH), "fr")
    assert (same["machine"], same["body"], server.call_count) == (False, FRENCH["body"], 1)


def test_an_edit_is_translated_again_and_comments_have_no_title(tmp_path, detector, server):
    service = make_service(tmp_path, detector, libre(server))
    service.translate(READER, dict(FRENCH), "de")
    edited = service.translate(READER, dict(FRENCH, body="Bonjour, la fête est annulée."), "de")
    comment = service.translate(READER, {"kind": "comment", "id": "c1",
                                         "body": "Wir kommen gern mit Kuchen!"}, "en")

    # The edit is a new text: translated again (the comment is the third call).
    assert edited["body"] == "[de] Bonjour, la fête est annulée." and server.call_count == 3
    assert comment["comment_id"] == "c1" and comment["source"] == "de"
    assert "title" not in comment and comment["body"] == "[en] Wir kommen gern mit Kuchen!"


def test_the_authors_declared_language_wins_over_detection(tmp_path, detector, server):
    service = make_service(tmp_path, detector, libre(server))
    found = service.translate(READER, dict(FRENCH, language="it"), "de")
    assert found["source"] == "it" and server.calls[0]["source"] == "it"


def test_an_unsupported_language_lists_the_supported_ones(tmp_path, detector, server):
    service = make_service(tmp_path, detector, libre(server))
    error = code_of(lambda: service.translate(READER, dict(FRENCH), "zz"))
    assert error.code == errors.INVALID
    assert error.details["supported"] == list(domain.DEFAULT_LANGUAGES)
    assert server.call_count == 0


def test_the_daily_quota_counts_new_translations_only(tmp_path, detector, server):
    service = make_service(tmp_path, detector, libre(server), quota=3)
    texts = [dict(FRENCH, id="p%d" % n, body="Texte numéro %d du quartier" % n)
             for n in range(3)]
    for text in texts:
        service.translate(READER, text, "de")
    cached_again = service.translate(READER, texts[0], "de")  # a hit does not count
    error = code_of(lambda: service.translate(READER, dict(FRENCH, id="p9"), "de"))
    other_reader = service.translate(dict(READER, user_id="u2"), dict(FRENCH, id="p9"), "de")

    assert cached_again["machine"] is True
    assert error.code == errors.RATE_LIMITED and error.details["limit"] == 3
    assert 0 < error.details["retry_after"] <= 86400
    assert other_reader["machine"] is True
    assert server.call_count == 4


def test_without_a_provider_machine_translation_is_unavailable(tmp_path, detector):
    service = make_service(tmp_path, detector, None)
    error = code_of(lambda: service.translate(READER, dict(FRENCH), "de"))
    original = service.translate(READER, dict(FRENCH), "fr")
    assert error.code == errors.UNAVAILABLE and "no machine translation provider" in error.message
    assert original["machine"] is False


def test_a_provider_down_or_slow_opens_the_circuit_and_comes_back(tmp_path, detector, server):
    breaker_time = [0.0]  # the breaker's clock, moved by the test instead of sleeping
    breaker = providers.CircuitBreaker(2, 1.0, clock=lambda: breaker_time[0])
    service = make_service(tmp_path, detector, libre(server, breaker=breaker))
    cached = service.translate(READER, dict(FRENCH), "de")
    outcomes = ("error", "unavailable")
    counts_before = [counted("quartier_translation_provider_calls_total",
                             {"provider": "libretranslate", "outcome": o}) for o in outcomes]
    server.down = True
    started = time.monotonic()
    down = code_of(lambda: service.translate(READER, dict(FRENCH, id="p2", body="Autre"), "de"))
    answered_in = time.monotonic() - started
    calls_when_down = server.call_count
    server.down, server.delay = False, 5.0  # slow now: the timeout, then the open circuit
    slow = code_of(lambda: service.translate(READER, dict(FRENCH, id="p3", body="Lent"), "de"))
    open_now = code_of(lambda: service.translate(READER, dict(FRENCH, id="p4", body="X"), "de"))
    still_cached = service.translate(READER, dict(FRENCH), "de")
    calls_while_open = server.call_count
    server.delay = 0.0
    breaker_time[0] += 1.1  # past the open period: the next call is the trial
    back = service.translate(READER, dict(FRENCH, id="p5", body="Revenu"), "de")
    counts_after = [counted("quartier_translation_provider_calls_total",
                            {"provider": "libretranslate", "outcome": o}) for o in outcomes]

    assert down.code == errors.UNAVAILABLE and down.details["retry_after"] >= 1
    assert answered_in < 1.5 and calls_when_down == 1 + 2  # one try and one retry
    assert slow.code == errors.UNAVAILABLE and open_now.code == errors.UNAVAILABLE
    # The slow provider was tried twice (second failure in a row: the circuit opens), then the
    # open circuit called nobody.
    assert calls_while_open == calls_when_down + 2
    assert still_cached == cached
    assert back["body"] == "[de] Revenu"
    # Four failed attempts (two down, two slow); one call refused by the open circuit.
    assert [a - b for a, b in zip(counts_after, counts_before)] == [4, 1]
    # Failed attempts gave their quota back.
    assert service.translations.quota_used("u1", domain.quota_day()) == 2


def test_a_language_pair_the_provider_refuses_leaves_the_circuit_closed(tmp_path, detector,
                                                                        server):
    service = make_service(tmp_path, detector, libre(server))
    server.refused_targets = {"lb"}
    refusals = [code_of(lambda: service.translate(READER, dict(FRENCH), "lb")) for _ in range(3)]
    german = service.translate(READER, dict(FRENCH), "de")

    assert [r.code for r in refusals] == [errors.UNPROCESSABLE] * 3
    assert "into lb" in refusals[0].message
    assert server.call_count == 4  # never retried, and German still reaches the provider
    assert german["machine"] is True
    assert service.translations.quota_used("u1", domain.quota_day()) == 1


def test_a_deleted_post_takes_its_translations_and_an_erased_reader_their_counts(
        tmp_path, detector, server):
    service = make_service(tmp_path, detector, libre(server))
    service.translate(READER, dict(FRENCH), "de")
    exported = service.export_user(READER)

    service.on_post_deleted.handle_directly(service, {"post_id": "p1"})
    service.on_user_erased.handle_directly(service, {"user_id": "u1"})
    again = service.translate(dict(READER, user_id="u2"), dict(FRENCH), "de")

    assert exported == {"machine_translations_per_day": [{"day": domain.quota_day(),
                                                          "used": 1}]}
    assert service.export_user(READER) == {"machine_translations_per_day": []}
    assert again["machine"] is True and server.call_count == 2  # not served from a cache
    assert code_of(lambda: service.export_user({"user_id": "system", "role": "system"})
                   ).code == errors.FORBIDDEN
