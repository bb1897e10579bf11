"""Translation's dependency providers: its repository and the translator (configured languages,
the detector, the provider with its circuit breaker), built once per process."""
import logging

import eventlet
from eventlet import tpool
from nameko.extensions import DependencyProvider

from servicekit import metrics
from servicekit.nameko_extensions import RepositoryProvider
from services.translation import domain, providers
from services.translation.detection import Detector
from services.translation.repository import MongoTranslations, SqliteTranslations

log = logging.getLogger(__name__)


class Translations(RepositoryProvider):
    sqlite_adapter = SqliteTranslations
    mongo_adapter = MongoTranslations


def count_provider_call(provider, outcome):
    metrics.TRANSLATION_PROVIDER_CALLS.labels(provider, outcome).inc()


class Translator:
    """What a worker uses: languages, quota, detection (in a native thread) and the provider
    (None when none is configured)."""

    def __init__(self, languages, daily_quota, detector, provider):
        self.languages = languages
        self.daily_quota = daily_quota
        self.detector = detector
        self.provider = provider

    def detect(self, text):
        # CPU-bound Rust: run it off the hub so other workers (and heartbeats) keep going.
        return tpool.execute(self.detector.detect, text)


class TranslatorProvider(DependencyProvider):
    def setup(self):
        config = self.container.config
        languages = domain.parse_languages(config.get("TRANSLATION_LANGUAGES"))
        quota = int(config.get("TRANSLATION_DAILY_QUOTA") or domain.DEFAULT_DAILY_QUOTA)
        provider = providers.from_config(config, on_outcome=count_provider_call)
        self.translator = Translator(languages, quota, Detector(languages), provider)
        log.info("translation: languages %s, provider %s, %d per user per day",
                 ",".join(languages), provider.name if provider else "none", quota)

    def start(self):
        # Load the language models now (about 2 s in a native thread) rather than in the first
        # reader's request.
        eventlet.spawn_n(tpool.execute, self.translator.detector.warm)

    def get_dependency(self, worker_ctx):
        return self.translator
