"""Machine translation behind one port: `provider.translate(texts, source, target) -> texts`.

Adapters: LibreTranslate's HTTP API (POST /translate) and DeepL's API (POST /v2/translate). Both
go through `Resilient`: a timeout per attempt, retries with exponential backoff inside one
overall deadline (the reader's request must be answered before the gateway gives up), and a
circuit breaker: after `failure_threshold` failed calls in a row the provider is not called for
`open_seconds`; then one trial call decides (success closes it, failure opens it again). A
provider that is down therefore costs readers one fast 503 with Retry-After, not a timeout
each, and it is used again as soon as it answers, without a restart."""
import logging
import threading
import time

import requests

log = logging.getLogger(__name__)


class ProviderUnavailable(Exception):
    """The provider did not translate (down, slow, refused, or the circuit is open).
    `retry_after`: seconds after which trying again makes sense."""

    def __init__(self, message, retry_after=1):
        super().__init__(message)
        self.retry_after = max(1, int(round(retry_after)))


class ProviderRefused(Exception):
    """The provider answered but will not translate this (a 4xx such as a language pair it does
    not offer): retrying cannot help, and the provider is up, so the circuit stays closed."""


# 4xx answers that are not about this request: "not now" (408, 425, 429, DeepL's 456 for a used-up
# character quota) or a key the operator must fix (401, 403). No reader can be served meanwhile:
# retried, counted against the circuit, and 503.
_TRANSIENT = {401, 403, 408, 425, 429, 456}


def _check_status(name, status):
    if status == 200:
        return
    if 400 <= status < 500 and status not in _TRANSIENT:
        raise ProviderRefused("%s refused the request (%d)" % (name, status))
    raise ProviderUnavailable("%s answered %d" % (name, status))


class LibreTranslate:
    name = "libretranslate"

    def __init__(self, url, api_key=None, session=None):
        self.url = url.rstrip("/") + "/translate"
        self.api_key = api_key
        self.session = session or requests.Session()

    def translate(self, texts, source, target, timeout):
        body = {"q": list(texts), "source": source or "auto", "target": target,
                "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        response = self.session.post(self.url, json=body, timeout=timeout)
        _check_status(self.name, response.status_code)
        translated = response.json().get("translatedText")
        if isinstance(translated, str):
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise ProviderUnavailable("libretranslate answered an unexpected document")
        return translated


class DeepL:
    name = "deepl"
    # DeepL names a few targets with a region; the rest are the upper-cased ISO code.
    TARGETS = {"en": "EN-GB", "pt": "PT-PT"}

    def __init__(self, url, api_key, session=None):
        self.url = url.rstrip("/") + "/v2/translate"
        self.api_key = api_key
        self.session = session or requests.Session()

    def translate(self, texts, source, target, timeout):
        body = {"text": list(texts), "target_lang": self.TARGETS.get(target, target.upper())}
        if source:
            body["source_lang"] = source.upper()
        response = self.session.post(
            self.url, json=body, timeout=timeout,
            headers={"Authorization": "DeepL-Auth-Key %s" % self.api_key})
        _check_status(self.name, response.status_code)
        translated = [item.get("text") for item in response.json().get("translations", [])]
        if len(translated) != len(texts) or not all(isinstance(t, str) for t in translated):
            raise ProviderUnavailable("deepl answered an unexpected document")
        return translated


class CircuitBreaker:
    def __init__(self, failure_threshold=3, open_seconds=10.0, clock=time.monotonic):
        self.failure_threshold = failure_threshold
        self.open_seconds = open_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at = None
        self._lock = threading.Lock()

    def before_call(self):
        """Raise while open; after `open_seconds` let one trial call through (half-open)."""
        with self._lock:
            if self.opened_at is None:
                return
            waited = self.clock() - self.opened_at
            if waited < self.open_seconds:
                raise ProviderUnavailable("translation provider unavailable (circuit open)",
                                          retry_after=self.open_seconds - waited)
            # Half-open: this call is the trial; others wait for a full period again.
            self.opened_at = self.clock()

    def succeeded(self):
        with self._lock:
            self.failures = 0
            self.opened_at = None

    def failed(self):
        with self._lock:
            self.failures += 1
            if self.failures >= self.failure_threshold or self.opened_at is not None:
                self.opened_at = self.clock()

    @property
    def state(self):
        return "closed" if self.opened_at is None else "open"


class Resilient:
    """Timeouts, retries with backoff within a deadline, and the circuit breaker around one
    adapter. Counts every call in `on_outcome(provider, outcome)`."""

    def __init__(self, adapter, timeout=2.0, retries=2, backoff=0.2, deadline=4.0,
                 breaker=None, on_outcome=None, sleep=time.sleep, clock=time.monotonic):
        self.adapter = adapter
        self.name = adapter.name
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.deadline = deadline
        self.breaker = breaker or CircuitBreaker()
        self.on_outcome = on_outcome or (lambda provider, outcome: None)
        self.sleep = sleep
        self.clock = clock

    def translate(self, texts, source, target):
        try:
            self.breaker.before_call()
        except ProviderUnavailable:
            self.on_outcome(self.name, "unavailable")
            raise
        ends = self.clock() + self.deadline
        attempt = 0
        while True:
            left = ends - self.clock()
            try:
                if left <= 0:
                    raise ProviderUnavailable("translation provider too slow")
                translated = self.adapter.translate(texts, source, target,
                                                    timeout=min(self.timeout, left))
            except ProviderRefused:
                self.breaker.succeeded()  # it answered: up, just unwilling
                self.on_outcome(self.name, "error")
                raise
            except (requests.RequestException, ValueError, ProviderUnavailable) as exc:
                self.on_outcome(self.name, "error")
                pause = self.backoff * (2 ** attempt)
                if attempt >= self.retries or self.clock() + pause >= ends:
                    self.breaker.failed()
                    log.warning("translation provider %s failed: %s", self.name, exc)
                    raise ProviderUnavailable(
                        "translation provider unavailable",
                        retry_after=self.breaker.open_seconds) from exc
                attempt += 1
                self.sleep(pause)
                continue
            self.breaker.succeeded()
            self.on_outcome(self.name, "success")
            return translated


def from_config(config, on_outcome=None):
    """The configured provider (TRANSLATION_PROVIDER: libretranslate, deepl, or empty for
    none), or None: then only author-supplied texts and originals are served."""
    kind = (config.get("TRANSLATION_PROVIDER") or "").strip().lower()
    if not kind or kind == "none":
        return None
    if kind == "libretranslate":
        url = config.get("LIBRETRANSLATE_URL")
        if not url:
            raise ValueError("TRANSLATION_PROVIDER=libretranslate needs LIBRETRANSLATE_URL")
        adapter = LibreTranslate(url, config.get("LIBRETRANSLATE_API_KEY") or None)
    elif kind == "deepl":
        key = config.get("DEEPL_API_KEY")
        if not key:
            raise ValueError("TRANSLATION_PROVIDER=deepl needs DEEPL_API_KEY")
        adapter = DeepL(config.get("DEEPL_URL") or "https://api-free.deepl.com", key)
    else:
        raise ValueError("TRANSLATION_PROVIDER: libretranslate, deepl or empty, not %r" % kind)
    breaker = CircuitBreaker(int(config.get("TRANSLATION_BREAKER_FAILURES", 3)),
                             float(config.get("TRANSLATION_BREAKER_OPEN_SECONDS", 10)))
    return Resilient(adapter, timeout=float(config.get("TRANSLATION_TIMEOUT_SECONDS", 1.5)),
                     retries=int(config.get("TRANSLATION_RETRIES", 2)),
                     backoff=float(config.get("TRANSLATION_BACKOFF_SECONDS", 0.2)),
                     deadline=float(config.get("TRANSLATION_DEADLINE_SECONDS", 3)),
                     breaker=breaker, on_outcome=on_outcome)
