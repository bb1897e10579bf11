"""Providers behind one port: what LibreTranslate and DeepL are sent, configuration, the circuit
breaker's states, and the pure rules (languages, text hash, unsupported targets)."""
import pytest

from contracts import errors
from contracts.errors import DomainError
from services.translation import domain, providers
from tests.translation_server import TranslationServer


class FakeResponse:
    def __init__(self, status, document):
        self.status_code = status
        self._document = document

    def json(self):
        return self._document


class FakeSession:
    def __init__(self, response):
        self.response = response
        self.sent = []

    def post(self, url, **kwargs):
        self.sent.append((url, kwargs))
        return self.response


def test_libretranslate_sends_both_texts_in_one_call():
    with TranslationServer() as server:
        adapter = providers.LibreTranslate(server.url + "/", api_key="k")
        assert adapter.translate(["Titre", "Texte"], "fr", "en", timeout=2) == [
            "[en] Titre", "[en] Texte"]
        assert server.calls == [{"q": ["Titre", "Texte"], "source": "fr", "target": "en",
                                 "format": "text", "api_key": "k"}]
        assert adapter.translate(["", "x"], None, "de", timeout=2) == ["", "[de] x"]
        assert server.calls[-1]["source"] == "auto"  # undetected: the provider guesses


def test_deepl_names_its_languages_and_authenticates():
    session = FakeSession(FakeResponse(200, {"translations": [{"text": "Title"},
                                                              {"text": "Body"}]}))
    adapter = providers.DeepL("https://api.deepl.test", "secret", session=session)
    assert adapter.translate(["Titre", "Corps"], "fr", "en", timeout=1) == ["Title", "Body"]
    url, sent = session.sent[0]
    assert url == "https://api.deepl.test/v2/translate"
    assert sent["json"] == {"text": ["Titre", "Corps"], "target_lang": "EN-GB",
                            "source_lang": "FR"}
    assert sent["headers"]["Authorization"] == "DeepL-Auth-Key secret"
    assert sent["timeout"] == 1
    used_up = providers.DeepL("https://x", "k", session=FakeSession(FakeResponse(456, {})))
    with pytest.raises(providers.ProviderUnavailable):  # its quota: no reader can be served
        used_up.translate(["a"], "fr", "de", timeout=1)
    refused = providers.DeepL("https://x", "k", session=FakeSession(FakeResponse(400, {})))
    with pytest.raises(providers.ProviderRefused):  # this request: no point retrying
        refused.translate(["a"], "xx", "de", timeout=1)


def test_the_provider_is_chosen_by_configuration():
    assert providers.from_config({}) is None
    assert providers.from_config({"TRANSLATION_PROVIDER": ""}) is None
    libre = providers.from_config({"TRANSLATION_PROVIDER": "libretranslate",
                                   "LIBRETRANSLATE_URL": "http://lt:5000",
                                   "TRANSLATION_TIMEOUT_SECONDS": "0.7"})
    deepl = providers.from_config({"TRANSLATION_PROVIDER": "DeepL", "DEEPL_API_KEY": "k"})
    assert (libre.name, libre.timeout, libre.adapter.url) == (
        "libretranslate", 0.7, "http://lt:5000/translate")
    assert deepl.name == "deepl" and deepl.adapter.url.startswith("https://api-free.deepl.com")
    for bad in ({"TRANSLATION_PROVIDER": "libretranslate"},
                {"TRANSLATION_PROVIDER": "deepl"}, {"TRANSLATION_PROVIDER": "google"}):
        with pytest.raises(ValueError):
            providers.from_config(bad)


def test_the_breaker_opens_after_failures_and_lets_one_trial_through():
    now = [100.0]
    breaker = providers.CircuitBreaker(failure_threshold=2, open_seconds=10, clock=lambda: now[0])
    breaker.failed()
    breaker.before_call()  # one failure: still closed
    breaker.failed()
    with pytest.raises(providers.ProviderUnavailable) as raised:
        breaker.before_call()
    assert raised.value.retry_after == 10 and breaker.state == "open"
    now[0] += 10
    breaker.before_call()  # the trial
    with pytest.raises(providers.ProviderUnavailable):
        breaker.before_call()  # others wait while the trial runs
    breaker.succeeded()
    breaker.before_call()
    assert breaker.state == "closed"


def test_outcomes_are_counted_per_call():
    outcomes = []
    failing = providers.LibreTranslate("http://x", session=FakeSession(FakeResponse(500, {})))
    resilient = providers.Resilient(failing, retries=2, backoff=0.01, deadline=5,
                                    on_outcome=lambda p, o: outcomes.append((p, o)),
                                    sleep=lambda s: None)
    with pytest.raises(providers.ProviderUnavailable):
        resilient.translate(["a"], "fr", "de")
    assert outcomes == [("libretranslate", "error")] * 3


def test_languages_are_configuration():
    assert domain.parse_languages(None) == domain.DEFAULT_LANGUAGES
    assert len(domain.DEFAULT_LANGUAGES) == 11
    assert {"fr", "de", "en", "pt", "nl", "it", "es"} <= set(domain.DEFAULT_LANGUAGES)
    assert domain.parse_languages(" FR, de ,de,en") == ("fr", "de", "en")
    with pytest.raises(ValueError):
        domain.parse_languages("fr,german")
    with pytest.raises(DomainError) as raised:
        domain.check_target("zz", ("fr", "de"))
    assert raised.value.code == errors.INVALID
    assert raised.value.details == {"lang": "one of fr, de", "supported": ["fr", "de"]}


def test_the_text_hash_changes_with_any_edit():
    post = {"kind": "post", "id": "p", "title": "ab", "body": "c"}
    assert domain.content_hash(post) == domain.content_hash(dict(post, id="other"))
    assert domain.content_hash(post) != domain.content_hash(dict(post, title="a", body="bc"))
    assert domain.content_hash(post) != domain.content_hash(dict(post, body="c!"))
    with pytest.raises(DomainError):
        domain.check_content({"kind": "chat", "id": "x", "body": ""})
