"""Refresh tokens (by hash) and their chains. Spending a token is a conditional update, so of two
concurrent refreshes with the same token exactly one wins.

Ended chains are also listed with the time they ended (`revoked_since`): gateways poll that list
to refuse the chain's access tokens before they expire. Entries older than a day serve nobody
(access tokens live 15 minutes) and are dropped."""
from datetime import datetime, timezone

import pymongo
from pymongo.errors import DuplicateKeyError

from services.identity.sessions import ACTIVE, REVOKED, ROTATED, RefreshToken

KEEP_REVOKED_SECONDS = 24 * 3600
_FIELDS = ("token_hash", "family_id", "user_id", "status", "issued_at", "expires_at", "spent_at")


class SqliteSessions:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS refresh_tokens (
                   token_hash TEXT PRIMARY KEY,
                   family_id TEXT NOT NULL,
                   user_id TEXT NOT NULL,
                   status TEXT NOT NULL,
                   issued_at REAL NOT NULL,
                   expires_at REAL NOT NULL,
                   spent_at REAL)""")
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id)")
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id)")
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS revoked_sessions (
                   family_id TEXT PRIMARY KEY,
                   revoked_at REAL NOT NULL)""")
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS revoked_sessions_at ON revoked_sessions (revoked_at)")

    def add(self, record):
        self.store.execute(
            "INSERT INTO refresh_tokens (%s) VALUES (?, ?, ?, ?, ?, ?, ?)" % ", ".join(_FIELDS),
            tuple(getattr(record, name) for name in _FIELDS))

    def get(self, token_hash):
        row = self.store.execute(
            "SELECT * FROM refresh_tokens WHERE token_hash = ?", (token_hash,)).fetchone()
        return RefreshToken(**dict(row)) if row else None

    def spend(self, token_hash, now):
        cursor = self.store.execute(
            "UPDATE refresh_tokens SET status = ?, spent_at = ? "
            "WHERE token_hash = ? AND status = ? AND expires_at > ?",
            (ROTATED, now, token_hash, ACTIVE, now))
        return cursor.rowcount == 1

    def revoke_family(self, family_id, at):
        with self.store.transaction() as connection:
            connection.execute(
                "UPDATE refresh_tokens SET status = ? WHERE family_id = ?", (REVOKED, family_id))
            connection.execute(
                "INSERT OR IGNORE INTO revoked_sessions (family_id, revoked_at) VALUES (?, ?)",
                (family_id, at))
            connection.execute("DELETE FROM revoked_sessions WHERE revoked_at < ?",
                               (at - KEEP_REVOKED_SECONDS,))

    def revoke_user(self, user_id, at):
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT OR IGNORE INTO revoked_sessions (family_id, revoked_at) "
                "SELECT DISTINCT family_id, ? FROM refresh_tokens "
                "WHERE user_id = ? AND status != ?", (at, user_id, REVOKED))
            connection.execute(
                "UPDATE refresh_tokens SET status = ? WHERE user_id = ?", (REVOKED, user_id))

    def forget_user(self, user_id):
        """Erasure, after revoke_user: the person's refresh-token records go (the revoked chain
        ids, which name no one, stay for the gateway's revocation list)."""
        self.store.execute("DELETE FROM refresh_tokens WHERE user_id = ?", (user_id,))

    def revoked_since(self, since):
        """Ids of the chains that ended after `since`."""
        rows = self.store.execute(
            "SELECT family_id FROM revoked_sessions WHERE revoked_at > ? ORDER BY revoked_at",
            (since,)).fetchall()
        return [row["family_id"] for row in rows]

    def family_revoked(self, family_id):
        row = self.store.execute(
            "SELECT 1 FROM refresh_tokens WHERE family_id = ? AND status = ? LIMIT 1",
            (family_id, REVOKED)).fetchone()
        return row is not None

    def of_user(self, user_id):
        rows = self.store.execute(
            "SELECT * FROM refresh_tokens WHERE user_id = ? ORDER BY issued_at",
            (user_id,)).fetchall()
        return [RefreshToken(**dict(row)) for row in rows]


class MongoSessions:
    def __init__(self, store):
        self.collection = store.db["refresh_tokens"]
        self.collection.create_index([("family_id", pymongo.ASCENDING)], name="family")
        self.collection.create_index([("user_id", pymongo.ASCENDING)], name="user")
        self.revoked = store.db["revoked_sessions"]
        self.revoked.create_index([("revoked_at", pymongo.ASCENDING)], name="revoked_at")
        self.revoked.create_index([("expire_at", pymongo.ASCENDING)], expireAfterSeconds=0,
                                  name="expire")

    @staticmethod
    def _record(document):
        if document is None:
            return None
        return RefreshToken(**{name: document.get(name) for name in _FIELDS})

    def add(self, record):
        try:
            self.collection.insert_one(dict(record.to_dict(), _id=record.token_hash))
        except DuplicateKeyError:
            raise ValueError("refresh token hash collision") from None

    def get(self, token_hash):
        return self._record(self.collection.find_one({"_id": token_hash}))

    def spend(self, token_hash, now):
        result = self.collection.update_one(
            {"_id": token_hash, "status": ACTIVE, "expires_at": {"$gt": now}},
            {"$set": {"status": ROTATED, "spent_at": now}})
        return result.modified_count == 1

    def _record_revoked(self, family_id, at):
        # $setOnInsert: a chain revoked twice keeps the time it first ended.
        self.revoked.update_one(
            {"_id": family_id},
            {"$setOnInsert": {"revoked_at": at, "expire_at": datetime.fromtimestamp(
                at + KEEP_REVOKED_SECONDS, timezone.utc)}},
            upsert=True)

    def revoke_family(self, family_id, at):
        self._record_revoked(family_id, at)
        self.collection.update_many({"family_id": family_id}, {"$set": {"status": REVOKED}})

    def revoke_user(self, user_id, at):
        for family_id in self.collection.distinct(
                "family_id", {"user_id": user_id, "status": {"$ne": REVOKED}}):
            self._record_revoked(family_id, at)
        self.collection.update_many({"user_id": user_id}, {"$set": {"status": REVOKED}})

    def forget_user(self, user_id):
        self.collection.delete_many({"user_id": user_id})

    def revoked_since(self, since):
        cursor = self.revoked.find({"revoked_at": {"$gt": since}}).sort(
            "revoked_at", pymongo.ASCENDING)
        return [document["_id"] for document in cursor]

    def family_revoked(self, family_id):
        return self.collection.find_one({"family_id": family_id, "status": REVOKED}) is not None

    def of_user(self, user_id):
        cursor = self.collection.find({"user_id": user_id}).sort("issued_at", pymongo.ASCENDING)
        return [self._record(document) for document in cursor]
