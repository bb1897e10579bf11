"""Neighbourhood's store: neighbourhoods (geometry, adjacency, state), the municipalities'
activation thresholds, members and follows. One port, two adapters (SQLite,
MongoDB), held to the same contract by tests/unit/test_neighbourhood_repository.py.

Neighbour lists page on (street, first_name, user_id), a range on the last row seen, never a skip;
both engines compare strings bytewise on UTF-8, so they agree on the order.
"""
import json
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from contracts import errors
from services.neighbourhood.domain import ACTIVE, PENDING, Member, Neighbourhood

GEOGRAPHY_FIELDS = ("name", "code", "geometry", "adjacent_ids", "updated_at")


def _concurrent_import():
    return errors.conflict("another import of this municipality changed it meanwhile; retry")


class SqliteNeighbourhoods:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS municipalities (
                id TEXT PRIMARY KEY, name TEXT, activation_threshold INTEGER NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS neighbourhoods (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, key TEXT NOT NULL,
                state TEXT NOT NULL, activated_at TEXT NOT NULL DEFAULT '',
                activation_announced INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
                geography TEXT NOT NULL, UNIQUE (municipality_id, key))""")
            db.execute("""CREATE TABLE IF NOT EXISTS members (
                user_id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, household_id TEXT NOT NULL,
                first_name TEXT NOT NULL, street TEXT NOT NULL, listed INTEGER NOT NULL,
                joined_at TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS members_directory
                ON members (neighbourhood_id, listed, street, first_name, user_id)""")
            db.execute("""CREATE INDEX IF NOT EXISTS members_households
                ON members (neighbourhood_id, household_id)""")
            db.execute("""CREATE TABLE IF NOT EXISTS follows (
                user_id TEXT NOT NULL, neighbourhood_id TEXT NOT NULL, since TEXT NOT NULL,
                PRIMARY KEY (user_id, neighbourhood_id))""")
            db.execute("CREATE INDEX IF NOT EXISTS follows_by_neighbourhood "
                       "ON follows (neighbourhood_id)")

    # -- municipalities

    def record_municipality(self, municipality_id, name, activation_threshold):
        self.store.execute(
            """INSERT INTO municipalities (id, name, activation_threshold) VALUES (?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name,
               activation_threshold = excluded.activation_threshold""",
            (municipality_id, name, activation_threshold))

    def activation_threshold(self, municipality_id):
        row = self.store.execute(
            "SELECT activation_threshold FROM municipalities WHERE id = ?", (municipality_id,)
        ).fetchone()
        return row["activation_threshold"] if row else None

    # -- neighbourhoods

    @staticmethod
    def _neighbourhood(row):
        if row is None:
            return None
        data = json.loads(row["geography"])
        data.update(id=row["id"], municipality_id=row["municipality_id"], key=row["key"],
                    state=row["state"], activated_at=row["activated_at"],
                    activation_announced=bool(row["activation_announced"]),
                    created_at=row["created_at"])
        return Neighbourhood.from_dict(data)

    def get(self, neighbourhood_id):
        return self._neighbourhood(self.store.execute(
            "SELECT * FROM neighbourhoods WHERE id = ?", (neighbourhood_id,)).fetchone())

    def in_municipality(self, municipality_id):
        rows = self.store.execute(
            "SELECT * FROM neighbourhoods WHERE municipality_id = ?", (municipality_id,)
        ).fetchall()
        return sorted((self._neighbourhood(r) for r in rows), key=lambda n: (n.name, n.id))

    def store_import(self, neighbourhoods):
        """Insert new neighbourhoods, update the geography of known ones (never their state), all
        or nothing."""
        try:
            with self.store.transaction() as db:
                for n in neighbourhoods:
                    geography = json.dumps({f: n.to_dict()[f] for f in GEOGRAPHY_FIELDS})
                    db.execute(
                        """INSERT INTO neighbourhoods (id, municipality_id, key, state,
                               created_at, geography) VALUES (?, ?, ?, ?, ?, ?)
                           ON CONFLICT (id) DO UPDATE SET geography = excluded.geography""",
                        (n.id, n.municipality_id, n.key, n.state, n.created_at, geography))
        except sqlite3.IntegrityError:
            raise _concurrent_import() from None

    def activate(self, neighbourhood_id, at):
        """pending → active; True for the one call that made the change."""
        cursor = self.store.execute(
            "UPDATE neighbourhoods SET state = ?, activated_at = ? WHERE id = ? AND state = ?",
            (ACTIVE, at, neighbourhood_id, PENDING))
        return cursor.rowcount == 1

    def mark_activation_announced(self, neighbourhood_id):
        self.store.execute(
            "UPDATE neighbourhoods SET activation_announced = 1 WHERE id = ?", (neighbourhood_id,))

    # -- members

    @staticmethod
    def _member(row):
        if row is None:
            return None
        data = dict(row)
        data["listed"] = bool(data["listed"])
        return Member.from_dict(data)

    def add_member(self, member):
        """Insert unless the user is already a member; return (stored member, created?)."""
        cursor = self.store.execute(
            """INSERT OR IGNORE INTO members (user_id, municipality_id, neighbourhood_id,
                   household_id, first_name, street, listed, joined_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (member.user_id, member.municipality_id, member.neighbourhood_id,
             member.household_id, member.first_name, member.street, int(member.listed),
             member.joined_at))
        return self.get_member(member.user_id), cursor.rowcount == 1

    def get_member(self, user_id):
        return self._member(self.store.execute(
            "SELECT * FROM members WHERE user_id = ?", (user_id,)).fetchone())

    def update_member(self, user_id, first_name=None, street=None, listed=None):
        changes = {k: v for k, v in
                   (("first_name", first_name), ("street", street), ("listed", listed))
                   if v is not None}
        if changes:
            if "listed" in changes:
                changes["listed"] = int(changes["listed"])
            assignments = ", ".join("%s = ?" % name for name in changes)
            self.store.execute("UPDATE members SET %s WHERE user_id = ?" % assignments,
                               (*changes.values(), user_id))
        return self.get_member(user_id)

    def move_member(self, user_id, neighbourhood_id):
        """Re-home a member (a corrected address register); their follows end."""
        with self.store.transaction() as db:
            db.execute("UPDATE members SET neighbourhood_id = ? WHERE user_id = ?",
                       (neighbourhood_id, user_id))
            db.execute("DELETE FROM follows WHERE user_id = ?", (user_id,))
        return self.get_member(user_id)

    def remove_member(self, user_id):
        """Delete the member and their follows; return the member that was, or None."""
        with self.store.transaction() as db:
            member = self._member(db.execute(
                "SELECT * FROM members WHERE user_id = ?", (user_id,)).fetchone())
            db.execute("DELETE FROM members WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM follows WHERE user_id = ?", (user_id,))
        return member

    def household_count(self, neighbourhood_id):
        return self.store.execute(
            "SELECT COUNT(DISTINCT household_id) FROM members WHERE neighbourhood_id = ?",
            (neighbourhood_id,)).fetchone()[0]

    def household_counts(self, municipality_id):
        rows = self.store.execute(
            """SELECT neighbourhood_id, COUNT(DISTINCT household_id) AS households FROM members
               WHERE municipality_id = ? GROUP BY neighbourhood_id""", (municipality_id,)
        ).fetchall()
        return {row["neighbourhood_id"]: row["households"] for row in rows}

    def listed_members(self, neighbourhood_id, after=None, limit=20):
        """Listed members ordered by (street, first_name, user_id), after that position."""
        street, name, user_id = after or ("", "", "")
        rows = self.store.execute(
            """SELECT * FROM members WHERE neighbourhood_id = ? AND listed = 1
                 AND (street, first_name, user_id) > (?, ?, ?)
               ORDER BY street, first_name, user_id LIMIT ?""",
            (neighbourhood_id, street, name, user_id, limit)).fetchall()
        return [self._member(row) for row in rows]

    # -- follows

    def follow(self, user_id, neighbourhood_id, since):
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO follows (user_id, neighbourhood_id, since) VALUES (?, ?, ?)",
            (user_id, neighbourhood_id, since))
        return cursor.rowcount == 1

    def unfollow(self, user_id, neighbourhood_id):
        cursor = self.store.execute(
            "DELETE FROM follows WHERE user_id = ? AND neighbourhood_id = ?",
            (user_id, neighbourhood_id))
        return cursor.rowcount == 1

    def follows_of(self, user_id):
        """[(neighbourhood id, since)] in the order they were followed."""
        rows = self.store.execute(
            "SELECT neighbourhood_id, since FROM follows WHERE user_id = ? "
            "ORDER BY since, neighbourhood_id", (user_id,)).fetchall()
        return [(row["neighbourhood_id"], row["since"]) for row in rows]


class MongoNeighbourhoods:
    def __init__(self, store):
        db = store.db
        self.municipalities = db["municipalities"]
        self.neighbourhoods = db["neighbourhoods"]
        self.members = db["members"]
        self.follows = db["follows"]
        self.neighbourhoods.create_index(
            [("municipality_id", pymongo.ASCENDING), ("key", pymongo.ASCENDING)],
            unique=True, name="municipality_key_unique")
        self.members.create_index(
            [("neighbourhood_id", pymongo.ASCENDING), ("listed", pymongo.ASCENDING),
             ("street", pymongo.ASCENDING), ("first_name", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)], name="directory")
        self.members.create_index(
            [("neighbourhood_id", pymongo.ASCENDING), ("household_id", pymongo.ASCENDING)],
            name="households")
        self.members.create_index([("municipality_id", pymongo.ASCENDING)], name="municipality")
        self.follows.create_index(
            [("user_id", pymongo.ASCENDING), ("neighbourhood_id", pymongo.ASCENDING)],
            unique=True, name="user_neighbourhood_unique")
        self.follows.create_index([("neighbourhood_id", pymongo.ASCENDING)], name="followers")

    # -- municipalities

    def record_municipality(self, municipality_id, name, activation_threshold):
        self.municipalities.update_one(
            {"_id": municipality_id},
            {"$set": {"name": name, "activation_threshold": activation_threshold}}, upsert=True)

    def activation_threshold(self, municipality_id):
        document = self.municipalities.find_one({"_id": municipality_id})
        return document["activation_threshold"] if document else None

    # -- neighbourhoods

    @staticmethod
    def _neighbourhood(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        return Neighbourhood.from_dict(document)

    def get(self, neighbourhood_id):
        return self._neighbourhood(self.neighbourhoods.find_one({"_id": neighbourhood_id}))

    def in_municipality(self, municipality_id):
        found = self.neighbourhoods.find({"municipality_id": municipality_id})
        return sorted((self._neighbourhood(d) for d in found), key=lambda n: (n.name, n.id))

    def store_import(self, neighbourhoods):
        """Upsert each: geography always, state and key only when inserted. Validation already
        passed, so a failure here is a concurrent import (unique key) or the server."""
        try:
            for n in neighbourhoods:
                document = n.to_dict()
                geography = {f: document.pop(f) for f in GEOGRAPHY_FIELDS}
                document.pop("id")
                self.neighbourhoods.update_one(
                    {"_id": n.id}, {"$set": geography, "$setOnInsert": document}, upsert=True)
        except DuplicateKeyError:
            raise _concurrent_import() from None

    def activate(self, neighbourhood_id, at):
        result = self.neighbourhoods.update_one(
            {"_id": neighbourhood_id, "state": PENDING},
            {"$set": {"state": ACTIVE, "activated_at": at}})
        return result.modified_count == 1

    def mark_activation_announced(self, neighbourhood_id):
        self.neighbourhoods.update_one(
            {"_id": neighbourhood_id}, {"$set": {"activation_announced": True}})

    # -- members

    @staticmethod
    def _member(document):
        if document is None:
            return None
        document = dict(document)
        document["user_id"] = document.pop("_id")
        return Member.from_dict(document)

    def add_member(self, member):
        document = member.to_dict()
        document["_id"] = document.pop("user_id")
        try:
            self.members.insert_one(document)
            return member, True
        except DuplicateKeyError:
            return self.get_member(member.user_id), False

    def get_member(self, user_id):
        return self._member(self.members.find_one({"_id": user_id}))

    def update_member(self, user_id, first_name=None, street=None, listed=None):
        changes = {k: v for k, v in
                   (("first_name", first_name), ("street", street), ("listed", listed))
                   if v is not None}
        if changes:
            self.members.update_one({"_id": user_id}, {"$set": changes})
        return self.get_member(user_id)

    def move_member(self, user_id, neighbourhood_id):
        self.members.update_one({"_id": user_id}, {"$set": {"neighbourhood_id": neighbourhood_id}})
        self.follows.delete_many({"user_id": user_id})
        return self.get_member(user_id)

    def remove_member(self, user_id):
        member = self._member(self.members.find_one_and_delete({"_id": user_id}))
        self.follows.delete_many({"user_id": user_id})
        return member

    def household_count(self, neighbourhood_id):
        return len(self.members.distinct("household_id", {"neighbourhood_id": neighbourhood_id}))

    def household_counts(self, municipality_id):
        found = self.members.aggregate([
            {"$match": {"municipality_id": municipality_id}},
            {"$group": {"_id": {"n": "$neighbourhood_id", "h": "$household_id"}}},
            {"$group": {"_id": "$_id.n", "households": {"$sum": 1}}},
        ])
        return {d["_id"]: d["households"] for d in found}

    def listed_members(self, neighbourhood_id, after=None, limit=20):
        query = {"neighbourhood_id": neighbourhood_id, "listed": True}
        if after:
            street, name, user_id = after
            query["$or"] = [
                {"street": {"$gt": street}},
                {"street": street, "first_name": {"$gt": name}},
                {"street": street, "first_name": name, "_id": {"$gt": user_id}},
            ]
        found = self.members.find(query).sort(
            [("street", pymongo.ASCENDING), ("first_name", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)]).limit(limit)
        return [self._member(d) for d in found]

    # -- follows

    def follow(self, user_id, neighbourhood_id, since):
        try:
            self.follows.insert_one(
                {"user_id": user_id, "neighbourhood_id": neighbourhood_id, "since": since})
            return True
        except DuplicateKeyError:
            return False

    def unfollow(self, user_id, neighbourhood_id):
        result = self.follows.delete_one({"user_id": user_id, "neighbourhood_id": neighbourhood_id})
        return result.deleted_count == 1

    def follows_of(self, user_id):
        found = self.follows.find({"user_id": user_id}).sort(
            [("since", pymongo.ASCENDING), ("neighbourhood_id", pymongo.ASCENDING)])
        return [(d["neighbourhood_id"], d["since"]) for d in found]
