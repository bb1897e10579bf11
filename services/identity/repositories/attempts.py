"""Failed attempts per key (an account's e-mail, a client's address), counted in a sliding
window. Kept in identity's store so every gateway process and every identity instance counts
together."""
from datetime import datetime, timezone

import pymongo

# Attempts older than this are of no use to any window and are dropped.
KEEP_SECONDS = 24 * 3600


class SqliteAttempts:
    def __init__(self, store):
        self.store = store
        self.store.execute("CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL)")
        self.store.execute("CREATE INDEX IF NOT EXISTS attempts_key_at ON attempts (key, at)")
        self.store.execute("CREATE INDEX IF NOT EXISTS attempts_at ON attempts (at)")

    def record(self, key, at):
        self.store.execute("INSERT INTO attempts (key, at) VALUES (?, ?)", (key, at))
        self.store.execute("DELETE FROM attempts WHERE at < ?", (at - KEEP_SECONDS,))

    def window(self, key, since):
        """(attempts since `since`, the time of the oldest of them or None)."""
        row = self.store.execute(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM attempts WHERE key = ? AND at > ?",
            (key, since)).fetchone()
        return row["n"], row["oldest"]

    def clear(self, key):
        self.store.execute("DELETE FROM attempts WHERE key = ?", (key,))


class MongoAttempts:
    def __init__(self, store):
        self.collection = store.db["attempts"]
        self.collection.create_index([("key", pymongo.ASCENDING), ("at", pymongo.ASCENDING)],
                                     name="key_at")
        # MongoDB drops old attempts by itself.
        self.collection.create_index([("expire_at", pymongo.ASCENDING)], expireAfterSeconds=0,
                                     name="expire")

    def record(self, key, at):
        self.collection.insert_one({
            "key": key, "at": at,
            "expire_at": datetime.fromtimestamp(at + KEEP_SECONDS, timezone.utc),
        })

    def window(self, key, since):
        query = {"key": key, "at": {"$gt": since}}
        count = self.collection.count_documents(query)
        if not count:
            return 0, None
        oldest = self.collection.find(query).sort("at", pymongo.ASCENDING).limit(1)
        return count, next(iter(oldest))["at"]

    def clear(self, key):
        self.collection.delete_many({"key": key})
