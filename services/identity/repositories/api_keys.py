"""API keys by key id (the public part of a key: one primary-key read per authentication), listed
per municipality in creation order. Revoking is a conditional update, so a key is revoked once and
keeps who revoked it first."""
import json

import pymongo

from services.identity.api_keys import ApiKey


class SqliteApiKeys:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS api_keys (
                   key_id TEXT PRIMARY KEY,
                   municipality_id TEXT NOT NULL,
                   created_at REAL NOT NULL,
                   document TEXT NOT NULL)""")
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS api_keys_municipality "
            "ON api_keys (municipality_id, created_at, key_id)")

    def add(self, record):
        self.store.execute(
            "INSERT INTO api_keys (key_id, municipality_id, created_at, document) "
            "VALUES (?, ?, ?, ?)",
            (record.key_id, record.municipality_id, record.created_at,
             json.dumps(record.to_dict())))

    def get(self, key_id):
        row = self.store.execute(
            "SELECT document FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        return ApiKey.from_dict(json.loads(row["document"])) if row else None

    def replace_if_active(self, record):
        """Store `record` (a revocation) unless the key was revoked meanwhile."""
        with self.store.transaction() as connection:
            row = connection.execute(
                "SELECT document FROM api_keys WHERE key_id = ?", (record.key_id,)).fetchone()
            if row is None or json.loads(row["document"]).get("revoked_at") is not None:
                return False
            connection.execute("UPDATE api_keys SET document = ? WHERE key_id = ?",
                               (json.dumps(record.to_dict()), record.key_id))
            return True

    def page(self, municipality_id, after=None, limit=20):
        """Keys in creation order, those after the (created_at, key_id) position `after`."""
        created_at, key_id = after if after else (-1.0, "")
        rows = self.store.execute(
            "SELECT document FROM api_keys WHERE municipality_id = ? AND "
            "(created_at > ? OR (created_at = ? AND key_id > ?)) "
            "ORDER BY created_at, key_id LIMIT ?",
            (municipality_id, created_at, created_at, key_id, limit)).fetchall()
        return [ApiKey.from_dict(json.loads(row["document"])) for row in rows]

    def count(self, municipality_id):
        return self.store.execute(
            "SELECT COUNT(*) FROM api_keys WHERE municipality_id = ?",
            (municipality_id,)).fetchone()[0]


class MongoApiKeys:
    def __init__(self, store):
        self.collection = store.db["api_keys"]
        self.collection.create_index(
            [("municipality_id", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)], name="municipality_created")

    @staticmethod
    def _record(document):
        if document is None:
            return None
        document = dict(document)
        document.pop("_id", None)
        return ApiKey.from_dict(document)

    def add(self, record):
        self.collection.insert_one(dict(record.to_dict(), _id=record.key_id))

    def get(self, key_id):
        return self._record(self.collection.find_one({"_id": key_id}))

    def replace_if_active(self, record):
        result = self.collection.replace_one(
            {"_id": record.key_id, "revoked_at": None}, dict(record.to_dict(), _id=record.key_id))
        return result.matched_count == 1

    def page(self, municipality_id, after=None, limit=20):
        query = {"municipality_id": municipality_id}
        if after:
            created_at, key_id = after
            query["$or"] = [{"created_at": {"$gt": created_at}},
                            {"created_at": created_at, "_id": {"$gt": key_id}}]
        cursor = self.collection.find(query).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]).limit(limit)
        return [self._record(document) for document in cursor]

    def count(self, municipality_id):
        return self.collection.count_documents({"municipality_id": municipality_id})
