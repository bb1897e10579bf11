"""Neighbourhood's dependency providers: its repositories (neighbourhoods and members, the
calendar, the organisations map). (The event inbox that makes handlers idempotent and retries
failures comes with QuartierService.)"""
from nameko.extensions import DependencyProvider

from servicekit.nameko_extensions import RepositoryProvider
from services.neighbourhood.calendar_repository import MongoCalendar, SqliteCalendar
from services.neighbourhood.helpers_repository import MongoHelpers, SqliteHelpers
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


# == helpers (issue 8) ===========================================================================
class Helpers(RepositoryProvider):
    """Helper profiles, call-outs and invitations (services.neighbourhood.helpers_repository)."""

    sqlite_adapter = SqliteHelpers
    mongo_adapter = MongoHelpers


class HelperSearch(DependencyProvider):
    """The helper search projection: Elasticsearch when ELASTICSEARCH_URL is set, else the
    embedded tantivy index under var/<service>/helper-index, one per process (tantivy allows one
    writer per index; services.neighbourhood.search.embedded)."""

    def setup(self):
        from services.neighbourhood.search import open_index

        self.index = open_index(self.container.config, self.container.service_name)

    def get_dependency(self, worker_ctx):
        return self.index
