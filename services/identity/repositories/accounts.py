"""Accounts by id and by e-mail. E-mail is unique across the platform (login names no
municipality); an erased account keeps its id and loses its e-mail, which frees the address."""
import json
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from contracts.caller import RESIDENT
from services.identity.accounts import Account


class SqliteAccounts:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS accounts (
                   id TEXT PRIMARY KEY,
                   email TEXT UNIQUE,
                   municipality_id TEXT NOT NULL,
                   household_id TEXT,
                   active INTEGER NOT NULL,
                   version INTEGER NOT NULL,
                   document TEXT NOT NULL)""")
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS accounts_household "
            "ON accounts (municipality_id, household_id, active)")

    @staticmethod
    def _row(account):
        return (account.email, account.municipality_id, account.household_id,
                int(account.active), account.version, json.dumps(account.to_dict()))

    def add(self, account):
        """False when the e-mail already has an account."""
        try:
            self.store.execute(
                "INSERT INTO accounts (id, email, municipality_id, household_id, active, version, "
                "document) VALUES (?, ?, ?, ?, ?, ?, ?)", (account.id,) + self._row(account))
            return True
        except sqlite3.IntegrityError:
            return False

    def _one(self, where, value):
        row = self.store.execute(
            "SELECT document FROM accounts WHERE %s = ?" % where, (value,)).fetchone()
        return Account.from_dict(json.loads(row["document"])) if row else None

    def get(self, account_id):
        return self._one("id", account_id)

    def by_email(self, email):
        return self._one("email", email)

    def replace(self, account, expected_version):
        """Store `account` if nobody changed it since `expected_version` was read."""
        cursor = self.store.execute(
            "UPDATE accounts SET email = ?, municipality_id = ?, household_id = ?, active = ?, "
            "version = ?, document = ? WHERE id = ? AND version = ?",
            self._row(account) + (account.id, expected_version))
        return cursor.rowcount == 1

    def delete(self, account_id):
        self.store.execute("DELETE FROM accounts WHERE id = ?", (account_id,))

    def in_household(self, municipality_id, household_id):
        rows = self.store.execute(
            "SELECT document FROM accounts WHERE municipality_id = ? AND household_id = ? "
            "AND active = 1 ORDER BY id", (municipality_id, household_id)).fetchall()
        return [Account.from_dict(json.loads(row["document"])) for row in rows]

    def household_adults(self, municipality_id, household_id):
        return self.store.execute(
            "SELECT COUNT(*) FROM accounts WHERE municipality_id = ? AND household_id = ? "
            "AND active = 1", (municipality_id, household_id)).fetchone()[0]

    def residents_by_neighbourhood(self, municipality_id):
        """{neighbourhood id: (active resident accounts, distinct households among them)}."""
        rows = self.store.execute(
            "SELECT json_extract(document, '$.neighbourhood_id') AS neighbourhood_id, "
            "COUNT(*) AS users, COUNT(DISTINCT household_id) AS households FROM accounts "
            "WHERE municipality_id = ? AND active = 1 "
            "AND json_extract(document, '$.role') = ? GROUP BY neighbourhood_id",
            (municipality_id, RESIDENT)).fetchall()
        return {row["neighbourhood_id"]: (row["users"], row["households"]) for row in rows
                if row["neighbourhood_id"]}


class MongoAccounts:
    def __init__(self, store):
        self.collection = store.db["accounts"]
        # Sparse: erased accounts have no e-mail field and must not collide with each other.
        self.collection.create_index([("email", pymongo.ASCENDING)], unique=True, sparse=True,
                                     name="email_unique")
        self.collection.create_index(
            [("municipality_id", pymongo.ASCENDING), ("household_id", pymongo.ASCENDING),
             ("erased_at", pymongo.ASCENDING)], name="household_adults")

    @staticmethod
    def _document(account):
        document = dict(account.to_dict(), _id=account.id)
        if document["email"] is None:
            del document["email"]
        return document

    @staticmethod
    def _account(document):
        if document is None:
            return None
        document = dict(document)
        document.pop("_id", None)
        document.setdefault("email", None)
        return Account.from_dict(document)

    def add(self, account):
        try:
            self.collection.insert_one(self._document(account))
            return True
        except DuplicateKeyError:
            return False

    def get(self, account_id):
        return self._account(self.collection.find_one({"_id": account_id}))

    def by_email(self, email):
        if email is None:
            return None
        return self._account(self.collection.find_one({"email": email}))

    def replace(self, account, expected_version):
        try:
            result = self.collection.replace_one(
                {"_id": account.id, "version": expected_version}, self._document(account))
        except DuplicateKeyError:
            return False
        return result.matched_count == 1

    def delete(self, account_id):
        self.collection.delete_one({"_id": account_id})

    def in_household(self, municipality_id, household_id):
        cursor = self.collection.find(
            {"municipality_id": municipality_id, "household_id": household_id,
             "erased_at": None}).sort("_id", pymongo.ASCENDING)
        return [self._account(document) for document in cursor]

    def household_adults(self, municipality_id, household_id):
        return self.collection.count_documents(
            {"municipality_id": municipality_id, "household_id": household_id,
             "erased_at": None})

    def residents_by_neighbourhood(self, municipality_id):
        rows = self.collection.aggregate([
            {"$match": {"municipality_id": municipality_id, "role": RESIDENT,
                        "erased_at": None}},
            {"$group": {"_id": "$neighbourhood_id", "users": {"$sum": 1},
                        "households": {"$addToSet": "$household_id"}}},
        ])
        return {row["_id"]: (row["users"], len(row["households"])) for row in rows
                if row["_id"]}
