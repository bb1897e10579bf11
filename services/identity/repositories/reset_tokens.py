"""Password-reset tokens by hash: who, until when, and whether spent. Spending is one atomic
conditional update, so two requests racing with one link cannot both succeed."""
import pymongo


class SqliteResetTokens:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS reset_tokens (
                   token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL,
                   expires_at REAL NOT NULL, spent_at REAL)""")
        self.store.execute("CREATE INDEX IF NOT EXISTS reset_tokens_user ON reset_tokens "
                           "(user_id)")

    def add(self, token_hash, user_id, purpose, expires_at):
        self.store.execute(
            "INSERT INTO reset_tokens (token_hash, user_id, purpose, expires_at) "
            "VALUES (?, ?, ?, ?)", (token_hash, user_id, purpose, expires_at))

    def owner(self, token_hash, purpose, now):
        """The user id of an unspent, unexpired token of `purpose`, else None."""
        row = self.store.execute("SELECT user_id FROM reset_tokens WHERE token_hash = ? AND "
                                 "purpose = ? AND spent_at IS NULL AND expires_at > ?",
                                 (token_hash, purpose, now)).fetchone()
        return row["user_id"] if row else None

    def spend(self, token_hash, purpose, now):
        """The user id of an unspent, unexpired token of `purpose`, now spent; else None."""
        with self.store.transaction() as db:
            row = db.execute("SELECT user_id FROM reset_tokens WHERE token_hash = ? AND "
                             "purpose = ? AND spent_at IS NULL AND expires_at > ?",
                             (token_hash, purpose, now)).fetchone()
            if row is None:
                return None
            spent = db.execute("UPDATE reset_tokens SET spent_at = ? WHERE token_hash = ? AND "
                               "spent_at IS NULL", (now, token_hash))
            return row["user_id"] if spent.rowcount == 1 else None

    def spend_all_of(self, user_id, purpose, now):
        """Every other link of the person stops working (a password was just set)."""
        self.store.execute("UPDATE reset_tokens SET spent_at = ? WHERE user_id = ? AND "
                           "purpose = ? AND spent_at IS NULL", (now, user_id, purpose))

    def forget_user(self, user_id):
        self.store.execute("DELETE FROM reset_tokens WHERE user_id = ?", (user_id,))


class MongoResetTokens:
    def __init__(self, store):
        self.collection = store.db["reset_tokens"]
        self.collection.create_index([("user_id", pymongo.ASCENDING)], name="user")

    def add(self, token_hash, user_id, purpose, expires_at):
        self.collection.insert_one({"_id": token_hash, "user_id": user_id, "purpose": purpose,
                                    "expires_at": expires_at, "spent_at": None})

    def owner(self, token_hash, purpose, now):
        document = self.collection.find_one({"_id": token_hash, "purpose": purpose,
                                             "spent_at": None, "expires_at": {"$gt": now}})
        return document["user_id"] if document else None

    def spend(self, token_hash, purpose, now):
        document = self.collection.find_one_and_update(
            {"_id": token_hash, "purpose": purpose, "spent_at": None,
             "expires_at": {"$gt": now}}, {"$set": {"spent_at": now}})
        return document["user_id"] if document else None

    def spend_all_of(self, user_id, purpose, now):
        self.collection.update_many({"user_id": user_id, "purpose": purpose, "spent_at": None},
                                    {"$set": {"spent_at": now}})

    def forget_user(self, user_id):
        self.collection.delete_many({"user_id": user_id})
