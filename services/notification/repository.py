"""Notification's store. One port, two adapters (SQLite, MongoDB), held to the same contract by
tests/unit/test_notification_repository.py.

- recipients: who lives where (a projection of identity's events: ids, role, neighbourhood;
  never an address, which identity hands over per batch at send time).
- settings: each person's choices per kind × channel, digest and quiet hours.
- fanouts + fanout_batches: one announcement's fan-out and which of its batches are done.
- deliveries: (announcement, person, channel) → status; the key makes a redelivered batch send
  nothing twice."""
import json
import sqlite3

from pymongo.errors import DuplicateKeyError

PENDING = "pending"


class SqliteNotifications:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS recipients (
                user_id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT, role TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS recipients_by_place "
                       "ON recipients (municipality_id, neighbourhood_id, role)")
            db.execute("""CREATE TABLE IF NOT EXISTS settings (
                user_id TEXT PRIMARY KEY, document TEXT NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS fanouts (
                announcement_id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                recipients INTEGER NOT NULL, batches INTEGER NOT NULL, started_at TEXT)""")
            db.execute("""CREATE TABLE IF NOT EXISTS fanout_batches (
                announcement_id TEXT NOT NULL, batch INTEGER NOT NULL,
                PRIMARY KEY (announcement_id, batch))""")
            db.execute("""CREATE TABLE IF NOT EXISTS deliveries (
                announcement_id TEXT NOT NULL, user_id TEXT NOT NULL, channel TEXT NOT NULL,
                status TEXT NOT NULL, at TEXT, PRIMARY KEY (announcement_id, user_id, channel))""")
            db.execute("CREATE INDEX IF NOT EXISTS deliveries_by_user ON deliveries (user_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS push_subscriptions (
                id TEXT PRIMARY KEY, user_id TEXT NOT NULL, document TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS push_by_user ON push_subscriptions (user_id)")

    # -- recipients
    def upsert_recipient(self, user_id, municipality_id, neighbourhood_id, role):
        self.store.execute(
            """INSERT INTO recipients (user_id, municipality_id, neighbourhood_id, role)
               VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET
               municipality_id = excluded.municipality_id,
               neighbourhood_id = excluded.neighbourhood_id, role = excluded.role""",
            (user_id, municipality_id, neighbourhood_id, role))

    def residents_in(self, municipality_id, neighbourhood_ids):
        neighbourhood_ids = list(neighbourhood_ids)
        if not neighbourhood_ids:
            return []
        found = []
        # SQLite's bound-parameter limit: ask in slices.
        for start in range(0, len(neighbourhood_ids), 500):
            part = neighbourhood_ids[start:start + 500]
            rows = self.store.execute(
                "SELECT user_id FROM recipients WHERE municipality_id = ? AND role = 'resident' "
                "AND neighbourhood_id IN (%s)" % ",".join("?" * len(part)),
                [municipality_id] + part).fetchall()
            found.extend(row["user_id"] for row in rows)
        return found

    # -- settings
    def settings(self, user_id):
        row = self.store.execute("SELECT document FROM settings WHERE user_id = ?",
                                 (user_id,)).fetchone()
        return json.loads(row["document"]) if row else None

    def settings_of(self, user_ids):
        found = {}
        user_ids = list(user_ids)
        for start in range(0, len(user_ids), 500):
            part = user_ids[start:start + 500]
            rows = self.store.execute(
                "SELECT user_id, document FROM settings WHERE user_id IN (%s)"
                % ",".join("?" * len(part)), part).fetchall()
            found.update({row["user_id"]: json.loads(row["document"]) for row in rows})
        return found

    def put_settings(self, user_id, settings):
        self.store.execute(
            "INSERT INTO settings (user_id, document) VALUES (?, ?) ON CONFLICT (user_id) "
            "DO UPDATE SET document = excluded.document", (user_id, json.dumps(settings)))

    # -- fan-outs
    def start_fanout(self, announcement_id, municipality_id, recipients, batches, started_at):
        """False when this announcement's fan-out was started already (a redelivered event)."""
        try:
            self.store.execute(
                "INSERT INTO fanouts (announcement_id, municipality_id, recipients, batches, "
                "started_at) VALUES (?, ?, ?, ?, ?)",
                (announcement_id, municipality_id, recipients, batches, started_at))
            return True
        except sqlite3.IntegrityError:
            return False

    def fanout(self, announcement_id):
        row = self.store.execute("SELECT * FROM fanouts WHERE announcement_id = ?",
                                 (announcement_id,)).fetchone()
        if row is None:
            return None
        done = self.store.execute("SELECT COUNT(*) AS n FROM fanout_batches WHERE "
                                  "announcement_id = ?", (announcement_id,)).fetchone()["n"]
        return {"announcement_id": row["announcement_id"],
                "municipality_id": row["municipality_id"], "recipients": row["recipients"],
                "batches": row["batches"], "batches_done": done, "started_at": row["started_at"]}

    def batch_done(self, announcement_id, batch):
        self.store.execute("INSERT OR IGNORE INTO fanout_batches (announcement_id, batch) "
                           "VALUES (?, ?)", (announcement_id, batch))

    # -- deliveries
    def claim_delivery(self, announcement_id, user_id, channel):
        """True for the first claim of (announcement, person, channel), pending until recorded."""
        try:
            self.store.execute(
                "INSERT INTO deliveries (announcement_id, user_id, channel, status) "
                "VALUES (?, ?, ?, ?)", (announcement_id, user_id, channel, PENDING))
            return True
        except sqlite3.IntegrityError:
            row = self.store.execute(
                "SELECT status FROM deliveries WHERE announcement_id = ? AND user_id = ? AND "
                "channel = ?", (announcement_id, user_id, channel)).fetchone()
            # A worker that died between claim and send left it pending or failed: try again.
            return row is not None and row["status"] in (PENDING, "failed")

    def claim_deliveries(self, announcement_id, user_ids, channel):
        """The ids among `user_ids` whose delivery this call claimed (first claim, or a retry of
        a pending or failed one): one transaction for a whole batch."""
        claimed = []
        with self.store.transaction() as db:
            for user_id in user_ids:
                inserted = db.execute(
                    "INSERT OR IGNORE INTO deliveries (announcement_id, user_id, channel, status) "
                    "VALUES (?, ?, ?, ?)", (announcement_id, user_id, channel, PENDING))
                if inserted.rowcount == 1:
                    claimed.append(user_id)
                    continue
                row = db.execute("SELECT status FROM deliveries WHERE announcement_id = ? AND "
                                 "user_id = ? AND channel = ?",
                                 (announcement_id, user_id, channel)).fetchone()
                if row is not None and row["status"] in (PENDING, "failed"):
                    claimed.append(user_id)
        return claimed

    def record_deliveries(self, announcement_id, channel, statuses, at):
        """{user_id: status} in one transaction."""
        with self.store.transaction() as db:
            db.executemany(
                "UPDATE deliveries SET status = ?, at = ? WHERE announcement_id = ? AND "
                "user_id = ? AND channel = ?",
                [(status, at, announcement_id, user_id, channel)
                 for user_id, status in statuses.items()])

    def record_delivery(self, announcement_id, user_id, channel, status, at):
        self.store.execute(
            "UPDATE deliveries SET status = ?, at = ? WHERE announcement_id = ? AND user_id = ? "
            "AND channel = ?", (status, at, announcement_id, user_id, channel))

    def delivery_counts(self, announcement_id):
        rows = self.store.execute(
            "SELECT channel, status, COUNT(*) AS n FROM deliveries WHERE announcement_id = ? "
            "GROUP BY channel, status", (announcement_id,)).fetchall()
        return {(row["channel"], row["status"]): row["n"] for row in rows}

    def deliveries_of(self, user_id):
        rows = self.store.execute(
            "SELECT announcement_id, channel, status, at FROM deliveries WHERE user_id = ? "
            "ORDER BY at", (user_id,)).fetchall()
        return [dict(row) for row in rows]

    # -- push subscriptions (one endpoint belongs to one person: the latest to subscribe it)
    def add_subscription(self, user_id, subscription):
        self.store.execute(
            "INSERT INTO push_subscriptions (id, user_id, document) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, "
            "document = excluded.document",
            (subscription["id"], user_id, json.dumps(subscription)))

    def count_subscriptions(self, user_id):
        return self.store.execute("SELECT COUNT(*) AS n FROM push_subscriptions WHERE "
                                  "user_id = ?", (user_id,)).fetchone()["n"]

    def remove_subscription(self, user_id, subscription_id):
        return self.store.execute("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?",
                                  (subscription_id, user_id)).rowcount == 1

    def drop_subscription(self, subscription_id):
        self.store.execute("DELETE FROM push_subscriptions WHERE id = ?", (subscription_id,))

    def subscriptions_of(self, user_ids):
        found = {}
        user_ids = list(user_ids)
        for start in range(0, len(user_ids), 500):
            part = user_ids[start:start + 500]
            rows = self.store.execute(
                "SELECT user_id, document FROM push_subscriptions WHERE user_id IN (%s)"
                % ",".join("?" * len(part)), part).fetchall()
            for row in rows:
                found.setdefault(row["user_id"], []).append(json.loads(row["document"]))
        return found

    def forget_user(self, user_id):
        with self.store.transaction() as db:
            db.execute("DELETE FROM push_subscriptions WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM recipients WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM settings WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM deliveries WHERE user_id = ?", (user_id,))


class MongoNotifications:
    def __init__(self, store):
        db = store.db
        self.recipients = db["recipients"]
        self.settings_collection = db["settings"]
        self.fanouts = db["fanouts"]
        self.fanout_batches = db["fanout_batches"]
        self.deliveries = db["deliveries"]
        self.recipients.create_index([("municipality_id", 1), ("neighbourhood_id", 1),
                                      ("role", 1)], name="recipients_by_place")
        self.fanout_batches.create_index([("announcement_id", 1), ("batch", 1)], unique=True,
                                         name="fanout_batch_unique")
        self.deliveries.create_index([("announcement_id", 1), ("user_id", 1), ("channel", 1)],
                                     unique=True, name="delivery_unique")
        self.deliveries.create_index([("user_id", 1)], name="deliveries_by_user")
        self.push = db["push_subscriptions"]
        self.push.create_index([("user_id", 1)], name="push_by_user")

    def upsert_recipient(self, user_id, municipality_id, neighbourhood_id, role):
        self.recipients.update_one({"_id": user_id}, {"$set": {
            "municipality_id": municipality_id, "neighbourhood_id": neighbourhood_id,
            "role": role}}, upsert=True)

    def residents_in(self, municipality_id, neighbourhood_ids):
        neighbourhood_ids = list(neighbourhood_ids)
        if not neighbourhood_ids:
            return []
        cursor = self.recipients.find({"municipality_id": municipality_id, "role": "resident",
                                       "neighbourhood_id": {"$in": neighbourhood_ids}},
                                      {"_id": 1})
        return [document["_id"] for document in cursor]

    def settings(self, user_id):
        document = self.settings_collection.find_one({"_id": user_id})
        return document["settings"] if document else None

    def settings_of(self, user_ids):
        cursor = self.settings_collection.find({"_id": {"$in": list(user_ids)}})
        return {document["_id"]: document["settings"] for document in cursor}

    def put_settings(self, user_id, settings):
        self.settings_collection.update_one({"_id": user_id}, {"$set": {"settings": settings}},
                                            upsert=True)

    def start_fanout(self, announcement_id, municipality_id, recipients, batches, started_at):
        try:
            self.fanouts.insert_one({"_id": announcement_id, "municipality_id": municipality_id,
                                     "recipients": recipients, "batches": batches,
                                     "started_at": started_at})
            return True
        except DuplicateKeyError:
            return False

    def fanout(self, announcement_id):
        document = self.fanouts.find_one({"_id": announcement_id})
        if document is None:
            return None
        done = self.fanout_batches.count_documents({"announcement_id": announcement_id})
        return {"announcement_id": announcement_id,
                "municipality_id": document["municipality_id"],
                "recipients": document["recipients"], "batches": document["batches"],
                "batches_done": done, "started_at": document["started_at"]}

    def batch_done(self, announcement_id, batch):
        try:
            self.fanout_batches.insert_one({"announcement_id": announcement_id, "batch": batch})
        except DuplicateKeyError:
            pass

    def claim_delivery(self, announcement_id, user_id, channel):
        try:
            self.deliveries.insert_one({"announcement_id": announcement_id, "user_id": user_id,
                                        "channel": channel, "status": PENDING, "at": None})
            return True
        except DuplicateKeyError:
            document = self.deliveries.find_one({"announcement_id": announcement_id,
                                                 "user_id": user_id, "channel": channel})
            return document is not None and document["status"] in (PENDING, "failed")

    def claim_deliveries(self, announcement_id, user_ids, channel):
        return [user_id for user_id in user_ids
                if self.claim_delivery(announcement_id, user_id, channel)]

    def record_deliveries(self, announcement_id, channel, statuses, at):
        by_status = {}
        for user_id, status in statuses.items():
            by_status.setdefault(status, []).append(user_id)
        for status, user_ids in by_status.items():
            self.deliveries.update_many(
                {"announcement_id": announcement_id, "channel": channel,
                 "user_id": {"$in": user_ids}}, {"$set": {"status": status, "at": at}})

    def record_delivery(self, announcement_id, user_id, channel, status, at):
        self.deliveries.update_one({"announcement_id": announcement_id, "user_id": user_id,
                                    "channel": channel}, {"$set": {"status": status, "at": at}})

    def delivery_counts(self, announcement_id):
        cursor = self.deliveries.aggregate([
            {"$match": {"announcement_id": announcement_id}},
            {"$group": {"_id": {"channel": "$channel", "status": "$status"},
                        "n": {"$sum": 1}}}])
        return {(row["_id"]["channel"], row["_id"]["status"]): row["n"] for row in cursor}

    def deliveries_of(self, user_id):
        cursor = self.deliveries.find({"user_id": user_id}, {"_id": 0, "user_id": 0})
        return sorted((dict(d) for d in cursor), key=lambda d: d.get("at") or "")

    def add_subscription(self, user_id, subscription):
        self.push.replace_one({"_id": subscription["id"]},
                              {"user_id": user_id, "subscription": subscription}, upsert=True)

    def count_subscriptions(self, user_id):
        return self.push.count_documents({"user_id": user_id})

    def remove_subscription(self, user_id, subscription_id):
        return self.push.delete_one({"_id": subscription_id,
                                     "user_id": user_id}).deleted_count == 1

    def drop_subscription(self, subscription_id):
        self.push.delete_one({"_id": subscription_id})

    def subscriptions_of(self, user_ids):
        found = {}
        for document in self.push.find({"user_id": {"$in": list(user_ids)}}):
            found.setdefault(document["user_id"], []).append(document["subscription"])
        return found

    def forget_user(self, user_id):
        self.push.delete_many({"user_id": user_id})
        self.recipients.delete_one({"_id": user_id})
        self.settings_collection.delete_one({"_id": user_id})
        self.deliveries.delete_many({"user_id": user_id})
