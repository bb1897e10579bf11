"""Municipalities: the tenants of the platform. One port, two adapters (SQLite, MongoDB), held to
the same contract by tests/unit/repositories."""
import json
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from services.identity.domain import Municipality


class SqliteMunicipalities:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS municipalities (
                   id TEXT PRIMARY KEY,
                   slug TEXT NOT NULL UNIQUE,
                   document TEXT NOT NULL)"""
        )

    def add(self, municipality):
        """Insert unless the slug exists; return (stored municipality, created?)."""
        try:
            self.store.execute(
                "INSERT INTO municipalities (id, slug, document) VALUES (?, ?, ?)",
                (municipality.id, municipality.slug, json.dumps(municipality.to_dict())),
            )
            return municipality, True
        except sqlite3.IntegrityError:
            return self.by_slug(municipality.slug), False

    def get(self, municipality_id):
        row = self.store.execute(
            "SELECT document FROM municipalities WHERE id = ?", (municipality_id,)
        ).fetchone()
        return Municipality.from_dict(json.loads(row["document"])) if row else None

    def by_slug(self, slug):
        row = self.store.execute(
            "SELECT document FROM municipalities WHERE slug = ?", (slug,)
        ).fetchone()
        return Municipality.from_dict(json.loads(row["document"])) if row else None

    def page(self, after_slug=None, limit=20):
        rows = self.store.execute(
            "SELECT document FROM municipalities WHERE slug > ? ORDER BY slug LIMIT ?",
            (after_slug or "", limit),
        ).fetchall()
        return [Municipality.from_dict(json.loads(row["document"])) for row in rows]


class MongoMunicipalities:
    def __init__(self, store):
        self.collection = store.db["municipalities"]
        self.collection.create_index([("slug", pymongo.ASCENDING)], unique=True, name="slug_unique")

    def add(self, municipality):
        document = dict(municipality.to_dict(), _id=municipality.id)
        try:
            self.collection.insert_one(document)
            return municipality, True
        except DuplicateKeyError:
            return self.by_slug(municipality.slug), False

    @staticmethod
    def _from_document(document):
        if document is None:
            return None
        document = dict(document)
        document.pop("_id", None)
        return Municipality.from_dict(document)

    def get(self, municipality_id):
        return self._from_document(self.collection.find_one({"_id": municipality_id}))

    def by_slug(self, slug):
        return self._from_document(self.collection.find_one({"slug": slug}))

    def page(self, after_slug=None, limit=20):
        query = {"slug": {"$gt": after_slug}} if after_slug else {}
        cursor = self.collection.find(query).sort("slug", pymongo.ASCENDING).limit(limit)
        return [self._from_document(document) for document in cursor]
