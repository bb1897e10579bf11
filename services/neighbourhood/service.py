"""Neighbourhood: polygons, membership, following, calendar, organisations, helper profiles."""
from contracts import services
from servicekit.nameko_extensions import QuartierService


class NeighbourhoodService(QuartierService):
    name = services.NEIGHBOURHOOD
