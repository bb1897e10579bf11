"""Feed's dependency providers: its repository. (The event inbox, idempotency keys and
service-to-service RPC come from servicekit.)"""
from servicekit.nameko_extensions import RepositoryProvider
from services.feed.repository import MongoPosts, SqlitePosts


class Posts(RepositoryProvider):
    sqlite_adapter = SqlitePosts
    mongo_adapter = MongoPosts
