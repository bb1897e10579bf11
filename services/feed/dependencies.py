"""Feed's dependency providers: its repositories (posts; chat; the notifications inbox). (The event
inbox, idempotency keys and service-to-service RPC come from servicekit.)"""
from servicekit.nameko_extensions import RepositoryProvider
from services.feed.chat_repository import MongoChat, SqliteChat
from services.feed.inbox_repository import MongoInbox, SqliteInbox
from services.feed.repository import MongoPosts, SqlitePosts


class Posts(RepositoryProvider):
    sqlite_adapter = SqlitePosts
    mongo_adapter = MongoPosts


# -- chat and the notifications inbox (issue 4) --------------------------------------------------

class Chat(RepositoryProvider):
    sqlite_adapter = SqliteChat
    mongo_adapter = MongoChat


class Inbox(RepositoryProvider):
    sqlite_adapter = SqliteInbox
    mongo_adapter = MongoInbox
