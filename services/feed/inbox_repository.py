"""The inbox's store: each person's notifications, their "read up to" mark and the announcements
they marked read one by one. One port, two adapters (SQLite, MongoDB), held to the same contract
by tests/unit/test_feed_inbox_repository.py.

A notification is unique per (recipient, key), so an event handled twice adds nothing. The inbox
pages newest first on (created_at, id) by a range below the last item seen. An erased person is
remembered by id only (a tombstone) so a late event cannot start a new inbox for them.
"""
import hashlib
import json

import pymongo
from pymongo.errors import DuplicateKeyError

from services.feed.inbox import Notification, chat_key

_TOP = ("\uffff", "\uffff")


class SqliteInbox:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS inbox_notifications (
                id TEXT PRIMARY KEY, user_id TEXT NOT NULL, key TEXT NOT NULL,
                kind TEXT NOT NULL, created_at TEXT NOT NULL, read INTEGER NOT NULL,
                actor_id TEXT NOT NULL, count INTEGER NOT NULL, data TEXT NOT NULL,
                UNIQUE (user_id, key))""")
            db.execute("""CREATE INDEX IF NOT EXISTS inbox_newest
                ON inbox_notifications (user_id, created_at, id)""")
            db.execute("""CREATE INDEX IF NOT EXISTS inbox_unread
                ON inbox_notifications (user_id, read, created_at, id)""")
            db.execute("CREATE INDEX IF NOT EXISTS inbox_by_actor ON inbox_notifications "
                       "(actor_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS inbox_marks (
                user_id TEXT PRIMARY KEY, read_until TEXT NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS inbox_announcement_reads (
                user_id TEXT NOT NULL, post_id TEXT NOT NULL, PRIMARY KEY (user_id, post_id))""")
            db.execute("CREATE TABLE IF NOT EXISTS inbox_erased (user_id TEXT PRIMARY KEY)")

    @staticmethod
    def _notification(row):
        return Notification(
            id=row["id"], user_id=row["user_id"], kind=row["kind"], key=row["key"],
            created_at=row["created_at"], read=bool(row["read"]), actor_id=row["actor_id"],
            count=row["count"], data=json.loads(row["data"]))

    @staticmethod
    def _erased(db, user_id):
        return db.execute("SELECT 1 FROM inbox_erased WHERE user_id IN (?, ?)",
                          (erased_key(user_id), user_id)).fetchone() is not None

    @staticmethod
    def _insert(db, n):
        return db.execute(
            """INSERT OR IGNORE INTO inbox_notifications (id, user_id, key, kind, created_at,
                   read, actor_id, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (n.id, n.user_id, n.key, n.kind, n.created_at, int(n.read), n.actor_id, n.count,
             json.dumps(n.data, separators=(",", ":")))).rowcount == 1

    def add(self, notification):
        """Store it unless the recipient already has one under its key; True if stored."""
        with self.store.transaction() as db:
            if self._erased(db, notification.user_id):
                return False
            return self._insert(db, notification)

    def add_chat_message(self, notification):
        """The recipient's entry for a conversation: created, or moved to this message (the count
        goes up while unread, restarts at 1 once read). The same message twice counts once."""
        with self.store.transaction() as db:
            if self._erased(db, notification.user_id):
                return False
            row = db.execute("SELECT * FROM inbox_notifications WHERE user_id = ? AND key = ?",
                             (notification.user_id, notification.key)).fetchone()
            if row is None:
                return self._insert(db, notification)
            current = self._notification(row)
            if current.data.get("message_id") == notification.data.get("message_id"):
                return False
            db.execute(
                """UPDATE inbox_notifications SET created_at = MAX(created_at, ?), read = 0,
                       actor_id = ?, count = CASE WHEN read = 1 THEN 1 ELSE count + 1 END,
                       data = ? WHERE id = ?""",
                (notification.created_at, notification.actor_id,
                 json.dumps(notification.data, separators=(",", ":")), current.id))
            return True

    def page(self, user_id, before=None, limit=20, unread_only=False):
        at, item_id = before or _TOP
        rows = self.store.execute(
            """SELECT * FROM inbox_notifications WHERE user_id = ? %s
                 AND (created_at < ? OR (created_at = ? AND id < ?))
               ORDER BY created_at DESC, id DESC LIMIT ?"""
            % ("AND read = 0" if unread_only else ""),
            (user_id, at, at, item_id, limit)).fetchall()
        return [self._notification(row) for row in rows]

    def unread_counts(self, user_id):
        rows = self.store.execute(
            "SELECT kind, COUNT(*) AS n FROM inbox_notifications WHERE user_id = ? AND read = 0 "
            "GROUP BY kind", (user_id,)).fetchall()
        return {row["kind"]: row["n"] for row in rows}

    def unread_chat_counts(self, user_id, conversation_ids):
        """{conversation id: messages unread} among these conversations (absent: none)."""
        keys = {chat_key(c): c for c in conversation_ids}
        if not keys:
            return {}
        rows = self.store.execute(
            "SELECT key, count FROM inbox_notifications WHERE user_id = ? AND read = 0 "
            "AND key IN (%s)" % ",".join("?" * len(keys)), (user_id, *keys)).fetchall()
        return {keys[row["key"]]: row["count"] for row in rows}

    def mark_read(self, user_id, ids):
        if not ids:
            return 0
        return self.store.execute(
            "UPDATE inbox_notifications SET read = 1 WHERE user_id = ? AND read = 0 AND id IN "
            "(%s)" % ",".join("?" * len(ids)), (user_id, *ids)).rowcount

    def mark_read_until(self, user_id, up_to):
        """Everything up to `up_to` is read, announcements included (the mark only moves on)."""
        with self.store.transaction() as db:
            marked = db.execute(
                "UPDATE inbox_notifications SET read = 1 WHERE user_id = ? AND read = 0 "
                "AND created_at <= ?", (user_id, up_to)).rowcount
            db.execute(
                """INSERT INTO inbox_marks (user_id, read_until) VALUES (?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET
                       read_until = MAX(read_until, excluded.read_until)""", (user_id, up_to))
        return marked

    def mark_key_read(self, user_id, key):
        return self.store.execute(
            "UPDATE inbox_notifications SET read = 1 WHERE user_id = ? AND key = ? AND read = 0",
            (user_id, key)).rowcount

    def read_until(self, user_id):
        row = self.store.execute("SELECT read_until FROM inbox_marks WHERE user_id = ?",
                                 (user_id,)).fetchone()
        return row["read_until"] if row else ""

    def announcements_read(self, user_id, post_ids):
        post_ids = list(post_ids)
        if not post_ids:
            return set()
        rows = self.store.execute(
            "SELECT post_id FROM inbox_announcement_reads WHERE user_id = ? AND post_id IN (%s)"
            % ",".join("?" * len(post_ids)), (user_id, *post_ids)).fetchall()
        return {row["post_id"] for row in rows}

    def mark_announcements_read(self, user_id, post_ids):
        with self.store.transaction() as db:
            return sum(db.execute(
                "INSERT OR IGNORE INTO inbox_announcement_reads (user_id, post_id) VALUES (?, ?)",
                (user_id, post_id)).rowcount for post_id in dict.fromkeys(post_ids))

    def notifications_of(self, user_id):
        rows = self.store.execute(
            "SELECT * FROM inbox_notifications WHERE user_id = ? ORDER BY created_at, id",
            (user_id,)).fetchall()
        return [self._notification(row) for row in rows]

    def erase_user(self, user_id):
        """Their inbox and marks go; in others' inboxes they are no longer named."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM inbox_notifications WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM inbox_marks WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM inbox_announcement_reads WHERE user_id = ?", (user_id,))
            db.execute("UPDATE inbox_notifications SET actor_id = '' WHERE actor_id = ?",
                       (user_id,))
            db.execute("INSERT OR IGNORE INTO inbox_erased (user_id) VALUES (?)",
                       (erased_key(user_id),))


def erased_key(user_id):
    """How the list of erased recipients names one: a digest, so the list itself names no one
    (it only answers "was this id erased?" to someone who already has the id)."""
    return "sha256:" + hashlib.sha256(user_id.encode()).hexdigest()


class MongoInbox:
    """Indexes: unique {user_id, key}; the inbox {user_id: 1, created_at: -1, _id: -1} and unread
    only {user_id: 1, read: 1, created_at: -1, _id: -1} (equality, then the sort = the range)."""

    def __init__(self, store):
        db = store.db
        self.notifications = db["inbox_notifications"]
        self.marks = db["inbox_marks"]
        self.reads = db["inbox_announcement_reads"]
        self.erased = db["inbox_erased"]
        self.notifications.create_index([("user_id", pymongo.ASCENDING),
                                         ("key", pymongo.ASCENDING)], unique=True,
                                        name="one_per_key")
        self.notifications.create_index(
            [("user_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING),
             ("_id", pymongo.DESCENDING)], name="newest")
        self.notifications.create_index(
            [("user_id", pymongo.ASCENDING), ("read", pymongo.ASCENDING),
             ("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)], name="unread")
        self.notifications.create_index([("actor_id", pymongo.ASCENDING)], name="by_actor")
        self.reads.create_index([("user_id", pymongo.ASCENDING)], name="by_user")

    @staticmethod
    def _notification(document):
        document = dict(document)
        document["id"] = document.pop("_id")
        return Notification(**document)

    @staticmethod
    def _document(notification):
        document = notification.to_dict()
        document["_id"] = document.pop("id")
        return document

    def _is_erased(self, user_id):
        return self.erased.find_one({"_id": {"$in": [erased_key(user_id), user_id]}}) is not None

    def add(self, notification):
        if self._is_erased(notification.user_id):
            return False
        try:
            self.notifications.insert_one(self._document(notification))
        except DuplicateKeyError:
            return False
        return True

    def add_chat_message(self, notification):
        if self._is_erased(notification.user_id):
            return False
        if self.add(notification):
            return True
        where = {"user_id": notification.user_id, "key": notification.key,
                 "data.message_id": {"$ne": notification.data.get("message_id")}}
        moved = {"actor_id": notification.actor_id, "data": notification.data}
        if self.notifications.update_one(
                dict(where, read=False),
                {"$set": moved, "$inc": {"count": 1},
                 "$max": {"created_at": notification.created_at}}).matched_count:
            return True
        return self.notifications.update_one(
            dict(where, read=True),
            {"$set": dict(moved, read=False, count=1),
             "$max": {"created_at": notification.created_at}}).matched_count == 1

    def page(self, user_id, before=None, limit=20, unread_only=False):
        at, item_id = before or _TOP
        query = {"user_id": user_id,
                 "$or": [{"created_at": {"$lt": at}}, {"created_at": at, "_id": {"$lt": item_id}}]}
        if unread_only:
            query["read"] = False
        found = self.notifications.find(query).sort(
            [("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]).limit(limit)
        return [self._notification(d) for d in found]

    def unread_counts(self, user_id):
        return {row["_id"]: row["n"] for row in self.notifications.aggregate([
            {"$match": {"user_id": user_id, "read": False}},
            {"$group": {"_id": "$kind", "n": {"$sum": 1}}}])}

    def unread_chat_counts(self, user_id, conversation_ids):
        keys = {chat_key(c): c for c in conversation_ids}
        if not keys:
            return {}
        found = self.notifications.find({"user_id": user_id, "read": False,
                                         "key": {"$in": list(keys)}})
        return {keys[d["key"]]: d["count"] for d in found}

    def mark_read(self, user_id, ids):
        if not ids:
            return 0
        return self.notifications.update_many(
            {"user_id": user_id, "read": False, "_id": {"$in": list(ids)}},
            {"$set": {"read": True}}).modified_count

    def mark_read_until(self, user_id, up_to):
        marked = self.notifications.update_many(
            {"user_id": user_id, "read": False, "created_at": {"$lte": up_to}},
            {"$set": {"read": True}}).modified_count
        self.marks.update_one({"_id": user_id}, {"$max": {"read_until": up_to}}, upsert=True)
        return marked

    def mark_key_read(self, user_id, key):
        return self.notifications.update_one({"user_id": user_id, "key": key, "read": False},
                                             {"$set": {"read": True}}).modified_count

    def read_until(self, user_id):
        found = self.marks.find_one({"_id": user_id})
        return found["read_until"] if found else ""

    def announcements_read(self, user_id, post_ids):
        keys = ["%s:%s" % (user_id, p) for p in post_ids]
        return {d["post_id"] for d in self.reads.find({"_id": {"$in": keys}})}

    def mark_announcements_read(self, user_id, post_ids):
        added = 0
        for post_id in dict.fromkeys(post_ids):
            try:
                self.reads.insert_one({"_id": "%s:%s" % (user_id, post_id), "user_id": user_id,
                                       "post_id": post_id})
                added += 1
            except DuplicateKeyError:
                pass
        return added

    def notifications_of(self, user_id):
        found = self.notifications.find({"user_id": user_id}).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])
        return [self._notification(d) for d in found]

    def erase_user(self, user_id):
        # The tombstone first: an event arriving meanwhile finds it and adds nothing.
        self.erased.update_one({"_id": erased_key(user_id)}, {"$setOnInsert": {"erased": True}},
                               upsert=True)
        self.notifications.delete_many({"user_id": user_id})
        self.marks.delete_one({"_id": user_id})
        self.reads.delete_many({"user_id": user_id})
        self.notifications.update_many({"actor_id": user_id}, {"$set": {"actor_id": ""}})
