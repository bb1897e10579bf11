"""Moderation's dependency provider: its repository (the event inbox, idempotency keys and
service-to-service RPC come from servicekit)."""
from servicekit.nameko_extensions import RepositoryProvider
from services.moderation.repository import MongoModeration, SqliteModeration


class Moderation(RepositoryProvider):
    sqlite_adapter = SqliteModeration
    mongo_adapter = MongoModeration
