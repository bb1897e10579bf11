"""Moderation's store: rules, settings (report threshold), cases, reports, the screened texts and
the audit log. One port, two adapters (SQLite, MongoDB), held to the same contract by
tests/unit/test_moderation_repository.py.

Concurrency: a case changes by compare-and-set on its `updated_at` (two moderators deciding at
once: one wins, the other is told the case moved); a report is one row per (case, household), so
the distinct-household count is a count, and the auto-hide is a compare-and-set too: one
CONTENT_HIDDEN however many reports arrive together. Pages are ranges on (time, id), never skips.
"""
import json
import sqlite3

from pymongo.errors import DuplicateKeyError

from services.moderation import erasure
from services.moderation.domain import REPORT_THRESHOLD_DEFAULT, Case, Rule

_TOP = ("\uffff", "\uffff")


class SqliteModeration:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS rules (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, created_at TEXT NOT NULL,
                document TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS rules_by_municipality
                ON rules (municipality_id, created_at, id)""")
            db.execute("""CREATE TABLE IF NOT EXISTS settings (
                municipality_id TEXT PRIMARY KEY, report_threshold INTEGER NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS cases (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, status TEXT NOT NULL,
                opened_at TEXT NOT NULL, updated_at TEXT NOT NULL, author_id TEXT NOT NULL,
                sources TEXT NOT NULL, document TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS cases_queue
                ON cases (municipality_id, opened_at, id)""")
            db.execute("CREATE INDEX IF NOT EXISTS cases_by_author ON cases (author_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS reports (
                case_id TEXT NOT NULL, household_id TEXT NOT NULL, reporter_id TEXT NOT NULL,
                reason TEXT NOT NULL, at TEXT NOT NULL,
                PRIMARY KEY (case_id, household_id, reporter_id))""")
            db.execute("""CREATE TABLE IF NOT EXISTS screened (
                id TEXT PRIMARY KEY, author_id TEXT NOT NULL, text TEXT NOT NULL,
                at TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS screened_by_author ON screened (author_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS audit (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, at TEXT NOT NULL,
                document TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS audit_by_municipality
                ON audit (municipality_id, at, id)""")

    # -- rules

    def add_rule(self, rule):
        self.store.execute(
            "INSERT INTO rules (id, municipality_id, created_at, document) VALUES (?, ?, ?, ?)",
            (rule.id, rule.municipality_id, rule.created_at, json.dumps(rule.to_dict())))
        return rule

    def rules_of(self, municipality_id, after=None, limit=None):
        at, rule_id = after or ("", "")
        sql = ("SELECT document FROM rules WHERE municipality_id = ? AND (created_at, id) > (?, ?)"
               " ORDER BY created_at, id")
        params = [municipality_id, at, rule_id]
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return [Rule.from_dict(json.loads(r["document"]))
                for r in self.store.execute(sql, params).fetchall()]

    def count_rules(self, municipality_id):
        return self.store.execute("SELECT COUNT(*) FROM rules WHERE municipality_id = ?",
                                  (municipality_id,)).fetchone()[0]

    def delete_rule(self, municipality_id, rule_id):
        return self.store.execute("DELETE FROM rules WHERE municipality_id = ? AND id = ?",
                                  (municipality_id, rule_id)).rowcount == 1

    # -- settings

    def report_threshold(self, municipality_id):
        row = self.store.execute("SELECT report_threshold FROM settings WHERE municipality_id = ?",
                                 (municipality_id,)).fetchone()
        return row[0] if row else REPORT_THRESHOLD_DEFAULT

    def set_report_threshold(self, municipality_id, value):
        self.store.execute(
            """INSERT INTO settings (municipality_id, report_threshold) VALUES (?, ?)
               ON CONFLICT (municipality_id)
               DO UPDATE SET report_threshold = excluded.report_threshold""",
            (municipality_id, value))

    # -- cases

    @staticmethod
    def _case(row):
        return Case.from_dict(json.loads(row["document"])) if row else None

    def get_case(self, case_id):
        return self._case(self.store.execute("SELECT document FROM cases WHERE id = ?",
                                             (case_id,)).fetchone())

    def add_case(self, case):
        """Insert; False when a case for that content exists already."""
        try:
            self.store.execute(
                """INSERT INTO cases (id, municipality_id, status, opened_at, updated_at,
                       author_id, sources, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (case.id, case.municipality_id, case.status, case.opened_at, case.updated_at,
                 case.author_id, ",".join(case.sources), json.dumps(case.to_dict())))
            return True
        except sqlite3.IntegrityError:
            return False

    def replace_case(self, case, expected_updated_at):
        """Compare-and-set: stored only if nobody changed the case since `expected_updated_at`."""
        return self.store.execute(
            """UPDATE cases SET status = ?, updated_at = ?, sources = ?, document = ?
               WHERE id = ? AND updated_at = ?""",
            (case.status, case.updated_at, ",".join(case.sources), json.dumps(case.to_dict()),
             case.id, expected_updated_at)).rowcount == 1

    def queue(self, municipality_id, before=None, limit=20, status=None, source=None):
        """Newest first by opening time; `status` and `source` narrow it."""
        at, case_id = before or _TOP
        sql = ["SELECT document FROM cases WHERE municipality_id = ?",
               "AND (opened_at, id) < (?, ?)"]
        params = [municipality_id, at, case_id]
        if status:
            sql.append("AND status = ?")
            params.append(status)
        if source:
            sql.append("AND (',' || sources || ',') LIKE ?")
            params.append("%%,%s,%%" % source)
        sql.append("ORDER BY opened_at DESC, id DESC LIMIT ?")
        params.append(limit)
        return [self._case(r) for r in self.store.execute(" ".join(sql), params).fetchall()]

    def cases_by(self, author_id):
        return [self._case(r) for r in self.store.execute(
            "SELECT document FROM cases WHERE author_id = ? ORDER BY opened_at",
            (author_id,)).fetchall()]

    # -- reports

    def add_report(self, case_id, household_id, reporter_id, reason, at):
        """False when this person already reported it (the feed refuses that too)."""
        try:
            self.store.execute(
                "INSERT INTO reports (case_id, household_id, reporter_id, reason, at) "
                "VALUES (?, ?, ?, ?, ?)", (case_id, household_id, reporter_id, reason, at))
            return True
        except sqlite3.IntegrityError:
            return False

    def report_summary(self, case_id):
        """(distinct households, {reason: reports})."""
        households = self.store.execute(
            "SELECT COUNT(DISTINCT household_id) FROM reports WHERE case_id = ?",
            (case_id,)).fetchone()[0]
        reasons = {r["reason"]: r["n"] for r in self.store.execute(
            "SELECT reason, COUNT(*) AS n FROM reports WHERE case_id = ? GROUP BY reason",
            (case_id,)).fetchall()}
        return households, reasons

    # -- screened texts (what a later report's case shows the moderator)

    def remember_text(self, content_key, author_id, text, at):
        self.store.execute(
            "INSERT OR REPLACE INTO screened (id, author_id, text, at) VALUES (?, ?, ?, ?)",
            (content_key, author_id, text, at))

    def screened_text(self, content_key):
        row = self.store.execute("SELECT text FROM screened WHERE id = ?",
                                 (content_key,)).fetchone()
        return row["text"] if row else ""

    def erase_user(self, user_id, pseudonym):
        """GDPR erasure (services.moderation.erasure): their screened texts go; cases, reports
        and the audit keep counting under `pseudonym`, without their words. Rows are found by
        the id appearing anywhere in them, so a replay finds nothing left to change."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM screened WHERE author_id = ?", (user_id,))
            for row in db.execute("SELECT id, document FROM cases WHERE instr(document, ?) > 0",
                                  (user_id,)).fetchall():
                document = erasure.pseudonymised_case(json.loads(row["document"]), user_id,
                                                      pseudonym)
                db.execute("UPDATE cases SET document = ?, author_id = ? WHERE id = ?",
                           (json.dumps(document), document["author_id"], row["id"]))
            for row in db.execute("SELECT id, document FROM audit WHERE instr(document, ?) > 0",
                                  (user_id,)).fetchall():
                entry = erasure.pseudonymised_audit(json.loads(row["document"]), user_id,
                                                    pseudonym)
                db.execute("UPDATE audit SET document = ? WHERE id = ?",
                           (json.dumps(entry), row["id"]))
            for row in db.execute("SELECT case_id, household_id FROM reports "
                                  "WHERE reporter_id = ?", (user_id,)).fetchall():
                db.execute(
                    "UPDATE OR IGNORE reports SET reporter_id = ?, household_id = ? "
                    "WHERE case_id = ? AND household_id = ? AND reporter_id = ?",
                    (pseudonym, erasure.pseudonymised_household(row["household_id"], user_id,
                                                                pseudonym),
                     row["case_id"], row["household_id"], user_id))

    # -- audit

    def add_audit(self, entry):
        self.store.execute(
            "INSERT INTO audit (id, municipality_id, at, document) VALUES (?, ?, ?, ?)",
            (entry["id"], entry["municipality_id"], entry["at"], json.dumps(entry)))

    def audit_page(self, municipality_id, before=None, limit=20, case_id=None):
        at, entry_id = before or _TOP
        rows = self.store.execute(
            """SELECT document FROM audit WHERE municipality_id = ? AND (at, id) < (?, ?)
               ORDER BY at DESC, id DESC""" + ("" if case_id else " LIMIT ?"),
            (municipality_id, at, entry_id) + (() if case_id else (limit,))).fetchall()
        entries = [json.loads(r["document"]) for r in rows]
        if case_id:
            entries = [e for e in entries if e["case_id"] == case_id][:limit]
        return entries


class MongoModeration:
    def __init__(self, store):
        db = store.db
        self.rules = db["rules"]
        self.settings = db["settings"]
        self.cases = db["cases"]
        self.reports = db["reports"]
        self.screened = db["screened"]
        self.audit = db["audit"]
        self.rules.create_index([("municipality_id", 1), ("created_at", 1), ("_id", 1)],
                                name="by_municipality")
        self.cases.create_index([("municipality_id", 1), ("opened_at", -1), ("_id", -1)],
                                name="queue")
        self.cases.create_index([("author_id", 1)], name="by_author")
        self.reports.create_index([("case_id", 1), ("household_id", 1), ("reporter_id", 1)],
                                  unique=True, name="one_per_reporter")
        self.screened.create_index([("author_id", 1)], name="by_author")
        self.audit.create_index([("municipality_id", 1), ("at", -1), ("_id", -1)],
                                name="by_municipality")
        self.audit.create_index([("case_id", 1), ("at", -1)], name="by_case")

    @staticmethod
    def _below(field, position):
        at, key = position
        return {field: {"$lte": at}, "$or": [{field: {"$lt": at}}, {"_id": {"$lt": key}}]}

    # -- rules

    def add_rule(self, rule):
        document = rule.to_dict()
        document["_id"] = document.pop("id")
        self.rules.insert_one(document)
        return rule

    @staticmethod
    def _rule(document):
        document = dict(document)
        document["id"] = document.pop("_id")
        return Rule.from_dict(document)

    def rules_of(self, municipality_id, after=None, limit=None):
        query = {"municipality_id": municipality_id}
        if after:
            at, rule_id = after
            query.update({"created_at": {"$gte": at},
                          "$or": [{"created_at": {"$gt": at}}, {"_id": {"$gt": rule_id}}]})
        found = self.rules.find(query).sort([("created_at", 1), ("_id", 1)])
        if limit:
            found = found.limit(limit)
        return [self._rule(d) for d in found]

    def count_rules(self, municipality_id):
        return self.rules.count_documents({"municipality_id": municipality_id})

    def delete_rule(self, municipality_id, rule_id):
        return self.rules.delete_one(
            {"_id": rule_id, "municipality_id": municipality_id}).deleted_count == 1

    # -- settings

    def report_threshold(self, municipality_id):
        found = self.settings.find_one({"_id": municipality_id})
        return found["report_threshold"] if found else REPORT_THRESHOLD_DEFAULT

    def set_report_threshold(self, municipality_id, value):
        self.settings.update_one({"_id": municipality_id},
                                 {"$set": {"report_threshold": value}}, upsert=True)

    # -- cases

    @staticmethod
    def _case(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        return Case.from_dict(document)

    @staticmethod
    def _case_document(case):
        document = case.to_dict()
        document["_id"] = document.pop("id")
        return document

    def get_case(self, case_id):
        return self._case(self.cases.find_one({"_id": case_id}))

    def add_case(self, case):
        try:
            self.cases.insert_one(self._case_document(case))
            return True
        except DuplicateKeyError:
            return False

    def replace_case(self, case, expected_updated_at):
        document = self._case_document(case)
        document.pop("_id")
        return self.cases.update_one({"_id": case.id, "updated_at": expected_updated_at},
                                     {"$set": document}).modified_count == 1

    def queue(self, municipality_id, before=None, limit=20, status=None, source=None):
        query = {"municipality_id": municipality_id}
        query.update(self._below("opened_at", before or _TOP))
        if status:
            query["status"] = status
        if source:
            query["sources"] = source
        found = self.cases.find(query).sort([("opened_at", -1), ("_id", -1)]).limit(limit)
        return [self._case(d) for d in found]

    def cases_by(self, author_id):
        return [self._case(d) for d in
                self.cases.find({"author_id": author_id}).sort("opened_at", 1)]

    # -- reports

    def add_report(self, case_id, household_id, reporter_id, reason, at):
        try:
            self.reports.insert_one({"case_id": case_id, "household_id": household_id,
                                     "reporter_id": reporter_id, "reason": reason, "at": at})
            return True
        except DuplicateKeyError:
            return False

    def report_summary(self, case_id):
        households = set()
        reasons = {}
        for report in self.reports.find({"case_id": case_id}):
            households.add(report["household_id"])
            reasons[report["reason"]] = reasons.get(report["reason"], 0) + 1
        return len(households), reasons

    # -- screened texts

    def remember_text(self, content_key, author_id, text, at):
        self.screened.replace_one({"_id": content_key},
                                  {"author_id": author_id, "text": text, "at": at}, upsert=True)

    def screened_text(self, content_key):
        found = self.screened.find_one({"_id": content_key})
        return found["text"] if found else ""

    def erase_user(self, user_id, pseudonym):
        self.screened.delete_many({"author_id": user_id})
        mentions = [{"author_id": user_id}, {"decision.by": user_id},
                    {"decision.reviewed_by": user_id}, {"appeal.by": user_id},
                    {"appeal.reviewed_by": user_id}]
        for document in self.cases.find({"$or": mentions}):
            case_id = document.pop("_id")
            changed = erasure.pseudonymised_case(document, user_id, pseudonym)
            self.cases.replace_one({"_id": case_id}, changed)
        for entry in self.audit.find({"$or": [{"author_id": user_id}, {"actor": user_id}]}):
            self.audit.replace_one({"_id": entry["_id"]},
                                   erasure.pseudonymised_audit(entry, user_id, pseudonym))
        for report in self.reports.find({"reporter_id": user_id}):
            self.reports.update_one({"_id": report["_id"]}, {"$set": {
                "reporter_id": pseudonym, "household_id": erasure.pseudonymised_household(
                    report["household_id"], user_id, pseudonym)}})

    # -- audit

    def add_audit(self, entry):
        document = dict(entry)
        document["_id"] = document.pop("id")
        self.audit.insert_one(document)

    def audit_page(self, municipality_id, before=None, limit=20, case_id=None):
        query = {"municipality_id": municipality_id}
        query.update(self._below("at", before or _TOP))
        if case_id:
            query["case_id"] = case_id
        found = self.audit.find(query).sort([("at", -1), ("_id", -1)]).limit(limit)
        entries = []
        for document in found:
            document = dict(document)
            document["id"] = document.pop("_id")
            entries.append(document)
        return entries
