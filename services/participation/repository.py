"""Participation's store: registrations (a projection of identity's events), municipality
settings, surveys and responses, budgets, projects, ballots and the budget log, initiatives and
supports, incident reports. One port, two adapters (SQLite, MongoDB), held to the same contract by
tests/unit/test_participation_repository.py.

Records are JSON documents; the columns beside them in SQLite are what queries filter and sort on.
Uniqueness that the rules depend on lives in the store, so concurrent requests cannot both win:
one response per respondent key, one ballot per voter, one support per user, one log entry per
sequence number.
"""
import json
import sqlite3

import pymongo
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from contracts import errors
from services.participation import domain, erasure

LOG_APPEND_ATTEMPTS = 20


def _household_already_responded(survey):
    if survey["response_unit"] == domain.PER_HOUSEHOLD:
        return errors.conflict("your household has already answered this survey")
    return errors.conflict("you have already answered this survey")


class SqliteParticipation:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS registrations (
                user_id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, household_id TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS registrations_area ON registrations "
                       "(municipality_id, neighbourhood_id, household_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS settings (
                municipality_id TEXT PRIMARY KEY, doc TEXT NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS surveys (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, created_at TEXT NOT NULL,
                doc TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS surveys_page ON surveys "
                       "(municipality_id, created_at, id)")
            db.execute("""CREATE TABLE IF NOT EXISTS survey_targets (
                survey_id TEXT NOT NULL, neighbourhood_id TEXT NOT NULL,
                created_at TEXT NOT NULL, PRIMARY KEY (neighbourhood_id, survey_id))""")
            db.execute("""CREATE TABLE IF NOT EXISTS responses (
                id TEXT PRIMARY KEY, survey_id TEXT NOT NULL, respondent_key TEXT NOT NULL,
                user_id TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (survey_id, respondent_key))""")
            db.execute("CREATE INDEX IF NOT EXISTS responses_by_user ON responses "
                       "(survey_id, user_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS budgets (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, created_at TEXT NOT NULL,
                frozen INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS budgets_page ON budgets "
                       "(municipality_id, created_at, id)")
            db.execute("""CREATE TABLE IF NOT EXISTS projects (
                id TEXT PRIMARY KEY, budget_id TEXT NOT NULL, created_at TEXT NOT NULL,
                doc TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS projects_of ON projects "
                       "(budget_id, created_at, id)")
            db.execute("""CREATE TABLE IF NOT EXISTS ballots (
                budget_id TEXT NOT NULL, voter TEXT NOT NULL, cast_by TEXT NOT NULL,
                project_ids TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (budget_id, voter))""")
            db.execute("""CREATE TABLE IF NOT EXISTS budget_log (
                budget_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
                PRIMARY KEY (budget_id, seq))""")
            # The key of a budget's voter pseudonyms: its own table, so no query that reads
            # budgets for a view or an export can carry it out by mistake.
            db.execute("""CREATE TABLE IF NOT EXISTS budget_secrets (
                budget_id TEXT PRIMARY KEY, secret TEXT NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS log_heads (
                budget_id TEXT NOT NULL, phase TEXT NOT NULL, entries INTEGER NOT NULL,
                doc TEXT NOT NULL, PRIMARY KEY (budget_id, phase))""")
            db.execute("""CREATE TABLE IF NOT EXISTS initiatives (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, status TEXT NOT NULL,
                created_at TEXT NOT NULL, supports INTEGER NOT NULL DEFAULT 0,
                doc TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS initiatives_page ON initiatives "
                       "(municipality_id, created_at, id)")
            db.execute("""CREATE TABLE IF NOT EXISTS supports (
                initiative_id TEXT NOT NULL, user_id TEXT NOT NULL, at TEXT NOT NULL,
                PRIMARY KEY (initiative_id, user_id))""")
            db.execute("""CREATE TABLE IF NOT EXISTS incidents (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                municipality_id TEXT NOT NULL, reporter_id TEXT NOT NULL,
                status TEXT NOT NULL, doc TEXT NOT NULL)""")
            db.execute("CREATE INDEX IF NOT EXISTS incidents_by_reporter ON incidents "
                       "(reporter_id, seq)")
            db.execute("CREATE INDEX IF NOT EXISTS incidents_by_municipality ON incidents "
                       "(municipality_id, seq)")

    def _one(self, sql, params):
        row = self.store.execute(sql, params).fetchone()
        return json.loads(row["doc"]) if row else None

    def _all(self, sql, params):
        return [json.loads(row["doc"]) for row in self.store.execute(sql, params).fetchall()]

    # -- registrations

    def upsert_registration(self, registration):
        self.store.execute(
            """INSERT INTO registrations (user_id, municipality_id, neighbourhood_id, household_id)
               VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET
               municipality_id = excluded.municipality_id,
               neighbourhood_id = excluded.neighbourhood_id,
               household_id = excluded.household_id""",
            (registration["user_id"], registration["municipality_id"],
             registration["neighbourhood_id"], registration["household_id"]))

    def move_registration(self, user_id, neighbourhood_id=None, household_id=None):
        for column, value in (("neighbourhood_id", neighbourhood_id),
                              ("household_id", household_id)):
            if value:
                self.store.execute("UPDATE registrations SET %s = ? WHERE user_id = ?" % column,
                                   (value, user_id))

    def remove_registration(self, user_id):
        self.store.execute("DELETE FROM registrations WHERE user_id = ?", (user_id,))

    def get_registration(self, user_id):
        row = self.store.execute("SELECT * FROM registrations WHERE user_id = ?",
                                 (user_id,)).fetchone()
        return dict(row) if row else None

    def registered_households(self, municipality_id):
        """{neighbourhood id: distinct households with a registered resident}"""
        rows = self.store.execute(
            """SELECT neighbourhood_id, COUNT(DISTINCT household_id) AS n FROM registrations
               WHERE municipality_id = ? GROUP BY neighbourhood_id""",
            (municipality_id,)).fetchall()
        return {row["neighbourhood_id"]: row["n"] for row in rows}

    # -- settings

    def get_settings(self, municipality_id):
        return self._one("SELECT doc FROM settings WHERE municipality_id = ?",
                         (municipality_id,)) or {}

    def set_settings(self, municipality_id, settings):
        self.store.execute(
            "INSERT INTO settings (municipality_id, doc) VALUES (?, ?) ON CONFLICT "
            "(municipality_id) DO UPDATE SET doc = excluded.doc",
            (municipality_id, json.dumps(settings)))

    # -- surveys

    def add_survey(self, survey):
        with self.store.transaction() as db:
            db.execute("INSERT INTO surveys (id, municipality_id, created_at, doc) "
                       "VALUES (?, ?, ?, ?)", (survey["id"], survey["municipality_id"],
                                               survey["created_at"], json.dumps(survey)))
            for neighbourhood_id in survey["neighbourhood_ids"]:
                db.execute("INSERT INTO survey_targets (survey_id, neighbourhood_id, created_at) "
                           "VALUES (?, ?, ?)", (survey["id"], neighbourhood_id,
                                                survey["created_at"]))

    def get_survey(self, survey_id):
        return self._one("SELECT doc FROM surveys WHERE id = ?", (survey_id,))

    def save_survey(self, survey):
        self.store.execute("UPDATE surveys SET doc = ? WHERE id = ?",
                           (json.dumps(survey), survey["id"]))

    def surveys_page(self, municipality_id, neighbourhood_id=None, before=None, limit=20):
        """Newest first, after the (created_at, id) position `before`; only the surveys
        targeting `neighbourhood_id` when given."""
        created, survey_id = before or ("\uffff", "")
        if neighbourhood_id is None:
            return self._all(
                """SELECT doc FROM surveys WHERE municipality_id = ?
                     AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?""",
                (municipality_id, created, survey_id, limit))
        return self._all(
            """SELECT s.doc FROM survey_targets t JOIN surveys s ON s.id = t.survey_id
               WHERE t.neighbourhood_id = ? AND s.municipality_id = ?
                 AND (t.created_at, t.survey_id) < (?, ?)
               ORDER BY t.created_at DESC, t.survey_id DESC LIMIT ?""",
            (neighbourhood_id, municipality_id, created, survey_id, limit))

    def add_response(self, survey, response):
        try:
            self.store.execute(
                "INSERT INTO responses (id, survey_id, respondent_key, user_id, doc) "
                "VALUES (?, ?, ?, ?, ?)",
                (response["id"], response["survey_id"], response["respondent_key"],
                 response["user_id"], json.dumps(response)))
        except sqlite3.IntegrityError:
            raise _household_already_responded(survey) from None

    def has_responded(self, survey_id, respondent_key):
        return self.store.execute(
            "SELECT 1 FROM responses WHERE survey_id = ? AND respondent_key = ?",
            (survey_id, respondent_key)).fetchone() is not None

    def responses_page(self, survey_id, after=None, limit=500):
        """In id order after `after` (for tallies and exports that stream every response)."""
        return self._all("SELECT doc FROM responses WHERE survey_id = ? AND id > ? "
                         "ORDER BY id LIMIT ?", (survey_id, after or "", limit))

    # -- budgets

    def add_budget(self, budget, first_entry, secret=None):
        with self.store.transaction() as db:
            db.execute("INSERT INTO budgets (id, municipality_id, created_at, frozen, doc) "
                       "VALUES (?, ?, ?, 0, ?)", (budget["id"], budget["municipality_id"],
                                                  budget["created_at"], json.dumps(budget)))
            if secret is not None:
                db.execute("INSERT INTO budget_secrets (budget_id, secret) VALUES (?, ?)",
                           (budget["id"], secret))
            db.execute("INSERT INTO budget_log (budget_id, seq, doc) VALUES (?, ?, ?)",
                       (budget["id"], first_entry["seq"], json.dumps(first_entry)))

    def get_budget(self, budget_id):
        row = self.store.execute("SELECT doc, frozen FROM budgets WHERE id = ?",
                                 (budget_id,)).fetchone()
        if row is None:
            return None
        return dict(json.loads(row["doc"]), frozen=bool(row["frozen"]))

    def budgets_page(self, municipality_id, before=None, limit=20):
        created, budget_id = before or ("\uffff", "")
        rows = self.store.execute(
            """SELECT doc, frozen FROM budgets WHERE municipality_id = ?
                 AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?""",
            (municipality_id, created, budget_id, limit)).fetchall()
        return [dict(json.loads(r["doc"]), frozen=bool(r["frozen"])) for r in rows]

    def update_budget(self, budget, log_kind=None, log_data=None, unless_frozen=False, now=None):
        """Store the budget (and append to its log, in the same transaction). With
        unless_frozen, refuse (conflict) once a ballot froze the rules."""
        with self.store.transaction() as db:
            if unless_frozen:
                row = db.execute("SELECT frozen FROM budgets WHERE id = ?",
                                 (budget["id"],)).fetchone()
                if row is None or row["frozen"]:
                    raise errors.conflict("the rules are frozen: ballots have been cast")
            stored = dict(budget)
            stored.pop("frozen", None)
            db.execute("UPDATE budgets SET doc = ? WHERE id = ?",
                       (json.dumps(stored), budget["id"]))
            if log_kind:
                self._append(db, budget["id"], log_kind, log_data, now)

    def budgets_to_announce(self, limit=500):
        """Budgets whose results phase has not been announced yet (the schedule may still move
        them into a new phase)."""
        rows = self.store.execute(
            """SELECT doc, frozen FROM budgets
               WHERE coalesce(json_extract(doc, '$.announced_phase'), '') != 'results'
               ORDER BY created_at, id LIMIT ?""", (limit,)).fetchall()
        return [dict(json.loads(r["doc"]), frozen=bool(r["frozen"])) for r in rows]

    def mark_phase_announced(self, budget_id, phase):
        self.store.execute(
            "UPDATE budgets SET doc = json_set(doc, '$.announced_phase', ?) WHERE id = ?",
            (phase, budget_id))

    def _append(self, db, budget_id, kind, data, now):
        row = db.execute("SELECT doc FROM budget_log WHERE budget_id = ? ORDER BY seq DESC "
                         "LIMIT 1", (budget_id,)).fetchone()
        entry = domain.log_entry(budget_id, json.loads(row["doc"]) if row else None, kind,
                                 data, now)
        db.execute("INSERT INTO budget_log (budget_id, seq, doc) VALUES (?, ?, ?)",
                   (budget_id, entry["seq"], json.dumps(entry)))
        return entry

    # -- projects

    def add_project(self, project):
        self.store.execute("INSERT INTO projects (id, budget_id, created_at, doc) "
                           "VALUES (?, ?, ?, ?)", (project["id"], project["budget_id"],
                                                   project["created_at"], json.dumps(project)))

    def get_project(self, project_id):
        return self._one("SELECT doc FROM projects WHERE id = ?", (project_id,))

    def review_project(self, project, now=None):
        """Store a review and log it, unless the rules froze meanwhile."""
        with self.store.transaction() as db:
            row = db.execute("SELECT frozen FROM budgets WHERE id = ?",
                             (project["budget_id"],)).fetchone()
            if row is None or row["frozen"]:
                raise errors.conflict("the rules are frozen: ballots have been cast")
            db.execute("UPDATE projects SET doc = ? WHERE id = ?",
                       (json.dumps(project), project["id"]))
            self._append(db, project["budget_id"], "project_reviewed",
                         _review_data(project), now)

    def projects_of(self, budget_id):
        """Every project of a budget (a budget has tens of them, at most hundreds)."""
        return self._all("SELECT doc FROM projects WHERE budget_id = ? ORDER BY created_at, id",
                         (budget_id,))

    # -- ballots

    def get_ballot(self, budget_id, voter):
        return self._one("SELECT doc FROM ballots WHERE budget_id = ? AND voter = ?",
                         (budget_id, voter))

    def ballot_cast_by(self, budget_id, user_id):
        return self._one("SELECT doc FROM ballots WHERE budget_id = ? AND cast_by = ?",
                         (budget_id, user_id))

    def put_ballot(self, ballot, expected_cast_by=None, now=None):
        """Record (or replace) a voter's ballot, freeze the rules and log it, atomically. A
        replacement must come from who cast it (a household's other adult gets a conflict)."""
        with self.store.transaction() as db:
            row = db.execute("SELECT cast_by FROM ballots WHERE budget_id = ? AND voter = ?",
                             (ballot["budget_id"], ballot["voter"])).fetchone()
            if row is not None and row["cast_by"] != ballot["cast_by"]:
                raise errors.conflict("your household has already voted; its ballot was cast "
                                      "by another member and only they can change it")
            db.execute(
                """INSERT INTO ballots (budget_id, voter, cast_by, project_ids, doc)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT (budget_id, voter) DO UPDATE SET
                   project_ids = excluded.project_ids, doc = excluded.doc""",
                (ballot["budget_id"], ballot["voter"], ballot["cast_by"],
                 json.dumps(ballot["project_ids"]), json.dumps(ballot)))
            db.execute("UPDATE budgets SET frozen = 1 WHERE id = ?", (ballot["budget_id"],))
            self._append(db, ballot["budget_id"], "ballot", domain.ballot_entry_data(ballot),
                         now)
            return row is None

    def ballots_of(self, budget_id, after=None, limit=1000):
        """Ballots in voter order after `after`. `project_ids` is read from its own column: that
        is what results count, and what the log's verification checks."""
        rows = self.store.execute(
            "SELECT voter, project_ids, doc FROM ballots WHERE budget_id = ? AND voter > ? "
            "ORDER BY voter LIMIT ?", (budget_id, after or "", limit)).fetchall()
        return [dict(json.loads(r["doc"]), project_ids=json.loads(r["project_ids"]))
                for r in rows]

    # -- the budget log

    def log_page(self, budget_id, after_seq=0, limit=1000):
        return self._all("SELECT doc FROM budget_log WHERE budget_id = ? AND seq > ? "
                         "ORDER BY seq LIMIT ?", (budget_id, after_seq, limit))

    def budget_secret(self, budget_id, new_secret):
        """The budget's pseudonym key; `new_secret` becomes it when it has none yet (a budget
        from before keys existed gets one on first use; concurrent first uses agree)."""
        def stored():
            row = self.store.execute("SELECT secret FROM budget_secrets WHERE budget_id = ?",
                                     (budget_id,)).fetchone()
            return row and row["secret"]

        # Read first: a budget's page is read far more often than a secret is created.
        found = stored()
        if found:
            return found
        self.store.execute("INSERT INTO budget_secrets (budget_id, secret) VALUES (?, ?) "
                           "ON CONFLICT (budget_id) DO NOTHING", (budget_id, new_secret))
        return stored()

    def last_log_entry(self, budget_id):
        return self._one("SELECT doc FROM budget_log WHERE budget_id = ? ORDER BY seq DESC "
                         "LIMIT 1", (budget_id,))

    def publish_log_head(self, budget_id, phase, now=None):
        """Record the log's head as published at `phase` (once: a repeated announcement gets
        the head first recorded)."""
        with self.store.transaction() as db:
            row = db.execute("SELECT doc FROM budget_log WHERE budget_id = ? ORDER BY seq DESC "
                             "LIMIT 1", (budget_id,)).fetchone()
            head = domain.published_head(phase, json.loads(row["doc"]) if row else None, now)
            db.execute("INSERT INTO log_heads (budget_id, phase, entries, doc) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (budget_id, phase) DO NOTHING",
                       (budget_id, phase, head["entries"], json.dumps(head)))
            return json.loads(db.execute(
                "SELECT doc FROM log_heads WHERE budget_id = ? AND phase = ?",
                (budget_id, phase)).fetchone()["doc"])

    def log_heads(self, budget_id):
        """The heads published so far, in the order of the log."""
        return self._all("SELECT doc FROM log_heads WHERE budget_id = ? "
                         "ORDER BY entries, json_extract(doc, '$.published_at')", (budget_id,))

    # -- initiatives

    def add_initiative(self, initiative):
        self.store.execute(
            "INSERT INTO initiatives (id, municipality_id, neighbourhood_id, status, created_at, "
            "supports, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (initiative["id"], initiative["municipality_id"], initiative["neighbourhood_id"],
             initiative["status"], initiative["created_at"], initiative["supports"],
             json.dumps(initiative)))

    def get_initiative(self, initiative_id):
        row = self.store.execute("SELECT doc, supports, status FROM initiatives WHERE id = ?",
                                 (initiative_id,)).fetchone()
        if row is None:
            return None
        return dict(json.loads(row["doc"]), supports=row["supports"], status=row["status"])

    def save_initiative(self, initiative, expected_status=None):
        """Store it; with expected_status only if its status is still that (True when saved)."""
        sql = "UPDATE initiatives SET status = ?, doc = ? WHERE id = ?"
        params = [initiative["status"], json.dumps(initiative), initiative["id"]]
        if expected_status:
            sql += " AND status = ?"
            params.append(expected_status)
        return self.store.execute(sql, params).rowcount == 1

    def add_support(self, initiative_id, user_id, at):
        """Record a support once; the initiative's new count, or None if already given."""
        with self.store.transaction() as db:
            try:
                db.execute("INSERT INTO supports (initiative_id, user_id, at) VALUES (?, ?, ?)",
                           (initiative_id, user_id, at))
            except sqlite3.IntegrityError:
                return None
            db.execute("UPDATE initiatives SET supports = supports + 1 WHERE id = ?",
                       (initiative_id,))
            return db.execute("SELECT supports FROM initiatives WHERE id = ?",
                              (initiative_id,)).fetchone()["supports"]

    def has_supported(self, initiative_id, user_id):
        return self.store.execute(
            "SELECT 1 FROM supports WHERE initiative_id = ? AND user_id = ?",
            (initiative_id, user_id)).fetchone() is not None

    def initiatives_page(self, municipality_id, neighbourhood_ids=None, statuses=None,
                         before=None, limit=20):
        created, initiative_id = before or ("\uffff", "")
        sql = ("SELECT doc, supports, status FROM initiatives WHERE municipality_id = ? "
               "AND (created_at, id) < (?, ?)")
        params = [municipality_id, created, initiative_id]
        for column, values in (("neighbourhood_id", neighbourhood_ids), ("status", statuses)):
            if values is not None:
                sql += " AND %s IN (%s)" % (column, ",".join("?" * len(values)) or "NULL")
                params.extend(values)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        rows = self.store.execute(sql, params + [limit]).fetchall()
        return [dict(json.loads(r["doc"]), supports=r["supports"], status=r["status"])
                for r in rows]

    # -- incidents

    def add_incident(self, incident):
        """Store a report and give it the next number of the store's sequence."""
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO incidents (id, municipality_id, reporter_id, status, doc) "
                "VALUES (?, ?, ?, ?, '{}')", (incident["id"], incident["municipality_id"],
                                              incident["reporter_id"], incident["status"]))
            stored = dict(incident, sequence=cursor.lastrowid)
            db.execute("UPDATE incidents SET doc = ? WHERE seq = ?",
                       (json.dumps(stored), cursor.lastrowid))
        return stored

    def get_incident(self, incident_id):
        return self._one("SELECT doc FROM incidents WHERE id = ?", (incident_id,))

    def save_incident(self, incident, expected_status):
        """Store a status change unless another one happened meanwhile (True when saved)."""
        return self.store.execute(
            "UPDATE incidents SET status = ?, doc = ? WHERE id = ? AND status = ?",
            (incident["status"], json.dumps(incident), incident["id"], expected_status)
        ).rowcount == 1

    def incidents_of_reporter(self, reporter_id, before_sequence=None, limit=20):
        return self._all("SELECT doc FROM incidents WHERE reporter_id = ? AND seq < ? "
                         "ORDER BY seq DESC LIMIT ?",
                         (reporter_id, before_sequence or 2 ** 62, limit))

    def incidents_after(self, municipality_id, after_sequence=0, limit=100, status=None):
        sql = "SELECT doc FROM incidents WHERE municipality_id = ? AND seq > ?"
        params = [municipality_id, after_sequence]
        if status:
            sql += " AND status = ?"
            params.append(status)
        return self._all(sql + " ORDER BY seq LIMIT ?", params + [limit])

    # -- one person's data (GDPR)

    def personal_data(self, user_id, limit=1000):
        """What this store holds about a user, each kind bounded by `limit`."""
        def docs(sql):
            return self._all(sql + " LIMIT ?", (user_id, limit))
        return {
            "registration": self.get_registration(user_id),
            "responses": docs("SELECT doc FROM responses WHERE user_id = ? ORDER BY id"),
            "ballots": [dict(json.loads(r["doc"]), project_ids=json.loads(r["project_ids"]))
                        for r in self.store.execute(
                            "SELECT doc, project_ids FROM ballots WHERE cast_by = ? LIMIT ?",
                            (user_id, limit)).fetchall()],
            "projects": docs("SELECT doc FROM projects WHERE "
                             "json_extract(doc, '$.proposer_id') = ? ORDER BY created_at"),
            "initiatives": docs("SELECT doc FROM initiatives WHERE "
                                "json_extract(doc, '$.proposer_id') = ? ORDER BY created_at"),
            "supports": [dict(r) for r in self.store.execute(
                "SELECT initiative_id, at FROM supports WHERE user_id = ? ORDER BY at LIMIT ?",
                (user_id, limit)).fetchall()],
            "incidents": docs("SELECT doc FROM incidents WHERE reporter_id = ? ORDER BY seq"),
        }

    def erase_user(self, user_id, replacement):
        """Unlink a user from everything they did: their id becomes `replacement` (random per
        erasure) where a record must stay countable (responses, ballots, incidents), and
        disappears elsewhere; their supports are removed (the counts keep them)."""
        with self.store.transaction() as db:
            for row in db.execute("SELECT id, doc FROM responses WHERE user_id = ?",
                                  (user_id,)).fetchall():
                doc = dict(json.loads(row["doc"]), user_id=replacement)
                survey = db.execute("SELECT doc FROM surveys WHERE id = ?",
                                    (doc["survey_id"],)).fetchone()
                doc["answers"] = erasure.without_free_text(
                    json.loads(survey["doc"]) if survey else None, doc["answers"])
                doc["respondent_key"] = _erased_key(doc["respondent_key"], replacement,
                                                    row["id"])
                db.execute("UPDATE responses SET user_id = ?, respondent_key = ?, doc = ? "
                           "WHERE id = ?", (replacement, doc["respondent_key"], json.dumps(doc),
                                            row["id"]))
            db.execute("UPDATE ballots SET cast_by = ?, doc = json_set(doc, '$.cast_by', ?) "
                       "WHERE cast_by = ?", (replacement, replacement, user_id))
            for row in db.execute("SELECT id, doc FROM projects "
                                  "WHERE json_extract(doc, '$.proposer_id') = ?",
                                  (user_id,)).fetchall():
                db.execute("UPDATE projects SET doc = ? WHERE id = ?", (json.dumps(
                    erasure.withdrawn_project(json.loads(row["doc"]), replacement)), row["id"]))
            for row in db.execute("SELECT id, doc FROM initiatives "
                                  "WHERE json_extract(doc, '$.proposer_id') = ?",
                                  (user_id,)).fetchall():
                db.execute("UPDATE initiatives SET doc = ? WHERE id = ?", (json.dumps(
                    erasure.withdrawn_initiative(json.loads(row["doc"]), replacement)),
                    row["id"]))
            db.execute("DELETE FROM supports WHERE user_id = ?", (user_id,))
            for row in db.execute("SELECT id, doc FROM incidents WHERE reporter_id = ?",
                                  (user_id,)).fetchall():
                db.execute("UPDATE incidents SET reporter_id = ?, doc = ? WHERE id = ?", (
                    replacement, json.dumps(erasure.withdrawn_incident(
                        json.loads(row["doc"]), replacement)), row["id"]))
            db.execute("DELETE FROM registrations WHERE user_id = ?", (user_id,))


def _erased_key(respondent_key, replacement, response_id):
    """A per-person respondent key names the user: replace it. A household's stays, so the
    household's other adults still cannot answer a second time."""
    if respondent_key.startswith("user:"):
        return "%s:%s" % (replacement, response_id)
    return respondent_key


def _review_data(project):
    return {"project_id": project["id"], "status": project["status"],
            "cost": project["cost"], "reason": project["reason"]}


def _strip(document):
    if document is None:
        return None
    document = dict(document)
    document.pop("_id", None)
    return document


class MongoParticipation:
    def __init__(self, store):
        db = store.db
        self.registrations = db["registrations"]
        self.settings = db["settings"]
        self.surveys = db["surveys"]
        self.responses = db["responses"]
        self.budgets = db["budgets"]
        self.projects = db["projects"]
        self.ballots = db["ballots"]
        self.log = db["budget_log"]
        self.secrets = db["budget_secrets"]
        self.heads = db["log_heads"]
        self.initiatives = db["initiatives"]
        self.supports = db["supports"]
        self.incidents = db["incidents"]
        self.counters = db["counters"]
        asc, desc = pymongo.ASCENDING, pymongo.DESCENDING
        self.registrations.create_index([("municipality_id", asc), ("neighbourhood_id", asc)],
                                        name="area")
        self.surveys.create_index([("municipality_id", asc), ("created_at", desc), ("id", desc)],
                                  name="page")
        self.surveys.create_index([("neighbourhood_ids", asc), ("created_at", desc)],
                                  name="targets")
        self.responses.create_index([("survey_id", asc), ("respondent_key", asc)], unique=True,
                                    name="one_per_respondent")
        self.responses.create_index([("survey_id", asc), ("id", asc)], name="page")
        self.budgets.create_index([("municipality_id", asc), ("created_at", desc), ("id", desc)],
                                  name="page")
        self.projects.create_index([("budget_id", asc), ("created_at", asc)], name="of_budget")
        self.ballots.create_index([("budget_id", asc), ("voter", asc)], unique=True,
                                  name="one_per_voter")
        self.ballots.create_index([("budget_id", asc), ("cast_by", asc)], name="cast_by")
        self.log.create_index([("budget_id", asc), ("seq", asc)], unique=True, name="chain")
        self.heads.create_index([("budget_id", asc), ("entries", asc)], name="of_budget")
        self.initiatives.create_index(
            [("municipality_id", asc), ("created_at", desc), ("id", desc)], name="page")
        self.supports.create_index([("initiative_id", asc), ("user_id", asc)], unique=True,
                                   name="once")
        self.incidents.create_index([("sequence", asc)], unique=True, name="sequence")
        self.incidents.create_index([("reporter_id", asc), ("sequence", desc)], name="reporter")
        self.incidents.create_index([("municipality_id", asc), ("sequence", asc)],
                                    name="municipality")

    # -- registrations

    def upsert_registration(self, registration):
        document = dict(registration)
        self.registrations.replace_one({"_id": document["user_id"]}, document, upsert=True)

    def move_registration(self, user_id, neighbourhood_id=None, household_id=None):
        changes = {k: v for k, v in (("neighbourhood_id", neighbourhood_id),
                                     ("household_id", household_id)) if v}
        if changes:
            self.registrations.update_one({"_id": user_id}, {"$set": changes})

    def remove_registration(self, user_id):
        self.registrations.delete_one({"_id": user_id})

    def get_registration(self, user_id):
        return _strip(self.registrations.find_one({"_id": user_id}))

    def registered_households(self, municipality_id):
        found = self.registrations.aggregate([
            {"$match": {"municipality_id": municipality_id}},
            {"$group": {"_id": {"n": "$neighbourhood_id", "h": "$household_id"}}},
            {"$group": {"_id": "$_id.n", "households": {"$sum": 1}}},
        ])
        return {d["_id"]: d["households"] for d in found}

    # -- settings

    def get_settings(self, municipality_id):
        return _strip(self.settings.find_one({"_id": municipality_id})) or {}

    def set_settings(self, municipality_id, settings):
        self.settings.replace_one({"_id": municipality_id}, dict(settings), upsert=True)

    # -- surveys

    def add_survey(self, survey):
        self.surveys.insert_one(dict(survey, _id=survey["id"]))

    def get_survey(self, survey_id):
        return _strip(self.surveys.find_one({"_id": survey_id}))

    def save_survey(self, survey):
        self.surveys.replace_one({"_id": survey["id"]}, dict(survey, _id=survey["id"]))

    @staticmethod
    def _before(before):
        if not before:
            return {}
        created, item_id = before
        return {"$or": [{"created_at": {"$lt": created}},
                        {"created_at": created, "id": {"$lt": item_id}}]}

    def surveys_page(self, municipality_id, neighbourhood_id=None, before=None, limit=20):
        query = dict(self._before(before), municipality_id=municipality_id)
        if neighbourhood_id is not None:
            query["neighbourhood_ids"] = neighbourhood_id
        found = self.surveys.find(query).sort(
            [("created_at", pymongo.DESCENDING), ("id", pymongo.DESCENDING)]).limit(limit)
        return [_strip(d) for d in found]

    def add_response(self, survey, response):
        try:
            self.responses.insert_one(dict(response, _id=response["id"]))
        except DuplicateKeyError:
            raise _household_already_responded(survey) from None

    def has_responded(self, survey_id, respondent_key):
        return self.responses.find_one({"survey_id": survey_id,
                                        "respondent_key": respondent_key}) is not None

    def responses_page(self, survey_id, after=None, limit=500):
        found = self.responses.find({"survey_id": survey_id, "id": {"$gt": after or ""}}).sort(
            "id", pymongo.ASCENDING).limit(limit)
        return [_strip(d) for d in found]

    # -- budgets

    def add_budget(self, budget, first_entry, secret=None):
        if secret is not None:
            self.secrets.insert_one({"_id": budget["id"], "secret": secret})
        self.budgets.insert_one(dict(budget, _id=budget["id"]))
        self.log.insert_one(dict(first_entry))

    def get_budget(self, budget_id):
        return _strip(self.budgets.find_one({"_id": budget_id}))

    def budgets_page(self, municipality_id, before=None, limit=20):
        query = dict(self._before(before), municipality_id=municipality_id)
        found = self.budgets.find(query).sort(
            [("created_at", pymongo.DESCENDING), ("id", pymongo.DESCENDING)]).limit(limit)
        return [_strip(d) for d in found]

    def update_budget(self, budget, log_kind=None, log_data=None, unless_frozen=False, now=None):
        stored = dict(budget)
        stored.pop("frozen", None)
        query = {"_id": budget["id"]}
        if unless_frozen:
            query["frozen"] = False
        result = self.budgets.update_one(query, {"$set": stored})
        if result.matched_count != 1:
            raise errors.conflict("the rules are frozen: ballots have been cast")
        if log_kind:
            self._append(budget["id"], log_kind, log_data, now)

    def budgets_to_announce(self, limit=500):
        found = self.budgets.find({"announced_phase": {"$ne": "results"}}).sort(
            [("created_at", pymongo.ASCENDING), ("id", pymongo.ASCENDING)]).limit(limit)
        return [_strip(d) for d in found]

    def mark_phase_announced(self, budget_id, phase):
        self.budgets.update_one({"_id": budget_id}, {"$set": {"announced_phase": phase}})

    def _append(self, budget_id, kind, data, now):
        """Chain an entry after the last one; a concurrent append takes the same sequence number
        first (unique index), so this one retries on top of it."""
        for _ in range(LOG_APPEND_ATTEMPTS):
            last = self.log.find_one({"budget_id": budget_id}, sort=[("seq", pymongo.DESCENDING)])
            entry = domain.log_entry(budget_id, _strip(last), kind, data, now)
            try:
                self.log.insert_one(dict(entry))
                return entry
            except DuplicateKeyError:
                continue
        raise errors.DomainError(errors.UNAVAILABLE, "the budget log is busy; try again")

    # -- projects

    def add_project(self, project):
        self.projects.insert_one(dict(project, _id=project["id"]))

    def get_project(self, project_id):
        return _strip(self.projects.find_one({"_id": project_id}))

    def review_project(self, project, now=None):
        if self.budgets.find_one({"_id": project["budget_id"], "frozen": False}) is None:
            raise errors.conflict("the rules are frozen: ballots have been cast")
        self.projects.replace_one({"_id": project["id"]}, dict(project, _id=project["id"]))
        self._append(project["budget_id"], "project_reviewed", _review_data(project), now)

    def projects_of(self, budget_id):
        found = self.projects.find({"budget_id": budget_id}).sort(
            [("created_at", pymongo.ASCENDING), ("id", pymongo.ASCENDING)])
        return [_strip(d) for d in found]

    # -- ballots

    def get_ballot(self, budget_id, voter):
        return _strip(self.ballots.find_one({"budget_id": budget_id, "voter": voter}))

    def ballot_cast_by(self, budget_id, user_id):
        return _strip(self.ballots.find_one({"budget_id": budget_id, "cast_by": user_id}))

    def put_ballot(self, ballot, expected_cast_by=None, now=None):
        # Freeze first: from here on no rule change can slip in under this ballot.
        self.budgets.update_one({"_id": ballot["budget_id"]}, {"$set": {"frozen": True}})
        key = {"budget_id": ballot["budget_id"], "voter": ballot["voter"]}
        try:
            result = self.ballots.update_one(
                dict(key, cast_by=ballot["cast_by"]), {"$set": dict(ballot)}, upsert=True)
        except DuplicateKeyError:
            raise errors.conflict("your household has already voted; its ballot was cast by "
                                  "another member and only they can change it") from None
        self._append(ballot["budget_id"], "ballot", domain.ballot_entry_data(ballot), now)
        return result.upserted_id is not None

    def ballots_of(self, budget_id, after=None, limit=1000):
        found = self.ballots.find({"budget_id": budget_id, "voter": {"$gt": after or ""}}).sort(
            "voter", pymongo.ASCENDING).limit(limit)
        return [_strip(d) for d in found]

    def log_page(self, budget_id, after_seq=0, limit=1000):
        found = self.log.find({"budget_id": budget_id, "seq": {"$gt": after_seq}}).sort(
            "seq", pymongo.ASCENDING).limit(limit)
        return [_strip(d) for d in found]

    def budget_secret(self, budget_id, new_secret):
        found = self.secrets.find_one({"_id": budget_id})
        if found:
            return found["secret"]
        self.secrets.update_one({"_id": budget_id}, {"$setOnInsert": {"secret": new_secret}},
                                upsert=True)
        return self.secrets.find_one({"_id": budget_id})["secret"]

    def last_log_entry(self, budget_id):
        return _strip(self.log.find_one({"budget_id": budget_id},
                                        sort=[("seq", pymongo.DESCENDING)]))

    def publish_log_head(self, budget_id, phase, now=None):
        head = domain.published_head(phase, self.last_log_entry(budget_id), now)
        try:
            self.heads.insert_one(dict(head, _id="%s:%s" % (budget_id, phase),
                                       budget_id=budget_id))
        except DuplicateKeyError:
            pass
        stored = _strip(self.heads.find_one({"_id": "%s:%s" % (budget_id, phase)}))
        stored.pop("budget_id", None)
        return stored

    def log_heads(self, budget_id):
        found = self.heads.find({"budget_id": budget_id}).sort(
            [("entries", pymongo.ASCENDING), ("published_at", pymongo.ASCENDING)])
        return [{k: v for k, v in d.items() if k not in ("_id", "budget_id")} for d in found]

    # -- initiatives

    def add_initiative(self, initiative):
        self.initiatives.insert_one(dict(initiative, _id=initiative["id"]))

    def get_initiative(self, initiative_id):
        return _strip(self.initiatives.find_one({"_id": initiative_id}))

    def save_initiative(self, initiative, expected_status=None):
        query = {"_id": initiative["id"]}
        if expected_status:
            query["status"] = expected_status
        changes = {k: v for k, v in initiative.items() if k != "supports"}
        return self.initiatives.update_one(query, {"$set": changes}).matched_count == 1

    def add_support(self, initiative_id, user_id, at):
        try:
            self.supports.insert_one({"initiative_id": initiative_id, "user_id": user_id,
                                      "at": at})
        except DuplicateKeyError:
            return None
        updated = self.initiatives.find_one_and_update(
            {"_id": initiative_id}, {"$inc": {"supports": 1}},
            return_document=ReturnDocument.AFTER)
        return updated["supports"]

    def has_supported(self, initiative_id, user_id):
        return self.supports.find_one({"initiative_id": initiative_id,
                                       "user_id": user_id}) is not None

    def initiatives_page(self, municipality_id, neighbourhood_ids=None, statuses=None,
                         before=None, limit=20):
        query = dict(self._before(before), municipality_id=municipality_id)
        if neighbourhood_ids is not None:
            query["neighbourhood_id"] = {"$in": list(neighbourhood_ids)}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        found = self.initiatives.find(query).sort(
            [("created_at", pymongo.DESCENDING), ("id", pymongo.DESCENDING)]).limit(limit)
        return [_strip(d) for d in found]

    # -- incidents

    def add_incident(self, incident):
        counter = self.counters.find_one_and_update(
            {"_id": "incidents"}, {"$inc": {"value": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        stored = dict(incident, sequence=counter["value"])
        self.incidents.insert_one(dict(stored, _id=incident["id"]))
        return stored

    def get_incident(self, incident_id):
        return _strip(self.incidents.find_one({"_id": incident_id}))

    def save_incident(self, incident, expected_status):
        return self.incidents.update_one(
            {"_id": incident["id"], "status": expected_status},
            {"$set": dict(incident)}).matched_count == 1

    def incidents_of_reporter(self, reporter_id, before_sequence=None, limit=20):
        query = {"reporter_id": reporter_id}
        if before_sequence:
            query["sequence"] = {"$lt": before_sequence}
        found = self.incidents.find(query).sort("sequence", pymongo.DESCENDING).limit(limit)
        return [_strip(d) for d in found]

    def incidents_after(self, municipality_id, after_sequence=0, limit=100, status=None):
        query = {"municipality_id": municipality_id, "sequence": {"$gt": after_sequence}}
        if status:
            query["status"] = status
        found = self.incidents.find(query).sort("sequence", pymongo.ASCENDING).limit(limit)
        return [_strip(d) for d in found]

    # -- one person's data (GDPR)

    def personal_data(self, user_id, limit=1000):
        def docs(collection, query, order):
            return [_strip(d) for d in collection.find(query).sort(order, 1).limit(limit)]
        return {
            "registration": self.get_registration(user_id),
            "responses": docs(self.responses, {"user_id": user_id}, "id"),
            "ballots": docs(self.ballots, {"cast_by": user_id}, "budget_id"),
            "projects": docs(self.projects, {"proposer_id": user_id}, "created_at"),
            "initiatives": docs(self.initiatives, {"proposer_id": user_id}, "created_at"),
            "supports": [{"initiative_id": d["initiative_id"], "at": d["at"]} for d in
                         self.supports.find({"user_id": user_id}).sort("at", 1).limit(limit)],
            "incidents": docs(self.incidents, {"reporter_id": user_id}, "sequence"),
        }

    def erase_user(self, user_id, replacement):
        for document in self.responses.find({"user_id": user_id}):
            survey = self.surveys.find_one({"_id": document["survey_id"]})
            self.responses.update_one({"_id": document["_id"]}, {"$set": {
                "user_id": replacement, "respondent_key": _erased_key(
                    document["respondent_key"], replacement, document["id"]),
                "answers": erasure.without_free_text(survey, document["answers"])}})
        self.ballots.update_many({"cast_by": user_id}, {"$set": {"cast_by": replacement}})
        for project in self.projects.find({"proposer_id": user_id}):
            self.projects.replace_one({"_id": project["_id"]},
                                      erasure.withdrawn_project(project, replacement))
        self.initiatives.update_many({"proposer_id": user_id}, {"$set": {
            "proposer_id": replacement, "title": "", "text": ""}})
        self.supports.delete_many({"user_id": user_id})
        self.incidents.update_many({"reporter_id": user_id}, {"$set": {
            "reporter_id": replacement, "text": "", "location.description": ""}})
        self.registrations.delete_one({"_id": user_id})
