"""Neighbourhood's dependency providers: its repository. (The event inbox that makes handlers
idempotent and retries failures comes with QuartierService.)"""
from servicekit.nameko_extensions import RepositoryProvider
from services.neighbourhood.repository import MongoNeighbourhoods, SqliteNeighbourhoods


class Neighbourhoods(RepositoryProvider):
    sqlite_adapter = SqliteNeighbourhoods
    mongo_adapter = MongoNeighbourhoods
