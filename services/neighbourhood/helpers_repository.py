"""Helpers' store: profiles, call-outs and the per-helper invitations. One port, two adapters
(SQLite, MongoDB) held to the same contract by tests/unit/test_helpers_repository.py.

- A profile is one row/document per user (the user id is the key): writing it again replaces it.
  Its skills are also kept one row per (user, skill) in SQLite (a multikey index in MongoDB), so
  "volunteers with skill X in Y" and the per-skill statistics are index lookups and counts.
- A call-out keeps its taken seats (`accepted`) next to `wanted`; an accept takes a seat with a
  conditional update (accepted < wanted), so the last seat goes to exactly one helper. The counts
  the city sees are counted from the invitation rows on every read.
- Lists page on a range after the last item seen, never a skip.
"""
import json

import pymongo
from pymongo import ReturnDocument

from services.neighbourhood.helpers import (
    ACCEPTED,
    DECLINED,
    PENDING,
    Callout,
    HelperProfile,
    Invitation,
)

# Answer outcomes
CHANGED, UNCHANGED, FULL, MISSING = "changed", "unchanged", "full", "missing"


class SqliteHelpers:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS helper_profiles (
                user_id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, volunteer INTEGER NOT NULL,
                created_at TEXT NOT NULL, document TEXT NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS helper_skills (
                user_id TEXT NOT NULL, skill TEXT NOT NULL, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, volunteer INTEGER NOT NULL,
                created_at TEXT NOT NULL, PRIMARY KEY (user_id, skill))""")
            db.execute("""CREATE INDEX IF NOT EXISTS helper_skills_lookup ON helper_skills
                (neighbourhood_id, skill, volunteer, created_at, user_id)""")
            db.execute("""CREATE INDEX IF NOT EXISTS helper_skills_stats ON helper_skills
                (municipality_id, neighbourhood_id, skill)""")
            db.execute("""CREATE TABLE IF NOT EXISTS callouts (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, created_at TEXT NOT NULL,
                wanted INTEGER NOT NULL, accepted INTEGER NOT NULL DEFAULT 0,
                document TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS callouts_by_municipality
                ON callouts (municipality_id, created_at, id)""")
            db.execute("""CREATE TABLE IF NOT EXISTS callout_invitations (
                callout_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
                notified_at TEXT NOT NULL, document TEXT NOT NULL,
                PRIMARY KEY (callout_id, user_id))""")
            db.execute("""CREATE INDEX IF NOT EXISTS callout_invitations_by_user
                ON callout_invitations (user_id, notified_at, callout_id)""")

    # -- profiles

    def put_profile(self, profile):
        data = profile.to_dict()
        with self.store.transaction() as db:
            db.execute(
                """INSERT INTO helper_profiles (user_id, municipality_id, neighbourhood_id,
                       volunteer, created_at, document) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET municipality_id = excluded.municipality_id,
                   neighbourhood_id = excluded.neighbourhood_id, volunteer = excluded.volunteer,
                   document = excluded.document""",
                (profile.user_id, profile.municipality_id, profile.neighbourhood_id,
                 int(profile.volunteer), profile.created_at, json.dumps(data)))
            db.execute("DELETE FROM helper_skills WHERE user_id = ?", (profile.user_id,))
            db.executemany(
                """INSERT INTO helper_skills (user_id, skill, municipality_id, neighbourhood_id,
                       volunteer, created_at) VALUES (?, ?, ?, ?, ?, ?)""",
                [(profile.user_id, skill, profile.municipality_id, profile.neighbourhood_id,
                  int(profile.volunteer), profile.created_at) for skill in profile.skills])
        return profile

    @staticmethod
    def _profile(row):
        return HelperProfile.from_dict(json.loads(row["document"])) if row else None

    def get_profile(self, user_id):
        return self._profile(self.store.execute(
            "SELECT document FROM helper_profiles WHERE user_id = ?", (user_id,)).fetchone())

    def get_profiles(self, user_ids):
        user_ids = list(user_ids)
        if not user_ids:
            return {}
        marks = ", ".join("?" for _ in user_ids)
        rows = self.store.execute(
            "SELECT document FROM helper_profiles WHERE user_id IN (%s)" % marks,
            tuple(user_ids)).fetchall()
        found = (self._profile(r) for r in rows)
        return {p.user_id: p for p in found}

    def delete_profile(self, user_id):
        with self.store.transaction() as db:
            db.execute("DELETE FROM helper_skills WHERE user_id = ?", (user_id,))
            return db.execute("DELETE FROM helper_profiles WHERE user_id = ?",
                              (user_id,)).rowcount == 1

    def profiles_page(self, after_user_id="", limit=500):
        """Profiles by user id after the one given (the reindex walks them all this way)."""
        rows = self.store.execute(
            "SELECT document FROM helper_profiles WHERE user_id > ? ORDER BY user_id LIMIT ?",
            (after_user_id or "", limit)).fetchall()
        return [self._profile(r) for r in rows]

    def volunteers_for(self, neighbourhood_id, skill, limit):
        """Volunteer helpers of a neighbourhood with a skill, longest-standing first."""
        rows = self.store.execute(
            """SELECT p.document FROM helper_skills s JOIN helper_profiles p
                   ON p.user_id = s.user_id
               WHERE s.neighbourhood_id = ? AND s.skill = ? AND s.volunteer = 1
               ORDER BY s.created_at, s.user_id LIMIT ?""",
            (neighbourhood_id, skill, limit)).fetchall()
        return [self._profile(r) for r in rows]

    def skill_counts(self, municipality_id):
        """[{neighbourhood_id, skill, helpers, volunteers}] of a municipality: counts only."""
        rows = self.store.execute(
            """SELECT neighbourhood_id, skill, COUNT(*) AS helpers, SUM(volunteer) AS volunteers
               FROM helper_skills WHERE municipality_id = ?
               GROUP BY neighbourhood_id, skill ORDER BY neighbourhood_id, skill""",
            (municipality_id,)).fetchall()
        return [{"neighbourhood_id": r["neighbourhood_id"], "skill": r["skill"],
                 "helpers": r["helpers"], "volunteers": r["volunteers"] or 0} for r in rows]

    def profile_counts(self, municipality_id):
        """{neighbourhood_id: (helpers, volunteers)}: people, not skills."""
        rows = self.store.execute(
            """SELECT neighbourhood_id, COUNT(*) AS helpers, SUM(volunteer) AS volunteers
               FROM helper_profiles WHERE municipality_id = ? GROUP BY neighbourhood_id""",
            (municipality_id,)).fetchall()
        return {r["neighbourhood_id"]: (r["helpers"], r["volunteers"] or 0) for r in rows}

    # -- call-outs

    @staticmethod
    def _callout(row):
        if row is None:
            return None
        data = json.loads(row["document"])
        data["accepted"] = row["accepted"]
        return Callout.from_dict(data)

    @staticmethod
    def _invitation(row):
        return Invitation.from_dict(json.loads(row["document"])) if row else None

    def add_callout(self, callout, invitations):
        with self.store.transaction() as db:
            db.execute(
                """INSERT INTO callouts (id, municipality_id, created_at, wanted, accepted,
                       document) VALUES (?, ?, ?, ?, 0, ?)""",
                (callout.id, callout.municipality_id, callout.created_at, callout.wanted,
                 json.dumps(callout.to_dict())))
            db.executemany(
                """INSERT INTO callout_invitations (callout_id, user_id, status, notified_at,
                       document) VALUES (?, ?, ?, ?, ?)""",
                [(i.callout_id, i.user_id, i.status, i.notified_at, json.dumps(i.to_dict()))
                 for i in invitations])
        return callout

    def get_callout(self, callout_id):
        return self._callout(self.store.execute(
            "SELECT * FROM callouts WHERE id = ?", (callout_id,)).fetchone())

    def get_callouts(self, callout_ids):
        callout_ids = list(callout_ids)
        if not callout_ids:
            return {}
        marks = ", ".join("?" for _ in callout_ids)
        rows = self.store.execute("SELECT * FROM callouts WHERE id IN (%s)" % marks,
                                  tuple(callout_ids)).fetchall()
        return {c.id: c for c in (self._callout(r) for r in rows)}

    def callouts_page(self, municipality_id, after=None, limit=20):
        """Newest first, after (created_at, id) of the last one seen."""
        if after is None:
            rows = self.store.execute(
                """SELECT * FROM callouts WHERE municipality_id = ?
                   ORDER BY created_at DESC, id DESC LIMIT ?""",
                (municipality_id, limit)).fetchall()
        else:
            rows = self.store.execute(
                """SELECT * FROM callouts WHERE municipality_id = ? AND (created_at, id) < (?, ?)
                   ORDER BY created_at DESC, id DESC LIMIT ?""",
                (municipality_id, after[0], after[1], limit)).fetchall()
        return [self._callout(r) for r in rows]

    def invitation_counts(self, callout_ids):
        callout_ids = list(callout_ids)
        if not callout_ids:
            return {}
        marks = ", ".join("?" for _ in callout_ids)
        rows = self.store.execute(
            """SELECT callout_id, status, COUNT(*) AS n FROM callout_invitations
               WHERE callout_id IN (%s) GROUP BY callout_id, status""" % marks,
            tuple(callout_ids)).fetchall()
        counts = {}
        for r in rows:
            counts.setdefault(r["callout_id"], {})[r["status"]] = r["n"]
        return counts

    def accepted_invitations(self, callout_id):
        rows = self.store.execute(
            """SELECT document FROM callout_invitations WHERE callout_id = ? AND status = ?
               ORDER BY user_id""", (callout_id, ACCEPTED)).fetchall()
        return [self._invitation(r) for r in rows]

    def get_invitation(self, callout_id, user_id):
        return self._invitation(self.store.execute(
            "SELECT document FROM callout_invitations WHERE callout_id = ? AND user_id = ?",
            (callout_id, user_id)).fetchone())

    def invitations_of(self, user_id, after=None, limit=20):
        """A helper's invitations, newest first, after (notified_at, callout_id)."""
        if after is None:
            rows = self.store.execute(
                """SELECT document FROM callout_invitations WHERE user_id = ?
                   ORDER BY notified_at DESC, callout_id DESC LIMIT ?""",
                (user_id, limit)).fetchall()
        else:
            rows = self.store.execute(
                """SELECT document FROM callout_invitations WHERE user_id = ?
                   AND (notified_at, callout_id) < (?, ?)
                   ORDER BY notified_at DESC, callout_id DESC LIMIT ?""",
                (user_id, after[0], after[1], limit)).fetchall()
        return [self._invitation(r) for r in rows]

    def answer(self, callout_id, user_id, answer, first_name, at):
        """Record a helper's answer: (outcome, invitation). An accept takes a seat, if one is
        left (else FULL, nothing changed); a decline after an accept gives it back."""
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT document FROM callout_invitations WHERE callout_id = ? AND user_id = ?",
                (callout_id, user_id)).fetchone()
            if row is None:
                return MISSING, None
            invitation = self._invitation(row)
            if invitation.status == answer:
                return UNCHANGED, invitation
            if answer == ACCEPTED:
                taken = db.execute(
                    "UPDATE callouts SET accepted = accepted + 1 WHERE id = ? "
                    "AND accepted < wanted", (callout_id,)).rowcount
                if not taken:
                    return FULL, invitation
            elif invitation.status == ACCEPTED:
                db.execute("UPDATE callouts SET accepted = accepted - 1 WHERE id = ?",
                           (callout_id,))
            data = dict(invitation.to_dict(), status=answer, answered_at=at,
                        first_name=first_name if answer == ACCEPTED else "")
            db.execute(
                """UPDATE callout_invitations SET status = ?, document = ?
                   WHERE callout_id = ? AND user_id = ?""",
                (answer, json.dumps(data), callout_id, user_id))
        return CHANGED, Invitation.from_dict(data)

    # -- GDPR

    def all_invitations_of(self, user_id):
        rows = self.store.execute(
            "SELECT document FROM callout_invitations WHERE user_id = ? "
            "ORDER BY notified_at, callout_id", (user_id,)).fetchall()
        return [self._invitation(r) for r in rows]

    def erase_user(self, user_id):
        """Forget a user: profile, skills, invitations and answers (a seat they took is given
        back); call-outs they created as staff stay, without their id. Returns the profile
        removed (or None)."""
        profile = self.get_profile(user_id)
        with self.store.transaction() as db:
            for row in db.execute(
                    "SELECT callout_id FROM callout_invitations WHERE user_id = ? AND status = ?",
                    (user_id, ACCEPTED)).fetchall():
                db.execute("UPDATE callouts SET accepted = accepted - 1 WHERE id = ?",
                           (row["callout_id"],))
            db.execute("DELETE FROM callout_invitations WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM helper_skills WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM helper_profiles WHERE user_id = ?", (user_id,))
            db.execute(
                """UPDATE callouts SET document = json_set(document, '$.created_by', '')
                   WHERE json_extract(document, '$.created_by') = ?""", (user_id,))
        return profile


class MongoHelpers:
    def __init__(self, store):
        db = store.db
        self.profiles = db["helper_profiles"]
        self.callouts = db["callouts"]
        self.invitations = db["callout_invitations"]
        self.profiles.create_index(
            [("neighbourhood_id", pymongo.ASCENDING), ("skills", pymongo.ASCENDING),
             ("volunteer", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)], name="volunteers")
        self.profiles.create_index([("municipality_id", pymongo.ASCENDING)], name="stats")
        self.callouts.create_index(
            [("municipality_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING),
             ("_id", pymongo.DESCENDING)], name="by_municipality")
        self.invitations.create_index(
            [("callout_id", pymongo.ASCENDING), ("user_id", pymongo.ASCENDING)],
            unique=True, name="one_per_helper")
        self.invitations.create_index(
            [("user_id", pymongo.ASCENDING), ("notified_at", pymongo.DESCENDING),
             ("callout_id", pymongo.DESCENDING)], name="by_user")

    # -- profiles

    @staticmethod
    def _profile(document):
        if document is None:
            return None
        document = dict(document)
        document["user_id"] = document.pop("_id")
        return HelperProfile.from_dict(document)

    def put_profile(self, profile):
        document = profile.to_dict()
        document["_id"] = document.pop("user_id")
        self.profiles.replace_one({"_id": document["_id"]}, document, upsert=True)
        return profile

    def get_profile(self, user_id):
        return self._profile(self.profiles.find_one({"_id": user_id}))

    def get_profiles(self, user_ids):
        found = (self._profile(d) for d in self.profiles.find({"_id": {"$in": list(user_ids)}}))
        return {p.user_id: p for p in found}

    def delete_profile(self, user_id):
        return self.profiles.delete_one({"_id": user_id}).deleted_count == 1

    def profiles_page(self, after_user_id="", limit=500):
        found = self.profiles.find({"_id": {"$gt": after_user_id or ""}}).sort(
            "_id", pymongo.ASCENDING).limit(limit)
        return [self._profile(d) for d in found]

    def volunteers_for(self, neighbourhood_id, skill, limit):
        found = self.profiles.find(
            {"neighbourhood_id": neighbourhood_id, "skills": skill, "volunteer": True}).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]).limit(limit)
        return [self._profile(d) for d in found]

    def skill_counts(self, municipality_id):
        found = self.profiles.aggregate([
            {"$match": {"municipality_id": municipality_id}},
            {"$unwind": "$skills"},
            {"$group": {"_id": {"n": "$neighbourhood_id", "s": "$skills"},
                        "helpers": {"$sum": 1},
                        "volunteers": {"$sum": {"$cond": ["$volunteer", 1, 0]}}}},
        ])
        rows = [{"neighbourhood_id": d["_id"]["n"], "skill": d["_id"]["s"],
                 "helpers": d["helpers"], "volunteers": d["volunteers"]} for d in found]
        return sorted(rows, key=lambda r: (r["neighbourhood_id"], r["skill"]))

    def profile_counts(self, municipality_id):
        found = self.profiles.aggregate([
            {"$match": {"municipality_id": municipality_id}},
            {"$group": {"_id": "$neighbourhood_id", "helpers": {"$sum": 1},
                        "volunteers": {"$sum": {"$cond": ["$volunteer", 1, 0]}}}},
        ])
        return {d["_id"]: (d["helpers"], d["volunteers"]) for d in found}

    # -- call-outs

    @staticmethod
    def _callout(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        return Callout.from_dict(document)

    @staticmethod
    def _invitation(document):
        if document is None:
            return None
        return Invitation.from_dict(document)

    def add_callout(self, callout, invitations):
        document = callout.to_dict()
        document["_id"] = document.pop("id")
        document["accepted"] = 0
        # Invitations first: a call-out is listed only once all its helpers are invited.
        if invitations:
            self.invitations.insert_many([i.to_dict() for i in invitations])
        self.callouts.insert_one(document)
        return callout

    def get_callout(self, callout_id):
        return self._callout(self.callouts.find_one({"_id": callout_id}))

    def get_callouts(self, callout_ids):
        found = (self._callout(d) for d in self.callouts.find({"_id": {"$in": list(callout_ids)}}))
        return {c.id: c for c in found}

    def callouts_page(self, municipality_id, after=None, limit=20):
        query = {"municipality_id": municipality_id}
        if after is not None:
            query["$or"] = [{"created_at": {"$lt": after[0]}},
                            {"created_at": after[0], "_id": {"$lt": after[1]}}]
        found = self.callouts.find(query).sort(
            [("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]).limit(limit)
        return [self._callout(d) for d in found]

    def invitation_counts(self, callout_ids):
        found = self.invitations.aggregate([
            {"$match": {"callout_id": {"$in": list(callout_ids)}}},
            {"$group": {"_id": {"c": "$callout_id", "s": "$status"}, "n": {"$sum": 1}}},
        ])
        counts = {}
        for d in found:
            counts.setdefault(d["_id"]["c"], {})[d["_id"]["s"]] = d["n"]
        return counts

    def accepted_invitations(self, callout_id):
        found = self.invitations.find({"callout_id": callout_id, "status": ACCEPTED}).sort(
            "user_id", pymongo.ASCENDING)
        return [self._invitation(d) for d in found]

    def get_invitation(self, callout_id, user_id):
        return self._invitation(self.invitations.find_one(
            {"callout_id": callout_id, "user_id": user_id}))

    def invitations_of(self, user_id, after=None, limit=20):
        query = {"user_id": user_id}
        if after is not None:
            query["$or"] = [{"notified_at": {"$lt": after[0]}},
                            {"notified_at": after[0], "callout_id": {"$lt": after[1]}}]
        found = self.invitations.find(query).sort(
            [("notified_at", pymongo.DESCENDING), ("callout_id", pymongo.DESCENDING)]).limit(limit)
        return [self._invitation(d) for d in found]

    def answer(self, callout_id, user_id, answer, first_name, at):
        key = {"callout_id": callout_id, "user_id": user_id}
        invitation = self._invitation(self.invitations.find_one(key))
        if invitation is None:
            return MISSING, None
        if invitation.status == answer:
            return UNCHANGED, invitation
        if answer == ACCEPTED:
            taken = self.callouts.find_one_and_update(
                {"_id": callout_id, "$expr": {"$lt": ["$accepted", "$wanted"]}},
                {"$inc": {"accepted": 1}}, return_document=ReturnDocument.AFTER)
            if taken is None:
                return FULL, invitation
        changes = {"status": answer, "answered_at": at,
                   "first_name": first_name if answer == ACCEPTED else ""}
        # Only from the status read above: a concurrent answer by the same helper loses here
        # and gives back the seat it took.
        updated = self.invitations.find_one_and_update(
            dict(key, status=invitation.status), {"$set": changes},
            return_document=ReturnDocument.AFTER)
        if updated is None:
            if answer == ACCEPTED:
                self.callouts.update_one({"_id": callout_id}, {"$inc": {"accepted": -1}})
            return UNCHANGED, self.get_invitation(callout_id, user_id)
        if answer != ACCEPTED and invitation.status == ACCEPTED:
            self.callouts.update_one({"_id": callout_id}, {"$inc": {"accepted": -1}})
        return CHANGED, self._invitation(updated)

    # -- GDPR

    def all_invitations_of(self, user_id):
        found = self.invitations.find({"user_id": user_id}).sort(
            [("notified_at", pymongo.ASCENDING), ("callout_id", pymongo.ASCENDING)])
        return [self._invitation(d) for d in found]

    def erase_user(self, user_id):
        profile = self.get_profile(user_id)
        for document in self.invitations.find({"user_id": user_id, "status": ACCEPTED}):
            self.callouts.update_one({"_id": document["callout_id"]}, {"$inc": {"accepted": -1}})
        self.invitations.delete_many({"user_id": user_id})
        self.profiles.delete_one({"_id": user_id})
        self.callouts.update_many({"created_by": user_id}, {"$set": {"created_by": ""}})
        return profile


__all__ = ["SqliteHelpers", "MongoHelpers", "CHANGED", "UNCHANGED", "FULL", "MISSING",
           "PENDING", "DECLINED"]
