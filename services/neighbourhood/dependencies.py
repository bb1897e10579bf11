"""Neighbourhood's dependency providers: its repositories (neighbourhoods and members, the
calendar, the organisations map). (The event inbox that makes handlers idempotent and retries
failures comes with QuartierService.)"""
from servicekit.nameko_extensions import RepositoryProvider
from services.neighbourhood.calendar_repository import MongoCalendar, SqliteCalendar
from services.neighbourhood.organisations_repository import (
    MongoOrganisations,
    SqliteOrganisations,
)
from services.neighbourhood.repository import MongoNeighbourhoods, SqliteNeighbourhoods


class Neighbourhoods(RepositoryProvider):
    sqlite_adapter = SqliteNeighbourhoods
    mongo_adapter = MongoNeighbourhoods


class Calendar(RepositoryProvider):
    sqlite_adapter = SqliteCalendar
    mongo_adapter = MongoCalendar


class Organisations(RepositoryProvider):
    sqlite_adapter = SqliteOrganisations
    mongo_adapter = MongoOrganisations
