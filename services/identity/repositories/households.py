"""The address register: one household per (municipality, household id), each at one address
(the address id is unique within a municipality). Re-importing the same row changes nothing."""
import json
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from services.identity.addresses import Household

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
CONFLICT = "conflict"  # the address id belongs to another household


class SqliteHouseholds:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS households (
                   municipality_id TEXT NOT NULL,
                   household_id TEXT NOT NULL,
                   address_id TEXT NOT NULL,
                   document TEXT NOT NULL,
                   PRIMARY KEY (municipality_id, household_id),
                   UNIQUE (municipality_id, address_id))""")

    def _upsert(self, connection, household):
        row = connection.execute(
            "SELECT document FROM households WHERE municipality_id = ? AND household_id = ?",
            (household.municipality_id, household.household_id)).fetchone()
        document = json.dumps(household.to_dict())
        try:
            if row is None:
                connection.execute(
                    "INSERT INTO households (municipality_id, household_id, address_id, document)"
                    " VALUES (?, ?, ?, ?)", (household.municipality_id, household.household_id,
                                             household.address_id, document))
                return CREATED
            if Household.from_dict(json.loads(row["document"])).same_as(household):
                return UNCHANGED
            connection.execute(
                "UPDATE households SET address_id = ?, document = ? "
                "WHERE municipality_id = ? AND household_id = ?",
                (household.address_id, document, household.municipality_id,
                 household.household_id))
            return UPDATED
        except sqlite3.IntegrityError:
            return CONFLICT

    def upsert_many(self, households):
        """One outcome per household, in order; one transaction for the whole batch."""
        with self.store.transaction() as connection:
            return [self._upsert(connection, household) for household in households]

    def get(self, municipality_id, household_id):
        row = self.store.execute(
            "SELECT document FROM households WHERE municipality_id = ? AND household_id = ?",
            (municipality_id, household_id)).fetchone()
        return Household.from_dict(json.loads(row["document"])) if row else None

    def page(self, municipality_id, after=None, limit=100):
        """Households ordered by household id, those after `after`."""
        rows = self.store.execute(
            "SELECT document FROM households WHERE municipality_id = ? AND household_id > ? "
            "ORDER BY household_id LIMIT ?", (municipality_id, after or "", limit)).fetchall()
        return [Household.from_dict(json.loads(row["document"])) for row in rows]

    def count(self, municipality_id):
        return self.store.execute(
            "SELECT COUNT(*) FROM households WHERE municipality_id = ?",
            (municipality_id,)).fetchone()[0]

    def count_by_neighbourhood(self, municipality_id):
        """{neighbourhood id: households of the register placed there}."""
        rows = self.store.execute(
            "SELECT json_extract(document, '$.neighbourhood_id') AS neighbourhood_id, "
            "COUNT(*) AS households FROM households WHERE municipality_id = ? "
            "GROUP BY neighbourhood_id", (municipality_id,)).fetchall()
        return {row["neighbourhood_id"]: row["households"] for row in rows
                if row["neighbourhood_id"]}


class MongoHouseholds:
    def __init__(self, store):
        self.collection = store.db["households"]
        self.collection.create_index(
            [("municipality_id", pymongo.ASCENDING), ("household_id", pymongo.ASCENDING)],
            unique=True, name="household_unique")
        self.collection.create_index(
            [("municipality_id", pymongo.ASCENDING), ("address_id", pymongo.ASCENDING)],
            unique=True, name="address_unique")

    @staticmethod
    def _household(document):
        if document is None:
            return None
        document = dict(document)
        document.pop("_id", None)
        return Household.from_dict(document)

    def _upsert(self, household):
        key = {"municipality_id": household.municipality_id,
               "household_id": household.household_id}
        existing = self._household(self.collection.find_one(key))
        if existing is not None and existing.same_as(household):
            return UNCHANGED
        try:
            result = self.collection.replace_one(key, household.to_dict(), upsert=True)
        except DuplicateKeyError:
            return CONFLICT
        return CREATED if result.upserted_id is not None else UPDATED

    def upsert_many(self, households):
        return [self._upsert(household) for household in households]

    def get(self, municipality_id, household_id):
        return self._household(self.collection.find_one(
            {"municipality_id": municipality_id, "household_id": household_id}))

    def page(self, municipality_id, after=None, limit=100):
        query = {"municipality_id": municipality_id}
        if after:
            query["household_id"] = {"$gt": after}
        cursor = self.collection.find(query).sort("household_id", pymongo.ASCENDING).limit(limit)
        return [self._household(document) for document in cursor]

    def count(self, municipality_id):
        return self.collection.count_documents({"municipality_id": municipality_id})

    def count_by_neighbourhood(self, municipality_id):
        rows = self.collection.aggregate([
            {"$match": {"municipality_id": municipality_id}},
            {"$group": {"_id": "$neighbourhood_id", "households": {"$sum": 1}}},
        ])
        return {row["_id"]: row["households"] for row in rows if row["_id"]}
