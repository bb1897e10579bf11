"""Moderation: watched words, reports, queue, decisions, appeals, audit."""
from contracts import services
from servicekit.nameko_extensions import QuartierService


class ModerationService(QuartierService):
    name = services.MODERATION
