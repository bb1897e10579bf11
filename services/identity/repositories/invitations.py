"""Invitation codes, stored by their keyed hash. Using one is a conditional update (active and not
expired → used), so a code shared by two people registers exactly one of them."""
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from services.identity.invitations import ACTIVE, HOUSEHOLD, SUPERSEDED, USED, Invitation

_FIELDS = ("code_hash", "municipality_id", "household_id", "kind", "issued_by", "issued_at",
           "expires_at", "status", "used_by", "used_at")


class DuplicateCode(Exception):
    """Two codes with one hash: only after ~2^20 codes of one secret is this even thinkable;
    the caller draws another code."""


class SqliteInvitations:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS invitations (
                   code_hash TEXT PRIMARY KEY,
                   municipality_id TEXT NOT NULL,
                   household_id TEXT NOT NULL,
                   kind TEXT NOT NULL,
                   issued_by TEXT NOT NULL,
                   issued_at REAL NOT NULL,
                   expires_at REAL NOT NULL,
                   status TEXT NOT NULL,
                   used_by TEXT,
                   used_at REAL)""")
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS invitations_household "
            "ON invitations (municipality_id, household_id, kind, status)")

    def add(self, invitation, supersede=False):
        """Store a new code; with `supersede`, the household's earlier codes of the same kind
        that are still unused stop working in the same transaction."""
        with self.store.transaction() as connection:
            if supersede:
                connection.execute(
                    "UPDATE invitations SET status = ? WHERE municipality_id = ? AND "
                    "household_id = ? AND kind = ? AND status = ?",
                    (SUPERSEDED, invitation.municipality_id, invitation.household_id,
                     invitation.kind, ACTIVE))
            try:
                connection.execute(
                    "INSERT INTO invitations (%s) VALUES (%s)" % (
                        ", ".join(_FIELDS), ", ".join("?" * len(_FIELDS))),
                    tuple(getattr(invitation, name) for name in _FIELDS))
            except sqlite3.IntegrityError:
                raise DuplicateCode() from None

    def by_hash(self, code_hash):
        row = self.store.execute(
            "SELECT * FROM invitations WHERE code_hash = ?", (code_hash,)).fetchone()
        return Invitation(**dict(row)) if row else None

    def use(self, code_hash, user_id, now):
        cursor = self.store.execute(
            "UPDATE invitations SET status = ?, used_by = ?, used_at = ? "
            "WHERE code_hash = ? AND status = ? AND expires_at > ?",
            (USED, user_id, now, code_hash, ACTIVE, now))
        return cursor.rowcount == 1

    def release(self, code_hash, user_id):
        """Undo `use` for a registration that failed after taking the code."""
        self.store.execute(
            "UPDATE invitations SET status = ?, used_by = NULL, used_at = NULL "
            "WHERE code_hash = ? AND status = ? AND used_by = ?",
            (ACTIVE, code_hash, USED, user_id))

    def latest_letters(self, municipality_id, household_ids):
        """{household id: its most recent municipality letter} for the given households."""
        found = {}
        for start in range(0, len(household_ids), 500):
            chunk = household_ids[start:start + 500]
            rows = self.store.execute(
                "SELECT * FROM invitations WHERE municipality_id = ? AND kind = ? AND "
                "household_id IN (%s) ORDER BY issued_at" % ", ".join("?" * len(chunk)),
                (municipality_id, HOUSEHOLD, *chunk)).fetchall()
            for row in rows:
                found[row["household_id"]] = Invitation(**dict(row))
        return found

    def pending(self, municipality_id, household_id, kind, now):
        return self.store.execute(
            "SELECT COUNT(*) FROM invitations WHERE municipality_id = ? AND household_id = ? "
            "AND kind = ? AND status = ? AND expires_at > ?",
            (municipality_id, household_id, kind, ACTIVE, now)).fetchone()[0]

    def withdraw_issued_by(self, user_id):
        """Codes a person handed out stop working when their account is erased."""
        self.store.execute(
            "UPDATE invitations SET status = ? WHERE issued_by = ? AND status = ?",
            (SUPERSEDED, user_id, ACTIVE))

    def forget_person(self, user_id, replacement):
        """Erasure: the codes stay (a letter's code stays used, the household's history
        countable) but no longer name who handed them out or used them."""
        with self.store.transaction() as db:
            db.execute("UPDATE invitations SET issued_by = ? WHERE issued_by = ?",
                       (replacement, user_id))
            db.execute("UPDATE invitations SET used_by = ? WHERE used_by = ?",
                       (replacement, user_id))


class MongoInvitations:
    def __init__(self, store):
        self.collection = store.db["invitations"]
        self.collection.create_index(
            [("municipality_id", pymongo.ASCENDING), ("household_id", pymongo.ASCENDING),
             ("kind", pymongo.ASCENDING), ("status", pymongo.ASCENDING)], name="household")
        self.collection.create_index([("issued_by", pymongo.ASCENDING)], name="issued_by")

    @staticmethod
    def _invitation(document):
        if document is None:
            return None
        return Invitation(**{name: document.get(name) for name in _FIELDS})

    def add(self, invitation, supersede=False):
        # Superseding first: for a moment the household may have no working code, never two.
        if supersede:
            self.collection.update_many(
                {"municipality_id": invitation.municipality_id,
                 "household_id": invitation.household_id, "kind": invitation.kind,
                 "status": ACTIVE},
                {"$set": {"status": SUPERSEDED}})
        try:
            self.collection.insert_one(dict(invitation.to_dict(), _id=invitation.code_hash))
        except DuplicateKeyError:
            raise DuplicateCode() from None

    def by_hash(self, code_hash):
        return self._invitation(self.collection.find_one({"_id": code_hash}))

    def use(self, code_hash, user_id, now):
        result = self.collection.update_one(
            {"_id": code_hash, "status": ACTIVE, "expires_at": {"$gt": now}},
            {"$set": {"status": USED, "used_by": user_id, "used_at": now}})
        return result.modified_count == 1

    def release(self, code_hash, user_id):
        self.collection.update_one(
            {"_id": code_hash, "status": USED, "used_by": user_id},
            {"$set": {"status": ACTIVE, "used_by": None, "used_at": None}})

    def latest_letters(self, municipality_id, household_ids):
        found = {}
        cursor = self.collection.find(
            {"municipality_id": municipality_id, "kind": HOUSEHOLD,
             "household_id": {"$in": list(household_ids)}}).sort("issued_at", pymongo.ASCENDING)
        for document in cursor:
            found[document["household_id"]] = self._invitation(document)
        return found

    def pending(self, municipality_id, household_id, kind, now):
        return self.collection.count_documents(
            {"municipality_id": municipality_id, "household_id": household_id, "kind": kind,
             "status": ACTIVE, "expires_at": {"$gt": now}})

    def withdraw_issued_by(self, user_id):
        self.collection.update_many({"issued_by": user_id, "status": ACTIVE},
                                    {"$set": {"status": SUPERSEDED}})

    def forget_person(self, user_id, replacement):
        self.collection.update_many({"issued_by": user_id}, {"$set": {"issued_by": replacement}})
        self.collection.update_many({"used_by": user_id}, {"$set": {"used_by": replacement}})
