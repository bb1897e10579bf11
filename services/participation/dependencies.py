"""Participation's dependency providers: its repository. (The event inbox and idempotency keys
come from servicekit.)"""
from servicekit.nameko_extensions import RepositoryProvider
from services.participation.repository import MongoParticipation, SqliteParticipation


class Participation(RepositoryProvider):
    sqlite_adapter = SqliteParticipation
    mongo_adapter = MongoParticipation
