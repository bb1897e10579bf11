"""The calendar's store: events and RSVPs. One port, two adapters (SQLite, MongoDB), held to the
same contract by tests/unit/test_neighbourhood_calendar_repository.py.

- The upcoming list pages on (starts_at_utc, id), a range on the last event seen, never a skip;
  both sort keys are fixed-width ASCII, so both engines order them alike.
- RSVPs are one row per (event, user), written by an upsert: answering twice changes the answer,
  never the number of rows. Counts are counted from those rows on every read (an index on
  (event_id, response) makes that a range count), so they are exact under any concurrency; no
  counter is kept that could drift.
"""
import json

import pymongo
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.neighbourhood.calendar import CANCELLED, SCHEDULED, CalendarEvent

INDEXED = ("id", "municipality_id", "neighbourhood_id", "organiser_id", "starts_at_utc",
           "ends_at_utc", "status")


class SqliteCalendar:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS calendar_events (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, organiser_id TEXT NOT NULL,
                starts_at_utc TEXT NOT NULL, ends_at_utc TEXT NOT NULL, status TEXT NOT NULL,
                document TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS calendar_upcoming
                ON calendar_events (neighbourhood_id, starts_at_utc, id)""")
            db.execute("""CREATE INDEX IF NOT EXISTS calendar_by_organiser
                ON calendar_events (organiser_id, ends_at_utc)""")
            db.execute("""CREATE TABLE IF NOT EXISTS calendar_rsvps (
                event_id TEXT NOT NULL, user_id TEXT NOT NULL, response TEXT NOT NULL,
                answered_at TEXT NOT NULL, PRIMARY KEY (event_id, user_id))""")
            db.execute("""CREATE INDEX IF NOT EXISTS calendar_rsvp_counts
                ON calendar_rsvps (event_id, response)""")
            db.execute("CREATE INDEX IF NOT EXISTS calendar_rsvps_by_user "
                       "ON calendar_rsvps (user_id)")

    @staticmethod
    def _event(row):
        if row is None:
            return None
        return CalendarEvent.from_dict(json.loads(row["document"]))

    @staticmethod
    def _columns(event):
        data = event.to_dict()
        return tuple(data[name] for name in INDEXED) + (json.dumps(data),)

    # -- events

    def add_event(self, event):
        self.store.execute(
            """INSERT INTO calendar_events (%s, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
            % ", ".join(INDEXED), self._columns(event))
        return event

    def get_event(self, event_id):
        return self._event(self.store.execute(
            "SELECT document FROM calendar_events WHERE id = ?", (event_id,)).fetchone())

    def update_event(self, event):
        """Store the changed event unless it was cancelled meanwhile; True when stored."""
        columns = self._columns(event)
        cursor = self.store.execute(
            """UPDATE calendar_events SET starts_at_utc = ?, ends_at_utc = ?, document = ?
               WHERE id = ? AND status = ?""",
            (event.starts_at_utc, event.ends_at_utc, columns[-1], event.id, SCHEDULED))
        return cursor.rowcount == 1

    def cancel_event(self, event_id, at):
        """scheduled → cancelled at `at`, touching nothing else (an edit that just landed stays);
        True for the call that did it."""
        cursor = self.store.execute(
            """UPDATE calendar_events SET status = ?, document = json_set(document,
                   '$.status', ?, '$.cancelled_at', ?, '$.updated_at', ?)
               WHERE id = ? AND status = ?""",
            (CANCELLED, CANCELLED, at, at, event_id, SCHEDULED))
        return cursor.rowcount == 1

    def upcoming(self, neighbourhood_id, after, now_key, limit):
        """Events not yet ended at `now_key`, by (starts_at_utc, id) after `after`."""
        starts, event_id = after
        rows = self.store.execute(
            """SELECT document FROM calendar_events
               WHERE neighbourhood_id = ? AND (starts_at_utc, id) > (?, ?) AND ends_at_utc > ?
               ORDER BY starts_at_utc, id LIMIT ?""",
            (neighbourhood_id, starts, event_id, now_key, limit)).fetchall()
        return [self._event(row) for row in rows]

    def count_upcoming_by_organiser(self, user_id, now_key):
        return self.store.execute(
            """SELECT COUNT(*) FROM calendar_events
               WHERE organiser_id = ? AND ends_at_utc > ? AND status = ?""",
            (user_id, now_key, SCHEDULED)).fetchone()[0]

    def events_organised_by(self, user_id):
        rows = self.store.execute(
            "SELECT document FROM calendar_events WHERE organiser_id = ? "
            "ORDER BY starts_at_utc, id", (user_id,)).fetchall()
        return [self._event(row) for row in rows]

    # -- RSVPs

    def set_rsvp(self, event_id, user_id, response, at):
        """Record the user's answer (one per user and event); return the previous one or None."""
        with self.store.transaction() as db:
            before = db.execute(
                "SELECT response FROM calendar_rsvps WHERE event_id = ? AND user_id = ?",
                (event_id, user_id)).fetchone()
            if before is None or before["response"] != response:
                db.execute(
                    """INSERT INTO calendar_rsvps (event_id, user_id, response, answered_at)
                       VALUES (?, ?, ?, ?) ON CONFLICT (event_id, user_id) DO UPDATE SET
                       response = excluded.response, answered_at = excluded.answered_at""",
                    (event_id, user_id, response, at))
        return before["response"] if before else None

    def rsvp_counts(self, event_ids):
        """{event_id: {response: count}} for the given events (absent: no answers)."""
        if not event_ids:
            return {}
        marks = ", ".join("?" for _ in event_ids)
        rows = self.store.execute(
            """SELECT event_id, response, COUNT(*) AS answers FROM calendar_rsvps
               WHERE event_id IN (%s) GROUP BY event_id, response""" % marks,
            tuple(event_ids)).fetchall()
        counts = {}
        for row in rows:
            counts.setdefault(row["event_id"], {})[row["response"]] = row["answers"]
        return counts

    def responses_of(self, user_id, event_ids):
        """{event_id: response} of one user for the given events."""
        if not event_ids:
            return {}
        marks = ", ".join("?" for _ in event_ids)
        rows = self.store.execute(
            "SELECT event_id, response FROM calendar_rsvps WHERE user_id = ? "
            "AND event_id IN (%s)" % marks, (user_id, *event_ids)).fetchall()
        return {row["event_id"]: row["response"] for row in rows}

    def rsvps_by(self, user_id):
        """[(event_id, response, answered_at)] of one user, oldest answer first."""
        rows = self.store.execute(
            "SELECT event_id, response, answered_at FROM calendar_rsvps WHERE user_id = ? "
            "ORDER BY answered_at, event_id", (user_id,)).fetchall()
        return [(row["event_id"], row["response"], row["answered_at"]) for row in rows]

    # -- erasure

    def erase_user(self, user_id):
        """Delete the events a user organises (with everyone's answers to them) and the user's
        own answers. Returns (events deleted, own answers deleted)."""
        with self.store.transaction() as db:
            organised = [row["id"] for row in db.execute(
                "SELECT id FROM calendar_events WHERE organiser_id = ?", (user_id,))]
            for event_id in organised:
                db.execute("DELETE FROM calendar_rsvps WHERE event_id = ?", (event_id,))
            db.execute("DELETE FROM calendar_events WHERE organiser_id = ?", (user_id,))
            answers = db.execute("DELETE FROM calendar_rsvps WHERE user_id = ?",
                                 (user_id,)).rowcount
        return len(organised), answers


class MongoCalendar:
    def __init__(self, store):
        db = store.db
        self.events = db["calendar_events"]
        self.rsvps = db["calendar_rsvps"]
        # Equality first, then the sort keys in sort order: the upcoming list is one index range.
        self.events.create_index(
            [("neighbourhood_id", pymongo.ASCENDING), ("starts_at_utc", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)], name="upcoming")
        self.events.create_index(
            [("organiser_id", pymongo.ASCENDING), ("ends_at_utc", pymongo.ASCENDING)],
            name="by_organiser")
        self.rsvps.create_index(
            [("event_id", pymongo.ASCENDING), ("user_id", pymongo.ASCENDING)],
            unique=True, name="one_answer_per_user")
        self.rsvps.create_index(
            [("event_id", pymongo.ASCENDING), ("response", pymongo.ASCENDING)], name="counts")
        self.rsvps.create_index([("user_id", pymongo.ASCENDING)], name="by_user")

    @staticmethod
    def _event(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        return CalendarEvent.from_dict(document)

    @staticmethod
    def _document(event):
        document = event.to_dict()
        document["_id"] = document.pop("id")
        return document

    # -- events

    def add_event(self, event):
        self.events.insert_one(self._document(event))
        return event

    def get_event(self, event_id):
        return self._event(self.events.find_one({"_id": event_id}))

    def update_event(self, event):
        document = self._document(event)
        document.pop("_id")
        document.pop("status")
        result = self.events.update_one({"_id": event.id, "status": SCHEDULED},
                                        {"$set": document})
        return result.matched_count == 1

    def cancel_event(self, event_id, at):
        result = self.events.update_one(
            {"_id": event_id, "status": SCHEDULED},
            {"$set": {"status": CANCELLED, "cancelled_at": at, "updated_at": at}})
        return result.modified_count == 1

    def upcoming(self, neighbourhood_id, after, now_key, limit):
        starts, event_id = after
        query = {
            "neighbourhood_id": neighbourhood_id,
            "ends_at_utc": {"$gt": now_key},
            "$or": [{"starts_at_utc": {"$gt": starts}},
                    {"starts_at_utc": starts, "_id": {"$gt": event_id}}],
        }
        found = self.events.find(query).sort(
            [("starts_at_utc", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]).limit(limit)
        return [self._event(d) for d in found]

    def count_upcoming_by_organiser(self, user_id, now_key):
        return self.events.count_documents(
            {"organiser_id": user_id, "ends_at_utc": {"$gt": now_key}, "status": SCHEDULED})

    def events_organised_by(self, user_id):
        found = self.events.find({"organiser_id": user_id}).sort(
            [("starts_at_utc", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])
        return [self._event(d) for d in found]

    # -- RSVPs

    def set_rsvp(self, event_id, user_id, response, at):
        key = {"event_id": event_id, "user_id": user_id}
        for attempt in range(2):
            try:
                before = self.rsvps.find_one_and_update(
                    dict(key, response={"$ne": response}),
                    {"$set": {"response": response, "answered_at": at}},
                    upsert=True, return_document=ReturnDocument.BEFORE)
                return before["response"] if before else None
            except DuplicateKeyError:
                # The same answer is already there (the filter excluded it and the upsert hit the
                # unique key), or a concurrent first answer won the insert: look again.
                current = self.rsvps.find_one(key)
                if current is not None and current["response"] == response:
                    return response
                if attempt:
                    raise
        return None

    def rsvp_counts(self, event_ids):
        if not event_ids:
            return {}
        found = self.rsvps.aggregate([
            {"$match": {"event_id": {"$in": list(event_ids)}}},
            {"$group": {"_id": {"e": "$event_id", "r": "$response"}, "n": {"$sum": 1}}},
        ])
        counts = {}
        for d in found:
            counts.setdefault(d["_id"]["e"], {})[d["_id"]["r"]] = d["n"]
        return counts

    def responses_of(self, user_id, event_ids):
        if not event_ids:
            return {}
        found = self.rsvps.find({"user_id": user_id, "event_id": {"$in": list(event_ids)}})
        return {d["event_id"]: d["response"] for d in found}

    def rsvps_by(self, user_id):
        found = self.rsvps.find({"user_id": user_id}).sort(
            [("answered_at", pymongo.ASCENDING), ("event_id", pymongo.ASCENDING)])
        return [(d["event_id"], d["response"], d["answered_at"]) for d in found]

    # -- erasure

    def erase_user(self, user_id):
        organised = [d["_id"] for d in self.events.find({"organiser_id": user_id}, {"_id": 1})]
        if organised:
            self.rsvps.delete_many({"event_id": {"$in": organised}})
            self.events.delete_many({"_id": {"$in": organised}})
        answers = self.rsvps.delete_many({"user_id": user_id}).deleted_count
        return len(organised), answers
