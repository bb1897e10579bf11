"""Translation's store: detected source languages, the machine-translation cache and daily quotas.
One port, two adapters (SQLite, MongoDB), held to the same contract by
tests/unit/test_translation_repository.py.

- sources: content key ("post:<id>") → (text hash, language); a new hash (an edit) replaces it.
- cache: (text hash, target language) → translated title and body. Keyed by the text, not the
  content id, so an edit can never serve the old text's translation.
- quotas: (user, UTC day) → machine translations made; taking one is atomic and refused at the
  limit, so concurrent requests cannot overshoot it.
- cache origins: (text hash, content key) → the content's author. A translation repeats its
  author's words, so erasing them, or deleting the content, finds every cached translation of
  what they wrote, earlier versions of an edited post and their comments included."""
import sqlite3

from pymongo.errors import DuplicateKeyError


class SqliteTranslations:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS sources (
                content_key TEXT PRIMARY KEY, text_hash TEXT NOT NULL, language TEXT)""")
            db.execute("""CREATE TABLE IF NOT EXISTS cache (
                text_hash TEXT NOT NULL, lang TEXT NOT NULL, title TEXT NOT NULL,
                body TEXT NOT NULL, provider TEXT NOT NULL, PRIMARY KEY (text_hash, lang))""")
            db.execute("""CREATE TABLE IF NOT EXISTS quotas (
                user_id TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL,
                PRIMARY KEY (user_id, day))""")
            db.execute("""CREATE TABLE IF NOT EXISTS cache_origins (
                text_hash TEXT NOT NULL, content_key TEXT NOT NULL, author_id TEXT,
                PRIMARY KEY (text_hash, content_key))""")
            db.execute("CREATE INDEX IF NOT EXISTS cache_origins_by_author "
                       "ON cache_origins (author_id)")
            db.execute("CREATE INDEX IF NOT EXISTS cache_origins_by_content "
                       "ON cache_origins (content_key)")

    def source(self, content_key):
        row = self.store.execute("SELECT text_hash, language FROM sources WHERE content_key = ?",
                                 (content_key,)).fetchone()
        return (row["text_hash"], row["language"]) if row else None

    def set_source(self, content_key, text_hash, language):
        self.store.execute(
            """INSERT INTO sources (content_key, text_hash, language) VALUES (?, ?, ?)
               ON CONFLICT (content_key) DO UPDATE SET text_hash = excluded.text_hash,
               language = excluded.language""", (content_key, text_hash, language))

    def forget_source(self, content_key):
        self.store.execute("DELETE FROM sources WHERE content_key = ?", (content_key,))

    def cached(self, text_hash, lang):
        row = self.store.execute("SELECT title, body FROM cache WHERE text_hash = ? AND lang = ?",
                                 (text_hash, lang)).fetchone()
        return {"title": row["title"], "body": row["body"]} if row else None

    def put_cached(self, text_hash, lang, title, body, provider, content_key=None,
                   author_id=None):
        # Two readers translating the same text at once both store it: the last one stays.
        with self.store.transaction() as db:
            db.execute(
                """INSERT INTO cache (text_hash, lang, title, body, provider)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (text_hash, lang) DO UPDATE SET title = excluded.title,
                   body = excluded.body, provider = excluded.provider""",
                (text_hash, lang, title, body, provider))
            if content_key:
                db.execute("INSERT OR REPLACE INTO cache_origins (text_hash, content_key, "
                           "author_id) VALUES (?, ?, ?)", (text_hash, content_key, author_id))

    def _forget_origins(self, column, value):
        with self.store.transaction() as db:
            db.execute("DELETE FROM cache WHERE text_hash IN (SELECT text_hash FROM "
                       "cache_origins WHERE %s = ?)" % column, (value,))
            db.execute("DELETE FROM cache_origins WHERE %s = ?" % column, (value,))

    def forget_content(self, content_key):
        """Every cached translation of a content, whichever version of its text."""
        self._forget_origins("content_key", content_key)

    def forget_author(self, user_id):
        """Every cached translation of what the person wrote."""
        self._forget_origins("author_id", user_id)

    def take_quota(self, user_id, day, limit):
        """One more machine translation for the user today, unless `limit` is reached."""
        if limit <= 0:
            return False
        try:
            cursor = self.store.execute(
                """INSERT INTO quotas (user_id, day, used) VALUES (?, ?, 1)
                   ON CONFLICT (user_id, day) DO UPDATE SET used = used + 1
                   WHERE used < ?""", (user_id, day, limit))
        except sqlite3.IntegrityError:
            return False
        return cursor.rowcount == 1

    def give_back_quota(self, user_id, day):
        """The provider failed: the attempt does not count."""
        self.store.execute("UPDATE quotas SET used = used - 1 WHERE user_id = ? AND day = ? "
                           "AND used > 0", (user_id, day))

    def quota_used(self, user_id, day):
        row = self.store.execute("SELECT used FROM quotas WHERE user_id = ? AND day = ?",
                                 (user_id, day)).fetchone()
        return row["used"] if row else 0

    def forget_text(self, text_hash):
        """A deleted content's translations: gone with it."""
        self.store.execute("DELETE FROM cache WHERE text_hash = ?", (text_hash,))

    def quotas_of(self, user_id):
        rows = self.store.execute("SELECT day, used FROM quotas WHERE user_id = ? ORDER BY day",
                                  (user_id,)).fetchall()
        return [{"day": row["day"], "used": row["used"]} for row in rows]

    def forget_user(self, user_id):
        self.store.execute("DELETE FROM quotas WHERE user_id = ?", (user_id,))


class MongoTranslations:
    def __init__(self, store):
        self.sources = store.db["sources"]
        self.cache = store.db["cache"]
        self.quotas = store.db["quotas"]
        self.origins = store.db["cache_origins"]
        self.cache.create_index("text_hash")
        self.quotas.create_index([("user_id", 1), ("day", 1)])
        self.origins.create_index("author_id")
        self.origins.create_index("content_key")

    def source(self, content_key):
        found = self.sources.find_one({"_id": content_key})
        return (found["text_hash"], found.get("language")) if found else None

    def set_source(self, content_key, text_hash, language):
        self.sources.update_one({"_id": content_key},
                                {"$set": {"text_hash": text_hash, "language": language}},
                                upsert=True)

    def forget_source(self, content_key):
        self.sources.delete_one({"_id": content_key})

    def cached(self, text_hash, lang):
        found = self.cache.find_one({"_id": "%s:%s" % (text_hash, lang)})
        return {"title": found["title"], "body": found["body"]} if found else None

    def put_cached(self, text_hash, lang, title, body, provider, content_key=None,
                   author_id=None):
        if content_key:  # the origin first: a cached text is never without it
            self.origins.update_one({"_id": "%s\n%s" % (text_hash, content_key)}, {"$set": {
                "text_hash": text_hash, "content_key": content_key, "author_id": author_id}},
                upsert=True)
        self.cache.update_one({"_id": "%s:%s" % (text_hash, lang)}, {"$set": {
            "text_hash": text_hash, "lang": lang, "title": title, "body": body,
            "provider": provider}}, upsert=True)

    def _forget_origins(self, field, value):
        found = list(self.origins.find({field: value}))
        hashes = sorted({origin["text_hash"] for origin in found})
        if hashes:
            self.cache.delete_many({"text_hash": {"$in": hashes}})
        self.origins.delete_many({"_id": {"$in": [origin["_id"] for origin in found]}})

    def forget_content(self, content_key):
        self._forget_origins("content_key", content_key)

    def forget_author(self, user_id):
        self._forget_origins("author_id", user_id)

    def take_quota(self, user_id, day, limit):
        if limit <= 0:
            return False
        # At the limit the filter matches nothing and the upsert collides with the existing
        # document's _id: refused, atomically.
        try:
            self.quotas.update_one({"_id": "%s:%s" % (user_id, day), "used": {"$lt": limit}},
                                   {"$inc": {"used": 1},
                                    "$setOnInsert": {"user_id": user_id, "day": day}},
                                   upsert=True)
        except DuplicateKeyError:
            return False
        return True

    def give_back_quota(self, user_id, day):
        self.quotas.update_one({"_id": "%s:%s" % (user_id, day), "used": {"$gt": 0}},
                               {"$inc": {"used": -1}})

    def quota_used(self, user_id, day):
        found = self.quotas.find_one({"_id": "%s:%s" % (user_id, day)})
        return found["used"] if found else 0

    def forget_text(self, text_hash):
        self.cache.delete_many({"text_hash": text_hash})

    def quotas_of(self, user_id):
        return [{"day": d["day"], "used": d["used"]}
                for d in self.quotas.find({"user_id": user_id}).sort("day", 1)]

    def forget_user(self, user_id):
        self.quotas.delete_many({"user_id": user_id})
