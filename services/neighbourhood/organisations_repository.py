"""The organisations map's store. One port, two adapters (SQLite, MongoDB), held to the same
contract by tests/unit/test_neighbourhood_organisations_repository.py.

Lists page on (name_key, id), a range on the last organisation seen, never a skip (both engines
compare the strings bytewise on UTF-8). One organisation of a name per neighbourhood: a unique
key, so two staff creating "Scouts Bonnevoie" at once get one organisation and a conflict.
"""
import json
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from services.neighbourhood.organisations import Organisation, duplicate_name


class SqliteOrganisations:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS organisations (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, category TEXT NOT NULL, name_key TEXT NOT NULL,
                document TEXT NOT NULL, UNIQUE (neighbourhood_id, name_key))""")
            db.execute("""CREATE INDEX IF NOT EXISTS organisations_by_category
                ON organisations (neighbourhood_id, category, name_key, id)""")
            db.execute("""CREATE INDEX IF NOT EXISTS organisations_by_municipality
                ON organisations (municipality_id, name_key, id)""")

    @staticmethod
    def _organisation(row):
        if row is None:
            return None
        return Organisation.from_dict(json.loads(row["document"]))

    def add(self, organisation):
        try:
            self.store.execute(
                """INSERT INTO organisations (id, municipality_id, neighbourhood_id, category,
                       name_key, document) VALUES (?, ?, ?, ?, ?, ?)""",
                (organisation.id, organisation.municipality_id, organisation.neighbourhood_id,
                 organisation.category, organisation.name_key,
                 json.dumps(organisation.to_dict())))
        except sqlite3.IntegrityError:
            raise duplicate_name(organisation.name) from None
        return organisation

    def get(self, organisation_id):
        return self._organisation(self.store.execute(
            "SELECT document FROM organisations WHERE id = ?", (organisation_id,)).fetchone())

    def update(self, organisation):
        try:
            cursor = self.store.execute(
                """UPDATE organisations SET neighbourhood_id = ?, category = ?, name_key = ?,
                       document = ? WHERE id = ?""",
                (organisation.neighbourhood_id, organisation.category, organisation.name_key,
                 json.dumps(organisation.to_dict()), organisation.id))
        except sqlite3.IntegrityError:
            raise duplicate_name(organisation.name) from None
        return cursor.rowcount == 1

    def delete(self, organisation_id):
        cursor = self.store.execute("DELETE FROM organisations WHERE id = ?", (organisation_id,))
        return cursor.rowcount == 1

    def count_in(self, neighbourhood_id):
        return self.store.execute(
            "SELECT COUNT(*) FROM organisations WHERE neighbourhood_id = ?",
            (neighbourhood_id,)).fetchone()[0]

    def page(self, municipality_id=None, neighbourhood_id=None, category=None, after=None,
             limit=100):
        """Organisations of a neighbourhood (or a whole municipality), optionally of one
        category, by (name_key, id) after that position."""
        conditions, params = [], []
        for column, value in (("municipality_id", municipality_id),
                              ("neighbourhood_id", neighbourhood_id), ("category", category)):
            if value is not None:
                conditions.append("%s = ?" % column)
                params.append(value)
        if after is not None:
            conditions.append("(name_key, id) > (?, ?)")
            params.extend(after)
        rows = self.store.execute(
            "SELECT document FROM organisations WHERE %s ORDER BY name_key, id LIMIT ?"
            % (" AND ".join(conditions) or "1"), (*params, limit)).fetchall()
        return [self._organisation(row) for row in rows]


class MongoOrganisations:
    def __init__(self, store):
        self.organisations = store.db["organisations"]
        self.organisations.create_index(
            [("neighbourhood_id", pymongo.ASCENDING), ("name_key", pymongo.ASCENDING)],
            unique=True, name="one_name_per_neighbourhood")
        self.organisations.create_index(
            [("neighbourhood_id", pymongo.ASCENDING), ("category", pymongo.ASCENDING),
             ("name_key", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)], name="by_category")
        self.organisations.create_index(
            [("municipality_id", pymongo.ASCENDING), ("name_key", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)], name="by_municipality")

    @staticmethod
    def _organisation(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        document.pop("name_key", None)
        return Organisation.from_dict(document)

    @staticmethod
    def _document(organisation):
        document = organisation.to_dict()
        document["_id"] = document.pop("id")
        document["name_key"] = organisation.name_key
        return document

    def add(self, organisation):
        try:
            self.organisations.insert_one(self._document(organisation))
        except DuplicateKeyError:
            raise duplicate_name(organisation.name) from None
        return organisation

    def get(self, organisation_id):
        return self._organisation(self.organisations.find_one({"_id": organisation_id}))

    def update(self, organisation):
        document = self._document(organisation)
        document.pop("_id")
        try:
            result = self.organisations.update_one({"_id": organisation.id}, {"$set": document})
        except DuplicateKeyError:
            raise duplicate_name(organisation.name) from None
        return result.matched_count == 1

    def delete(self, organisation_id):
        return self.organisations.delete_one({"_id": organisation_id}).deleted_count == 1

    def count_in(self, neighbourhood_id):
        return self.organisations.count_documents({"neighbourhood_id": neighbourhood_id})

    def page(self, municipality_id=None, neighbourhood_id=None, category=None, after=None,
             limit=100):
        query = {k: v for k, v in (("municipality_id", municipality_id),
                                   ("neighbourhood_id", neighbourhood_id),
                                   ("category", category)) if v is not None}
        if after is not None:
            name_key, organisation_id = after
            query["$or"] = [{"name_key": {"$gt": name_key}},
                            {"name_key": name_key, "_id": {"$gt": organisation_id}}]
        found = self.organisations.find(query).sort(
            [("name_key", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]).limit(limit)
        return [self._organisation(d) for d in found]
