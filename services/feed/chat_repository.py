"""Chat's store: conversations with their members, messages, blocks and message reports. One
port, two adapters (SQLite, MongoDB), held to the same contract by
tests/unit/test_feed_chat_repository.py.

- a direct conversation is unique per pair by a unique key on `direct_key`, so two people starting
  it at the same moment get the same one;
- the group cap is enforced by the write itself (inside a transaction on SQLite; on MongoDB by an
  update that only matches while the members array has room), never by read-then-write alone;
- messages page newest first on (created_at, id) by a range below the last one seen; a member's
  range starts at the time they joined;
- a report keeps a copy of the reported message's text: what moderation may read, even after the
  conversation is gone.
"""
import json
import re
import sqlite3

import pymongo
from pymongo.errors import DuplicateKeyError

from services.feed import chat
from services.feed.chat import Conversation, Message

_TOP = ("\uffff", "\uffff")


def _report_key(report):
    return "%s:%s" % (report["message_id"], report["reporter_id"])


class SqliteChat:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            # direct_key is NULL for groups (SQLite's UNIQUE lets NULLs repeat).
            db.execute("""CREATE TABLE IF NOT EXISTS chat_conversations (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, kind TEXT NOT NULL,
                title TEXT NOT NULL, owner_id TEXT NOT NULL, created_at TEXT NOT NULL,
                last_message_at TEXT NOT NULL, direct_key TEXT UNIQUE)""")
            db.execute("""CREATE TABLE IF NOT EXISTS chat_members (
                conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, joined_at TEXT NOT NULL,
                PRIMARY KEY (conversation_id, user_id))""")
            db.execute("CREATE INDEX IF NOT EXISTS chat_members_by_user ON chat_members (user_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS chat_messages (
                id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, author_id TEXT NOT NULL,
                body TEXT NOT NULL, created_at TEXT NOT NULL, state TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS chat_messages_thread
                ON chat_messages (conversation_id, created_at, id)""")
            # (author, time): the export, erasure and the sender's pace (messages this minute)
            db.execute("DROP INDEX IF EXISTS chat_messages_by_author")
            db.execute("""CREATE INDEX IF NOT EXISTS chat_messages_by_author_time
                ON chat_messages (author_id, created_at)""")
            db.execute("""CREATE TABLE IF NOT EXISTS chat_blocks (
                blocker_id TEXT NOT NULL, blocked_id TEXT NOT NULL, created_at TEXT NOT NULL,
                PRIMARY KEY (blocker_id, blocked_id))""")
            db.execute("CREATE INDEX IF NOT EXISTS chat_blocks_by_blocked ON chat_blocks "
                       "(blocked_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS chat_reports (
                message_id TEXT NOT NULL, reporter_id TEXT NOT NULL, author_id TEXT NOT NULL,
                document TEXT NOT NULL, PRIMARY KEY (message_id, reporter_id))""")
            db.execute("CREATE INDEX IF NOT EXISTS chat_reports_by_reporter ON chat_reports "
                       "(reporter_id)")
            db.execute("CREATE INDEX IF NOT EXISTS chat_reports_by_author ON chat_reports "
                       "(author_id)")

    # -- conversations

    def _members(self, db, ids):
        found = {i: {} for i in ids}
        if ids:
            for row in db.execute(
                    "SELECT conversation_id, user_id, joined_at FROM chat_members "
                    "WHERE conversation_id IN (%s)" % ",".join("?" * len(ids)), list(ids)):
                found[row["conversation_id"]][row["user_id"]] = row["joined_at"]
        return found

    def _conversations(self, db, rows):
        members = self._members(db, [row["id"] for row in rows])
        return [Conversation(
            id=row["id"], municipality_id=row["municipality_id"], kind=row["kind"],
            title=row["title"], owner_id=row["owner_id"], created_at=row["created_at"],
            last_message_at=row["last_message_at"], members=members[row["id"]]) for row in rows]

    def _get(self, db, conversation_id):
        rows = db.execute("SELECT * FROM chat_conversations WHERE id = ?",
                          (conversation_id,)).fetchall()
        found = self._conversations(db, rows)
        return found[0] if found else None

    def get_conversation(self, conversation_id):
        with self.store.transaction() as db:
            return self._get(db, conversation_id)

    @staticmethod
    def _insert(db, conversation, key):
        db.execute(
            """INSERT INTO chat_conversations (id, municipality_id, kind, title, owner_id,
                   created_at, last_message_at, direct_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (conversation.id, conversation.municipality_id, conversation.kind,
             conversation.title, conversation.owner_id, conversation.created_at,
             conversation.last_message_at, key))
        db.executemany(
            "INSERT INTO chat_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)",
            [(conversation.id, user_id, joined) for user_id, joined
             in conversation.members.items()])

    def open_direct(self, conversation):
        """The pair's direct conversation: `conversation` stored if the pair has none, else the
        existing one with both of them (back) in it. (stored conversation, created?)."""
        a, b = conversation.member_ids
        key = chat.direct_key(a, b)
        with self.store.transaction() as db:
            row = db.execute("SELECT id FROM chat_conversations WHERE direct_key = ?",
                             (key,)).fetchone()
            if row is None:
                self._insert(db, conversation, key)
                return self._get(db, conversation.id), True
            db.executemany(
                "INSERT OR IGNORE INTO chat_members (conversation_id, user_id, joined_at) "
                "VALUES (?, ?, ?)",
                [(row["id"], user_id, joined) for user_id, joined
                 in conversation.members.items()])
            return self._get(db, row["id"]), False

    def create_group(self, conversation):
        with self.store.transaction() as db:
            self._insert(db, conversation, None)
        return conversation

    def add_members(self, conversation_id, user_ids, joined_at, cap):
        """Add members who are not in yet, all or none: None when that would pass `cap` (or the
        conversation is gone), else the conversation after."""
        with self.store.transaction() as db:
            current = self._get(db, conversation_id)
            if current is None:
                return None
            new = [u for u in dict.fromkeys(user_ids) if u not in current.members]
            if len(current.members) + len(new) > cap:
                return None
            db.executemany(
                "INSERT INTO chat_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)",
                [(conversation_id, user_id, joined_at) for user_id in new])
            return self._get(db, conversation_id)

    def _remove(self, db, conversation, user_id):
        db.execute("DELETE FROM chat_members WHERE conversation_id = ? AND user_id = ?",
                   (conversation.id, user_id))
        left = db.execute("SELECT COUNT(*) AS n FROM chat_members WHERE conversation_id = ?",
                          (conversation.id,)).fetchone()["n"]
        if left == 0:
            db.execute("DELETE FROM chat_messages WHERE conversation_id = ?", (conversation.id,))
            db.execute("DELETE FROM chat_conversations WHERE id = ?", (conversation.id,))
        else:
            db.execute("UPDATE chat_conversations SET owner_id = ? WHERE id = ?",
                       (chat.next_owner(conversation, user_id), conversation.id))
        return left

    def remove_member(self, conversation_id, user_id):
        """Take the user out; the owner's role passes on; a conversation left empty is deleted
        with its messages. How many members remain (None if they were not in)."""
        with self.store.transaction() as db:
            current = self._get(db, conversation_id)
            if current is None or user_id not in current.members:
                return None
            return self._remove(db, current, user_id)

    def conversations_of(self, user_id, before=None, limit=20):
        """The user's conversations, latest activity first, below (last_message_at, id)."""
        at, conversation_id = before or _TOP
        with self.store.transaction() as db:
            rows = db.execute(
                """SELECT c.* FROM chat_members m JOIN chat_conversations c
                       ON c.id = m.conversation_id
                   WHERE m.user_id = ? AND (c.last_message_at < ? OR
                         (c.last_message_at = ? AND c.id < ?))
                   ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?""",
                (user_id, at, at, conversation_id, limit)).fetchall()
            return self._conversations(db, rows)

    # -- messages

    @staticmethod
    def _message(row):
        return None if row is None else Message(
            id=row["id"], conversation_id=row["conversation_id"], author_id=row["author_id"],
            body=row["body"], created_at=row["created_at"], state=row["state"])

    def add_message(self, message):
        """Store the message and move the conversation's activity; False if it is gone."""
        with self.store.transaction() as db:
            moved = db.execute(
                "UPDATE chat_conversations SET last_message_at = MAX(last_message_at, ?) "
                "WHERE id = ?", (message.created_at, message.conversation_id)).rowcount
            if not moved:
                return False
            db.execute(
                """INSERT INTO chat_messages (id, conversation_id, author_id, body, created_at,
                       state) VALUES (?, ?, ?, ?, ?, ?)""",
                (message.id, message.conversation_id, message.author_id, message.body,
                 message.created_at, message.state))
        return True

    def get_message(self, message_id):
        return self._message(self.store.execute(
            "SELECT * FROM chat_messages WHERE id = ?", (message_id,)).fetchone())

    def messages_page(self, conversation_id, since, before=None, limit=20):
        """Newest first, written at or after `since`, strictly below `before` = (at, id)."""
        at, message_id = before or _TOP
        rows = self.store.execute(
            """SELECT * FROM chat_messages WHERE conversation_id = ? AND created_at >= ?
                 AND (created_at < ? OR (created_at = ? AND id < ?))
               ORDER BY created_at DESC, id DESC LIMIT ?""",
            (conversation_id, since, at, at, message_id, limit)).fetchall()
        return [self._message(row) for row in rows]

    def set_message_state(self, message_id, state):
        """Moderation hides or restores a message; an erased one stays erased."""
        return self.store.execute(
            "UPDATE chat_messages SET state = ? WHERE id = ? AND state != ?",
            (state, message_id, chat.ERASED)).rowcount == 1

    def messages_since(self, author_id, since):
        """How many messages the author wrote after `since` (any conversation)."""
        return self.store.execute(
            "SELECT COUNT(*) AS n FROM chat_messages WHERE author_id = ? AND created_at > ?",
            (author_id, since)).fetchone()["n"]

    def messages_by(self, author_id):
        rows = self.store.execute(
            "SELECT * FROM chat_messages WHERE author_id = ? ORDER BY created_at, id",
            (author_id,)).fetchall()
        return [self._message(row) for row in rows]

    # -- blocks

    def block(self, blocker_id, blocked_id, at):
        return self.store.execute(
            "INSERT OR IGNORE INTO chat_blocks (blocker_id, blocked_id, created_at) "
            "VALUES (?, ?, ?)", (blocker_id, blocked_id, at)).rowcount == 1

    def unblock(self, blocker_id, blocked_id):
        return self.store.execute(
            "DELETE FROM chat_blocks WHERE blocker_id = ? AND blocked_id = ?",
            (blocker_id, blocked_id)).rowcount == 1

    def blocks_of(self, blocker_id, after=None, limit=20):
        """Whom the user blocked, oldest first, after (created_at, user id)."""
        at, user_id = after or ("", "")
        rows = self.store.execute(
            """SELECT blocked_id, created_at FROM chat_blocks WHERE blocker_id = ?
                 AND (created_at > ? OR (created_at = ? AND blocked_id > ?))
               ORDER BY created_at, blocked_id LIMIT ?""",
            (blocker_id, at, at, user_id, limit)).fetchall()
        return [{"user_id": row["blocked_id"], "blocked_at": row["created_at"]} for row in rows]

    def blocks_between(self, user_id, others):
        """[(blocker, blocked)] for every block from or to `user_id` among `others`."""
        others = [o for o in dict.fromkeys(others) if o != user_id]
        if not others:
            return []
        marks = ",".join("?" * len(others))
        rows = self.store.execute(
            "SELECT blocker_id, blocked_id FROM chat_blocks WHERE "
            "(blocked_id = ? AND blocker_id IN (%s)) OR (blocker_id = ? AND blocked_id IN (%s))"
            % (marks, marks), (user_id, *others, user_id, *others)).fetchall()
        return sorted((row["blocker_id"], row["blocked_id"]) for row in rows)

    # -- reports

    def add_report(self, report):
        try:
            self.store.execute(
                "INSERT INTO chat_reports (message_id, reporter_id, author_id, document) "
                "VALUES (?, ?, ?, ?)",
                (report["message_id"], report["reporter_id"], report["author_id"],
                 json.dumps(report, separators=(",", ":"))))
        except sqlite3.IntegrityError:
            return False
        return True

    def reports_of_message(self, message_id):
        rows = self.store.execute(
            "SELECT document FROM chat_reports WHERE message_id = ? ORDER BY reporter_id",
            (message_id,)).fetchall()
        return sorted((json.loads(row["document"]) for row in rows),
                      key=lambda r: (r["reported_at"], r["reporter_id"]))

    def reports_by(self, reporter_id):
        rows = self.store.execute(
            "SELECT document FROM chat_reports WHERE reporter_id = ?", (reporter_id,)).fetchall()
        return sorted((json.loads(row["document"]) for row in rows),
                      key=lambda r: (r["reported_at"], r["message_id"]))

    # -- GDPR

    def conversations_with(self, user_id):
        with self.store.transaction() as db:
            rows = db.execute(
                """SELECT c.* FROM chat_members m JOIN chat_conversations c
                       ON c.id = m.conversation_id WHERE m.user_id = ?
                   ORDER BY c.created_at, c.id""", (user_id,)).fetchall()
            return self._conversations(db, rows)

    def erase_user(self, user_id):
        """The user leaves every conversation (those left empty are deleted); their messages
        elsewhere become placeholders without text or author; their blocks (both ways) and
        reports, and the reports of their messages (which copy their text), are deleted."""
        with self.store.transaction() as db:
            # A group they own most likely bears the name they gave it: the name goes.
            db.execute("UPDATE chat_conversations SET title = '' WHERE owner_id = ?",
                       (user_id,))
            ids = [row["conversation_id"] for row in db.execute(
                "SELECT conversation_id FROM chat_members WHERE user_id = ?", (user_id,))]
            for conversation_id in ids:
                self._remove(db, self._get(db, conversation_id), user_id)
            db.execute("UPDATE chat_conversations SET direct_key = NULL WHERE direct_key LIKE ? "
                       "OR direct_key LIKE ?", (user_id + ":%", "%:" + user_id))
            db.execute("UPDATE chat_messages SET body = '', author_id = '', state = ? "
                       "WHERE author_id = ?", (chat.ERASED, user_id))
            db.execute("DELETE FROM chat_blocks WHERE blocker_id = ? OR blocked_id = ?",
                       (user_id, user_id))
            db.execute("DELETE FROM chat_reports WHERE reporter_id = ? OR author_id = ?",
                       (user_id, user_id))


class MongoChat:
    """A conversation is one document holding its members ({user id: joined at}) and the
    `member_ids` array; "my conversations" is the multikey index
    {member_ids: 1, last_message_at: -1, _id: -1} (equality, then the sort = the cursor's range).
    Messages: {conversation_id: 1, created_at: -1, _id: -1}."""

    def __init__(self, store):
        db = store.db
        self.conversations = db["chat_conversations"]
        self.messages = db["chat_messages"]
        self.blocks = db["chat_blocks"]
        self.reports = db["chat_reports"]
        self.conversations.create_index(
            [("member_ids", pymongo.ASCENDING), ("last_message_at", pymongo.DESCENDING),
             ("_id", pymongo.DESCENDING)], name="mine")
        # Sparse: groups have no direct_key; one direct conversation per pair.
        self.conversations.create_index([("direct_key", pymongo.ASCENDING)], unique=True,
                                        sparse=True, name="one_per_pair")
        self.messages.create_index(
            [("conversation_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING),
             ("_id", pymongo.DESCENDING)], name="thread")
        self.messages.create_index([("author_id", pymongo.ASCENDING),
                                    ("created_at", pymongo.ASCENDING)], name="by_author_time")
        self.blocks.create_index([("blocker_id", pymongo.ASCENDING),
                                  ("created_at", pymongo.ASCENDING),
                                  ("blocked_id", pymongo.ASCENDING)], name="by_blocker")
        self.blocks.create_index([("blocked_id", pymongo.ASCENDING)], name="by_blocked")
        self.reports.create_index([("message_id", pymongo.ASCENDING)], name="by_message")
        self.reports.create_index([("reporter_id", pymongo.ASCENDING)], name="by_reporter")
        self.reports.create_index([("author_id", pymongo.ASCENDING)], name="by_author")

    # -- conversations

    @staticmethod
    def _conversation(document):
        if document is None:
            return None
        return Conversation(
            id=document["_id"], municipality_id=document["municipality_id"],
            kind=document["kind"], title=document["title"], owner_id=document["owner_id"],
            created_at=document["created_at"], last_message_at=document["last_message_at"],
            members=dict(document.get("members") or {}))

    @staticmethod
    def _document(conversation, key=None):
        document = conversation.to_dict()
        document["_id"] = document.pop("id")
        document["member_ids"] = conversation.member_ids
        if key:
            document["direct_key"] = key
        return document

    def get_conversation(self, conversation_id):
        return self._conversation(self.conversations.find_one({"_id": conversation_id}))

    def open_direct(self, conversation):
        a, b = conversation.member_ids
        key = chat.direct_key(a, b)
        try:
            self.conversations.insert_one(self._document(conversation, key))
            return conversation, True
        except DuplicateKeyError:
            pass
        existing = self.conversations.find_one({"direct_key": key})
        for user_id, joined in conversation.members.items():
            # Only someone not in it (any more) gets a new joining time.
            self.conversations.update_one(
                {"_id": existing["_id"], "member_ids": {"$ne": user_id}},
                {"$set": {"members." + user_id: joined}, "$addToSet": {"member_ids": user_id}})
        return self.get_conversation(existing["_id"]), False

    def create_group(self, conversation):
        self.conversations.insert_one(self._document(conversation))
        return conversation

    def add_members(self, conversation_id, user_ids, joined_at, cap):
        current = self.get_conversation(conversation_id)
        if current is None:
            return None
        new = [u for u in dict.fromkeys(user_ids) if u not in current.members]
        if not new:
            return current
        if len(new) > cap:
            return None
        # Matches only while there is room for all of them: no element at index cap - len(new)
        # means at most cap - len(new) members now. Concurrent adds cannot both pass it.
        changes = {"$set": {"members." + u: joined_at for u in new},
                   "$addToSet": {"member_ids": {"$each": new}}}
        room = {"_id": conversation_id, "member_ids.%d" % (cap - len(new)): {"$exists": False},
                "member_ids": {"$nin": new}}
        if self.conversations.update_one(room, changes).matched_count != 1:
            return None
        return self.get_conversation(conversation_id)

    def _remove(self, current, user_id):
        after = self.conversations.find_one_and_update(
            {"_id": current.id, "member_ids": user_id},
            {"$unset": {"members." + user_id: ""}, "$pull": {"member_ids": user_id},
             "$set": {"owner_id": chat.next_owner(current, user_id)}},
            return_document=pymongo.ReturnDocument.AFTER)
        if after is None:
            return None
        left = len(after["member_ids"])
        if left == 0 and self.conversations.delete_one(
                {"_id": current.id, "member_ids": {"$size": 0}}).deleted_count:
            self.messages.delete_many({"conversation_id": current.id})
        return left

    def remove_member(self, conversation_id, user_id):
        current = self.get_conversation(conversation_id)
        if current is None or user_id not in current.members:
            return None
        return self._remove(current, user_id)

    def conversations_of(self, user_id, before=None, limit=20):
        at, conversation_id = before or _TOP
        found = self.conversations.find({
            "member_ids": user_id,
            "$or": [{"last_message_at": {"$lt": at}},
                    {"last_message_at": at, "_id": {"$lt": conversation_id}}],
        }).sort([("last_message_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]).limit(
            limit)
        return [self._conversation(d) for d in found]

    # -- messages

    @staticmethod
    def _message(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        return Message(**document)

    def add_message(self, message):
        moved = self.conversations.update_one(
            {"_id": message.conversation_id},
            {"$max": {"last_message_at": message.created_at}}).matched_count
        if not moved:
            return False
        document = message.to_dict()
        document["_id"] = document.pop("id")
        self.messages.insert_one(document)
        return True

    def get_message(self, message_id):
        return self._message(self.messages.find_one({"_id": message_id}))

    def messages_page(self, conversation_id, since, before=None, limit=20):
        at, message_id = before or _TOP
        found = self.messages.find({
            "conversation_id": conversation_id,
            "$and": [{"created_at": {"$gte": since}},
                     {"$or": [{"created_at": {"$lt": at}},
                              {"created_at": at, "_id": {"$lt": message_id}}]}],
        }).sort([("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]).limit(limit)
        return [self._message(d) for d in found]

    def set_message_state(self, message_id, state):
        return self.messages.update_one(
            {"_id": message_id, "state": {"$ne": chat.ERASED}},
            {"$set": {"state": state}}).matched_count == 1

    def messages_since(self, author_id, since):
        return self.messages.count_documents({"author_id": author_id,
                                              "created_at": {"$gt": since}})

    def messages_by(self, author_id):
        found = self.messages.find({"author_id": author_id}).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])
        return [self._message(d) for d in found]

    # -- blocks

    def block(self, blocker_id, blocked_id, at):
        try:
            self.blocks.insert_one({"_id": "%s:%s" % (blocker_id, blocked_id),
                                    "blocker_id": blocker_id, "blocked_id": blocked_id,
                                    "created_at": at})
        except DuplicateKeyError:
            return False
        return True

    def unblock(self, blocker_id, blocked_id):
        return self.blocks.delete_one(
            {"_id": "%s:%s" % (blocker_id, blocked_id)}).deleted_count == 1

    def blocks_of(self, blocker_id, after=None, limit=20):
        at, user_id = after or ("", "")
        found = self.blocks.find({
            "blocker_id": blocker_id,
            "$or": [{"created_at": {"$gt": at}},
                    {"created_at": at, "blocked_id": {"$gt": user_id}}],
        }).sort([("created_at", pymongo.ASCENDING), ("blocked_id", pymongo.ASCENDING)]).limit(
            limit)
        return [{"user_id": d["blocked_id"], "blocked_at": d["created_at"]} for d in found]

    def blocks_between(self, user_id, others):
        others = [o for o in dict.fromkeys(others) if o != user_id]
        if not others:
            return []
        found = self.blocks.find({"$or": [
            {"blocked_id": user_id, "blocker_id": {"$in": others}},
            {"blocker_id": user_id, "blocked_id": {"$in": others}}]})
        return sorted((d["blocker_id"], d["blocked_id"]) for d in found)

    # -- reports

    def add_report(self, report):
        try:
            self.reports.insert_one(dict(report, _id=_report_key(report)))
        except DuplicateKeyError:
            return False
        return True

    def reports_of_message(self, message_id):
        found = self.reports.find({"message_id": message_id}, {"_id": 0})
        return sorted((dict(d) for d in found), key=lambda r: (r["reported_at"],
                                                                r["reporter_id"]))

    def reports_by(self, reporter_id):
        found = self.reports.find({"reporter_id": reporter_id}, {"_id": 0})
        return sorted((dict(d) for d in found), key=lambda r: (r["reported_at"],
                                                                r["message_id"]))

    # -- GDPR

    def conversations_with(self, user_id):
        found = self.conversations.find({"member_ids": user_id}).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])
        return [self._conversation(d) for d in found]

    def erase_user(self, user_id):
        self.conversations.update_many({"owner_id": user_id}, {"$set": {"title": ""}})
        for conversation in self.conversations_with(user_id):
            self._remove(conversation, user_id)
        # The pair's key names the erased user: drop it (the one who stays keeps the thread).
        self.conversations.update_many(
            {"direct_key": {"$regex": "(^%s:)|(:%s$)" % (re.escape(user_id),
                                                          re.escape(user_id))}},
            {"$unset": {"direct_key": ""}})
        self.messages.update_many({"author_id": user_id},
                                  {"$set": {"body": "", "author_id": "", "state": chat.ERASED}})
        self.blocks.delete_many({"$or": [{"blocker_id": user_id}, {"blocked_id": user_id}]})
        self.reports.delete_many({"$or": [{"reporter_id": user_id}, {"author_id": user_id}]})
