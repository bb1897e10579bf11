"""Participation: surveys, initiatives, participatory budgets, incident reports."""
from contracts import services
from servicekit.nameko_extensions import QuartierService


class ParticipationService(QuartierService):
    name = services.PARTICIPATION
