"""Translation: language detection, machine and author-supplied translations, cache."""
from contracts import services
from servicekit.nameko_extensions import QuartierService


class TranslationService(QuartierService):
    name = services.TRANSLATION
