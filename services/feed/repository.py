"""Feed's store: posts with their audience, comments, thanks, reports, and the authors' names kept
from identity's events. One port, two adapters (SQLite, MongoDB), held to the same contract by
tests/unit/test_feed_repository.py.

The feed pages on (published_at, id) descending: a range below the last item seen, never a skip,
so a page costs the same wherever it is and posts added meanwhile (always newer) never shift it.
Counters (comments, thanks) move with atomic increments guarded by unique keys, never by
read-modify-write: fifty people thanking at once count fifty.
"""
import heapq
import json
import sqlite3
from dataclasses import replace

import pymongo
from pymongo.errors import DuplicateKeyError

from services.feed.domain import ANNOUNCEMENT, Author, Comment, Post

POST_COUNTERS = ("comment_count", "thanks_count")


def _position_before(before):
    return before or ("\uffff", "\uffff")


class SqlitePosts:
    def __init__(self, store):
        self.store = store
        with store.transaction() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS posts (
                id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL, author_id TEXT NOT NULL,
                category TEXT NOT NULL, published_at TEXT NOT NULL, week TEXT NOT NULL,
                shared INTEGER NOT NULL DEFAULT 0, document TEXT NOT NULL,
                comment_count INTEGER NOT NULL DEFAULT 0,
                thanks_count INTEGER NOT NULL DEFAULT 0)""")
            db.execute("CREATE INDEX IF NOT EXISTS posts_by_author ON posts (author_id)")
            db.execute("""CREATE INDEX IF NOT EXISTS posts_announcements
                ON posts (municipality_id, category, published_at, id)""")
            # One row per (neighbourhood, post): the feed is a range scan of this primary key.
            # category and city_visible are copied here so filters need no join.
            db.execute("""CREATE TABLE IF NOT EXISTS post_audience (
                neighbourhood_id TEXT NOT NULL, published_at TEXT NOT NULL,
                post_id TEXT NOT NULL, category TEXT NOT NULL, author_id TEXT NOT NULL,
                city_visible INTEGER NOT NULL, municipality_id TEXT NOT NULL,
                PRIMARY KEY (neighbourhood_id, published_at, post_id)) WITHOUT ROWID""")
            db.execute("""CREATE INDEX IF NOT EXISTS audience_by_category
                ON post_audience (neighbourhood_id, category, published_at, post_id)""")
            # The city's feed: a seek, not a walk past every post it may not read.
            db.execute("""CREATE INDEX IF NOT EXISTS audience_for_city
                ON post_audience (neighbourhood_id, city_visible, published_at, post_id)""")
            db.execute("CREATE INDEX IF NOT EXISTS audience_by_post ON post_audience (post_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS comments (
                id TEXT PRIMARY KEY, post_id TEXT NOT NULL, author_id TEXT NOT NULL,
                created_at TEXT NOT NULL, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, week TEXT NOT NULL, document TEXT NOT NULL)""")
            db.execute("""CREATE INDEX IF NOT EXISTS comments_by_post
                ON comments (post_id, created_at, id)""")
            db.execute("CREATE INDEX IF NOT EXISTS comments_by_author ON comments (author_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS reactions (
                post_id TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL,
                municipality_id TEXT NOT NULL, neighbourhood_id TEXT NOT NULL,
                week TEXT NOT NULL, created_at TEXT NOT NULL,
                PRIMARY KEY (post_id, user_id, kind))""")
            db.execute("CREATE INDEX IF NOT EXISTS reactions_by_user ON reactions (user_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS reports (
                content_kind TEXT NOT NULL, content_id TEXT NOT NULL, reporter_id TEXT NOT NULL,
                post_id TEXT NOT NULL, document TEXT NOT NULL,
                PRIMARY KEY (content_kind, content_id, reporter_id))""")
            db.execute("CREATE INDEX IF NOT EXISTS reports_by_reporter ON reports (reporter_id)")
            db.execute("CREATE INDEX IF NOT EXISTS reports_by_post ON reports (post_id)")
            db.execute("""CREATE TABLE IF NOT EXISTS municipalities (
                id TEXT PRIMARY KEY, name TEXT NOT NULL)""")
            db.execute("""CREATE TABLE IF NOT EXISTS authors (
                user_id TEXT PRIMARY KEY, municipality_id TEXT NOT NULL,
                neighbourhood_id TEXT NOT NULL, role TEXT NOT NULL,
                display_name TEXT NOT NULL)""")
            # Suspensions are asked of moderation now (servicekit/suspension.py): the copy the
            # feed once projected from USER_SUSPENDED goes, with the user ids it held.
            db.execute("DROP TABLE IF EXISTS suspensions")

    # -- posts

    @staticmethod
    def _post(row):
        if row is None:
            return None
        data = json.loads(row["document"])
        data.update(id=row["id"], shared_with_city=bool(row["shared"]),
                    comment_count=row["comment_count"], thanks_count=row["thanks_count"])
        return Post.from_dict(data)

    @staticmethod
    def _document(post):
        data = post.to_dict()
        for name in ("id", "shared_with_city") + POST_COUNTERS:
            data.pop(name)
        return json.dumps(data, separators=(",", ":"))

    @staticmethod
    def _city_visible(post):
        return int(post.shared_with_city or post.category == ANNOUNCEMENT)

    def add_post(self, post):
        with self.store.transaction() as db:
            db.execute(
                """INSERT INTO posts (id, municipality_id, author_id, category, published_at,
                       week, shared, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (post.id, post.municipality_id, post.author_id, post.category,
                 post.published_at, post.week, int(post.shared_with_city),
                 self._document(post)))
            # A post held by moderation is stored in this same write without audience rows:
            # at no moment is it on anyone's feed.
            db.executemany(
                """INSERT INTO post_audience (neighbourhood_id, published_at, post_id, category,
                       author_id, city_visible, municipality_id) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [(n, post.published_at, post.id, post.category, post.author_id,
                  self._city_visible(post), post.municipality_id)
                 for n in (() if post.moderation else post.audience)])
        return post

    def add_posts(self, posts):
        """Many posts in one transaction (imports, the feed bench)."""
        with self.store.transaction() as db:
            db.executemany(
                """INSERT INTO posts (id, municipality_id, author_id, category, published_at,
                       week, shared, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [(p.id, p.municipality_id, p.author_id, p.category, p.published_at, p.week,
                  int(p.shared_with_city), self._document(p)) for p in posts])
            db.executemany(
                """INSERT INTO post_audience (neighbourhood_id, published_at, post_id, category,
                       author_id, city_visible, municipality_id) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [(n, p.published_at, p.id, p.category, p.author_id, self._city_visible(p),
                  p.municipality_id) for p in posts for n in p.audience])

    def get_post(self, post_id):
        return self._post(self.store.execute(
            "SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone())

    def _posts_by_ids(self, ids):
        if not ids:
            return {}
        rows = self.store.execute(
            "SELECT * FROM posts WHERE id IN (%s)" % ",".join("?" * len(ids)), list(ids)
        ).fetchall()
        return {row["id"]: self._post(row) for row in rows}

    def replace_post(self, post):
        """Store an edited post's text, details and moderation state (counters and sharing are
        kept as they are). An edit stored held leaves the feed's audience index in this same
        transaction: at no moment is its new text on anyone's feed."""
        with self.store.transaction() as db:
            db.execute("UPDATE posts SET document = ? WHERE id = ?",
                       (self._document(post), post.id))
            if post.moderation:
                db.execute("DELETE FROM post_audience WHERE post_id = ?", (post.id,))
        return self.get_post(post.id)

    def set_shared(self, post_id, shared):
        with self.store.transaction() as db:
            db.execute("UPDATE posts SET shared = ? WHERE id = ?", (int(shared), post_id))
            db.execute("""UPDATE post_audience SET city_visible = ?
                          WHERE post_id = ? AND category != ?""",
                       (int(shared), post_id, ANNOUNCEMENT))
        return self.get_post(post_id)

    def delete_post(self, post_id):
        """Delete a post with its audience rows, comments, thanks and reports; the post that
        was, or None."""
        with self.store.transaction() as db:
            post = self._post(db.execute("SELECT * FROM posts WHERE id = ?",
                                         (post_id,)).fetchone())
            for table, column in (("post_audience", "post_id"), ("comments", "post_id"),
                                  ("reactions", "post_id"), ("reports", "post_id"),
                                  ("posts", "id")):
                db.execute("DELETE FROM %s WHERE %s = ?" % (table, column), (post_id,))
        return post

    def feed_page(self, neighbourhood_ids, now, before=None, limit=20, category=None,
                  city_only=False):
        """Posts whose audience meets `neighbourhood_ids`, published by `now`, strictly below the
        position `before` = (published_at, id), newest first, at most `limit`. `city_only`:
        only what the city may read, posts shared with it and announcements (the city's accounts
        write nothing else, so their own posts are among them).

        One index range scan per neighbourhood, merged: a post in the top `limit` of the union
        is in the top `limit` of each of its neighbourhoods, so nothing is missed."""
        # One upper bound, the lower of the cursor and "published by now", written as a row
        # value: SQLite then seeks straight to it in the primary key instead of walking down
        # from `now` past every earlier page (which made page 50 five times slower).
        at, post_id = min(_position_before(before), (now, "\uffff"))
        conditions = ["neighbourhood_id = ?", "(published_at, post_id) < (?, ?)"]
        extra = []
        if category:
            conditions.append("category = ?")
            extra.append(category)
        if city_only:
            conditions.append("city_visible = 1")
        sql = ("SELECT published_at, post_id FROM post_audience WHERE %s "
               "ORDER BY published_at DESC, post_id DESC LIMIT ?" % " AND ".join(conditions))
        runs = []
        for neighbourhood_id in dict.fromkeys(neighbourhood_ids):
            rows = self.store.execute(
                sql, (neighbourhood_id, at, post_id, *extra, limit)).fetchall()
            runs.append([(row["published_at"], row["post_id"]) for row in rows])
        chosen = []
        for key in heapq.merge(*runs, reverse=True):
            if chosen and chosen[-1] == key:
                continue  # the same post seen through two of its neighbourhoods
            chosen.append(key)
            if len(chosen) == limit:
                break
        found = self._posts_by_ids([key[1] for key in chosen])
        return [found[key[1]] for key in chosen if key[1] in found]

    def announcements(self, municipality_id, before=None, limit=20):
        """The municipality's announcements, scheduled ones included, newest first."""
        at, post_id = _position_before(before)
        rows = self.store.execute(
            """SELECT * FROM posts WHERE municipality_id = ? AND category = ?
                 AND (published_at, id) < (?, ?)
               ORDER BY published_at DESC, id DESC LIMIT ?""",
            (municipality_id, ANNOUNCEMENT, at, post_id, limit)).fetchall()
        return [self._post(row) for row in rows]

    def posts_by(self, author_id):
        rows = self.store.execute(
            "SELECT * FROM posts WHERE author_id = ? ORDER BY published_at, id",
            (author_id,)).fetchall()
        return [self._post(row) for row in rows]

    # -- comments

    @staticmethod
    def _comment(row):
        return None if row is None else Comment.from_dict(json.loads(row["document"]))

    def add_comment(self, comment):
        """Store the comment and count it on its post, together; False if the post is gone."""
        with self.store.transaction() as db:
            counted = db.execute(
                "UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?",
                (comment.post_id,)).rowcount
            if not counted:
                return False
            db.execute(
                """INSERT INTO comments (id, post_id, author_id, created_at, municipality_id,
                       neighbourhood_id, week, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (comment.id, comment.post_id, comment.author_id, comment.created_at,
                 comment.municipality_id, comment.neighbourhood_id, comment.week,
                 json.dumps(comment.to_dict(), separators=(",", ":"))))
        return True

    def get_comment(self, comment_id):
        return self._comment(self.store.execute(
            "SELECT document FROM comments WHERE id = ?", (comment_id,)).fetchone())

    def comments_page(self, post_id, after=None, limit=20):
        """A post's comments in the order they were written, after (created_at, id)."""
        at, comment_id = after or ("", "")
        rows = self.store.execute(
            """SELECT document FROM comments WHERE post_id = ? AND (created_at, id) > (?, ?)
               ORDER BY created_at, id LIMIT ?""",
            (post_id, at, comment_id, limit)).fetchall()
        return [self._comment(row) for row in rows]

    def comments_by(self, author_id):
        rows = self.store.execute(
            "SELECT document FROM comments WHERE author_id = ? ORDER BY created_at, id",
            (author_id,)).fetchall()
        return [self._comment(row) for row in rows]

    # -- reactions

    def add_reaction(self, post, user_id, kind, at, week):
        """One reaction per (post, user, kind): True if this call added it (and counted it)."""
        with self.store.transaction() as db:
            added = db.execute(
                """INSERT OR IGNORE INTO reactions (post_id, user_id, kind, municipality_id,
                       neighbourhood_id, week, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (post.id, user_id, kind, post.municipality_id,
                 post.neighbourhood_id or (post.audience[0] if post.audience else ""), week,
                 at)).rowcount == 1
            if added:
                db.execute("UPDATE posts SET thanks_count = thanks_count + 1 WHERE id = ?",
                           (post.id,))
        return added

    def remove_reaction(self, post_id, user_id, kind):
        with self.store.transaction() as db:
            removed = db.execute(
                "DELETE FROM reactions WHERE post_id = ? AND user_id = ? AND kind = ?",
                (post_id, user_id, kind)).rowcount == 1
            if removed:
                db.execute("UPDATE posts SET thanks_count = thanks_count - 1 WHERE id = ?",
                           (post_id,))
        return removed

    def reactions_of(self, user_id, post_ids):
        """{post id: {kinds}} the user gave among these posts."""
        if not post_ids:
            return {}
        rows = self.store.execute(
            "SELECT post_id, kind FROM reactions WHERE user_id = ? AND post_id IN (%s)"
            % ",".join("?" * len(post_ids)), (user_id, *post_ids)).fetchall()
        found = {}
        for row in rows:
            found.setdefault(row["post_id"], set()).add(row["kind"])
        return found

    def reactions_by(self, user_id):
        rows = self.store.execute(
            "SELECT post_id, kind, created_at FROM reactions WHERE user_id = ? "
            "ORDER BY created_at, post_id", (user_id,)).fetchall()
        return [dict(row) for row in rows]

    # -- reports

    def add_report(self, report):
        """One report per (content, reporter): True if this one is new."""
        try:
            self.store.execute(
                """INSERT INTO reports (content_kind, content_id, reporter_id, post_id, document)
                   VALUES (?, ?, ?, ?, ?)""",
                (report["content_kind"], report["content_id"], report["reporter_id"],
                 report["post_id"], json.dumps(report, separators=(",", ":"))))
        except sqlite3.IntegrityError:
            return False
        return True

    def reports_by(self, reporter_id):
        rows = self.store.execute(
            "SELECT document FROM reports WHERE reporter_id = ?", (reporter_id,)).fetchall()
        return sorted((json.loads(row["document"]) for row in rows),
                      key=lambda r: (r["reported_at"], r["content_id"]))

    # -- authors

    def upsert_author(self, author):
        self.store.execute(
            """INSERT INTO authors (user_id, municipality_id, neighbourhood_id, role,
                   display_name) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET municipality_id = excluded.municipality_id,
                   neighbourhood_id = excluded.neighbourhood_id, role = excluded.role,
                   display_name = excluded.display_name""",
            (author.user_id, author.municipality_id, author.neighbourhood_id, author.role,
             author.display_name))

    def update_author(self, user_id, **changes):
        if changes:
            assignments = ", ".join("%s = ?" % name for name in changes)
            self.store.execute("UPDATE authors SET %s WHERE user_id = ?" % assignments,
                               (*changes.values(), user_id))

    def authors(self, user_ids):
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        rows = self.store.execute(
            "SELECT * FROM authors WHERE user_id IN (%s)" % ",".join("?" * len(ids)), ids
        ).fetchall()
        return {row["user_id"]: Author.from_dict(dict(row)) for row in rows}

    def record_municipality(self, municipality_id, name):
        self.store.execute(
            """INSERT INTO municipalities (id, name) VALUES (?, ?)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name""", (municipality_id, name))

    def municipality_names(self, municipality_ids):
        ids = list(dict.fromkeys(municipality_ids))
        if not ids:
            return {}
        rows = self.store.execute(
            "SELECT id, name FROM municipalities WHERE id IN (%s)" % ",".join("?" * len(ids)),
            ids).fetchall()
        return {row["id"]: row["name"] for row in rows}

    # -- erasure

    def erase_user(self, user_id):
        """GDPR art. 17: delete the user's posts (with everything under them), comments,
        thanks and reports, and their name; counters on other posts drop accordingly. Returns
        the deleted posts (their deletion is announced). Safe to run again."""
        with self.store.transaction() as db:
            posts = [self._post(row) for row in db.execute(
                "SELECT * FROM posts WHERE author_id = ?", (user_id,)).fetchall()]
            for post in posts:
                for table, column in (("post_audience", "post_id"), ("comments", "post_id"),
                                      ("reactions", "post_id"), ("reports", "post_id"),
                                      ("posts", "id")):
                    db.execute("DELETE FROM %s WHERE %s = ?" % (table, column), (post.id,))
            for row in db.execute("""SELECT post_id, COUNT(*) AS n FROM comments
                                     WHERE author_id = ? GROUP BY post_id""",
                                  (user_id,)).fetchall():
                db.execute("UPDATE posts SET comment_count = comment_count - ? WHERE id = ?",
                           (row["n"], row["post_id"]))
            db.execute("DELETE FROM comments WHERE author_id = ?", (user_id,))
            for row in db.execute("""SELECT post_id, COUNT(*) AS n FROM reactions
                                     WHERE user_id = ? GROUP BY post_id""",
                                  (user_id,)).fetchall():
                db.execute("UPDATE posts SET thanks_count = thanks_count - ? WHERE id = ?",
                           (row["n"], row["post_id"]))
            db.execute("DELETE FROM reactions WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM reports WHERE reporter_id = ?", (user_id,))
            db.execute("DELETE FROM authors WHERE user_id = ?", (user_id,))
        return posts

    # -- statistics

    def statistics(self, municipality_id, now):
        """Counts only: posts, comments and thanks per neighbourhood, posts per category, and all
        three per ISO week. A post to several neighbourhoods counts in each of them."""
        db = self.store
        neighbourhoods, weeks = {}, {}

        def bump(table, key, field, n):
            table.setdefault(key, {"posts": 0, "comments": 0, "reactions": 0})[field] += n

        for row in db.execute("""SELECT neighbourhood_id AS k, COUNT(*) AS n FROM post_audience
                                 WHERE municipality_id = ? AND published_at <= ?
                                 GROUP BY neighbourhood_id""", (municipality_id, now)):
            bump(neighbourhoods, row["k"], "posts", row["n"])
        for table, field in (("comments", "comments"), ("reactions", "reactions")):
            for row in db.execute("SELECT neighbourhood_id AS k, COUNT(*) AS n FROM %s "
                                  "WHERE municipality_id = ? GROUP BY neighbourhood_id" % table,
                                  (municipality_id,)):
                bump(neighbourhoods, row["k"], field, row["n"])
            for row in db.execute("SELECT week AS k, COUNT(*) AS n FROM %s "
                                  "WHERE municipality_id = ? GROUP BY week" % table,
                                  (municipality_id,)):
                bump(weeks, row["k"], field, row["n"])
        categories = {}
        for row in db.execute("""SELECT category, week, COUNT(*) AS n FROM posts
                                 WHERE municipality_id = ? AND published_at <= ?
                                 GROUP BY category, week""", (municipality_id, now)):
            categories[row["category"]] = categories.get(row["category"], 0) + row["n"]
            bump(weeks, row["week"], "posts", row["n"])
        return {"neighbourhoods": neighbourhoods, "categories": categories, "weeks": weeks}

    # -- moderation (issue 5): held and hidden content

    def set_post_moderation(self, post_id, state):
        """Hold, hide ("held", "hidden") or restore ("") a post. Held or hidden it has no rows
        in the feed's audience index, so no feed page can show it; restored, they are back."""
        with self.store.transaction() as db:
            row = db.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
            if row is None:
                return None
            post = replace(self._post(row), moderation=state)
            db.execute("UPDATE posts SET document = ? WHERE id = ?",
                       (self._document(post), post_id))
            db.execute("DELETE FROM post_audience WHERE post_id = ?", (post_id,))
            if not state:
                db.executemany(
                    """INSERT INTO post_audience (neighbourhood_id, published_at, post_id,
                           category, author_id, city_visible, municipality_id)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [(n, post.published_at, post.id, post.category, post.author_id,
                      self._city_visible(post), post.municipality_id) for n in post.audience])
        return post

    def set_comment_moderation(self, comment_id, state):
        with self.store.transaction() as db:
            row = db.execute("SELECT document FROM comments WHERE id = ?",
                             (comment_id,)).fetchone()
            if row is None:
                return None
            document = json.loads(row["document"])
            document["moderation"] = state
            db.execute("UPDATE comments SET document = ? WHERE id = ?",
                       (json.dumps(document, separators=(",", ":")), comment_id))
        return Comment.from_dict(document)



class MongoPosts:
    """Posts carry their audience as an array; the feed index is multikey on it:
    {neighbourhood_ids: 1, published_at: -1, _id: -1} (equality, then the sort, which is also the
    range of the cursor). A post matching two of a reader's neighbourhoods comes back once."""

    def __init__(self, store):
        db = store.db
        self.posts = db["posts"]
        self.comments = db["comments"]
        self.reactions = db["reactions"]
        self.reports = db["reports"]
        self.authors_ = db["authors"]
        self.municipalities = db["municipalities"]
        # Suspensions are asked of moderation now (servicekit/suspension.py): the copy the feed
        # once projected from USER_SUSPENDED goes, with the user ids it held.
        db.drop_collection("suspensions")
        self.posts.create_index(
            [("neighbourhood_ids", pymongo.ASCENDING), ("published_at", pymongo.DESCENDING),
             ("_id", pymongo.DESCENDING)], name="feed")
        self.posts.create_index(
            [("neighbourhood_ids", pymongo.ASCENDING), ("category", pymongo.ASCENDING),
             ("published_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)],
            name="feed_by_category")
        self.posts.create_index(
            [("neighbourhood_ids", pymongo.ASCENDING), ("city_visible", pymongo.ASCENDING),
             ("published_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)],
            name="feed_for_city")
        self.posts.create_index(
            [("municipality_id", pymongo.ASCENDING), ("category", pymongo.ASCENDING),
             ("published_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)],
            name="announcements")
        self.posts.create_index([("author_id", pymongo.ASCENDING)], name="by_author")
        self.comments.create_index(
            [("post_id", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING),
             ("_id", pymongo.ASCENDING)], name="thread")
        self.comments.create_index([("author_id", pymongo.ASCENDING)], name="by_author")
        self.comments.create_index([("municipality_id", pymongo.ASCENDING)], name="municipality")
        # The unique key makes "one thanks per user per post" hold under any concurrency.
        self.reactions.create_index(
            [("post_id", pymongo.ASCENDING), ("user_id", pymongo.ASCENDING),
             ("kind", pymongo.ASCENDING)], unique=True, name="one_per_user_and_kind")
        self.reactions.create_index([("user_id", pymongo.ASCENDING)], name="by_user")
        self.reactions.create_index([("municipality_id", pymongo.ASCENDING)], name="municipality")
        self.reports.create_index(
            [("content_kind", pymongo.ASCENDING), ("content_id", pymongo.ASCENDING),
             ("reporter_id", pymongo.ASCENDING)], unique=True, name="one_per_reporter")
        self.reports.create_index([("reporter_id", pymongo.ASCENDING)], name="by_reporter")
        self.reports.create_index([("post_id", pymongo.ASCENDING)], name="by_post")

    # -- posts

    @staticmethod
    def _post(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        document["audience"] = document.pop("neighbourhood_ids")
        document.pop("city_visible", None)
        return Post.from_dict(document)

    @staticmethod
    def _document(post):
        document = post.to_dict()
        document["_id"] = document.pop("id")
        document["neighbourhood_ids"] = document.pop("audience")
        document["city_visible"] = bool(post.shared_with_city or post.category == ANNOUNCEMENT)
        return document

    def add_post(self, post):
        self.posts.insert_one(self._document(post))
        return post

    def add_posts(self, posts):
        if posts:
            self.posts.insert_many([self._document(p) for p in posts], ordered=False)

    def get_post(self, post_id):
        return self._post(self.posts.find_one({"_id": post_id}))

    def replace_post(self, post):
        document = self._document(post)
        for name in ("_id", "shared_with_city", "city_visible") + POST_COUNTERS:
            document.pop(name)
        self.posts.update_one({"_id": post.id}, {"$set": document})
        return self.get_post(post.id)

    def set_shared(self, post_id, shared):
        post = self.get_post(post_id)
        if post is None:
            return None
        self.posts.update_one({"_id": post_id}, {"$set": {
            "shared_with_city": shared, "city_visible": shared or post.category == ANNOUNCEMENT}})
        return self.get_post(post_id)

    def _delete_under(self, post_id):
        self.comments.delete_many({"post_id": post_id})
        self.reactions.delete_many({"post_id": post_id})
        self.reports.delete_many({"post_id": post_id})

    def delete_post(self, post_id):
        post = self._post(self.posts.find_one_and_delete({"_id": post_id}))
        self._delete_under(post_id)
        return post

    @staticmethod
    def _below(position):
        """Strictly below (published_at, _id): a bound on published_at the index seeks to,
        and the tie on the same instant broken by _id."""
        at, post_id = position
        return {"published_at": {"$lte": at},
                "$or": [{"published_at": {"$lt": at}}, {"_id": {"$lt": post_id}}]}

    def feed_page(self, neighbourhood_ids, now, before=None, limit=20, category=None,
                  city_only=False):
        query = {"neighbourhood_ids": {"$in": list(dict.fromkeys(neighbourhood_ids))}}
        clauses = [self._below(min(_position_before(before), (now, "\uffff")))]
        if category:
            query["category"] = category
        if city_only:
            query["city_visible"] = True
        query["moderation"] = {"$in": ["", None]}  # held or hidden posts are on no feed
        query["$and"] = clauses
        found = self.posts.find(query).sort(
            [("published_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]).limit(limit)
        return [self._post(d) for d in found]

    def announcements(self, municipality_id, before=None, limit=20):
        query = {"municipality_id": municipality_id, "category": ANNOUNCEMENT}
        query.update(self._below(_position_before(before)))
        found = self.posts.find(query).sort(
            [("published_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]).limit(limit)
        return [self._post(d) for d in found]

    def posts_by(self, author_id):
        found = self.posts.find({"author_id": author_id}).sort(
            [("published_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])
        return [self._post(d) for d in found]

    # -- comments

    @staticmethod
    def _comment(document):
        if document is None:
            return None
        document = dict(document)
        document["id"] = document.pop("_id")
        return Comment.from_dict(document)

    def add_comment(self, comment):
        counted = self.posts.update_one({"_id": comment.post_id},
                                        {"$inc": {"comment_count": 1}}).matched_count
        if not counted:
            return False
        document = comment.to_dict()
        document["_id"] = document.pop("id")
        self.comments.insert_one(document)
        return True

    def get_comment(self, comment_id):
        return self._comment(self.comments.find_one({"_id": comment_id}))

    def comments_page(self, post_id, after=None, limit=20):
        query = {"post_id": post_id}
        if after:
            at, comment_id = after
            query["$or"] = [{"created_at": {"$gt": at}},
                            {"created_at": at, "_id": {"$gt": comment_id}}]
        found = self.comments.find(query).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]).limit(limit)
        return [self._comment(d) for d in found]

    def comments_by(self, author_id):
        found = self.comments.find({"author_id": author_id}).sort(
            [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])
        return [self._comment(d) for d in found]

    # -- reactions

    def add_reaction(self, post, user_id, kind, at, week):
        try:
            self.reactions.insert_one({
                "post_id": post.id, "user_id": user_id, "kind": kind,
                "municipality_id": post.municipality_id,
                "neighbourhood_id": post.neighbourhood_id or (
                    post.audience[0] if post.audience else ""),
                "week": week, "created_at": at})
        except DuplicateKeyError:
            return False
        self.posts.update_one({"_id": post.id}, {"$inc": {"thanks_count": 1}})
        return True

    def remove_reaction(self, post_id, user_id, kind):
        removed = self.reactions.delete_one(
            {"post_id": post_id, "user_id": user_id, "kind": kind}).deleted_count == 1
        if removed:
            self.posts.update_one({"_id": post_id}, {"$inc": {"thanks_count": -1}})
        return removed

    def reactions_of(self, user_id, post_ids):
        found = {}
        for d in self.reactions.find({"user_id": user_id, "post_id": {"$in": list(post_ids)}}):
            found.setdefault(d["post_id"], set()).add(d["kind"])
        return found

    def reactions_by(self, user_id):
        found = self.reactions.find({"user_id": user_id}).sort(
            [("created_at", pymongo.ASCENDING), ("post_id", pymongo.ASCENDING)])
        return [{"post_id": d["post_id"], "kind": d["kind"], "created_at": d["created_at"]}
                for d in found]

    # -- reports

    def add_report(self, report):
        try:
            self.reports.insert_one(dict(report))
        except DuplicateKeyError:
            return False
        return True

    def reports_by(self, reporter_id):
        found = self.reports.find({"reporter_id": reporter_id}, {"_id": 0})
        return sorted((dict(d) for d in found),
                      key=lambda r: (r["reported_at"], r["content_id"]))

    # -- authors

    def upsert_author(self, author):
        document = author.to_dict()
        self.authors_.update_one({"_id": document.pop("user_id")}, {"$set": document},
                                 upsert=True)

    def update_author(self, user_id, **changes):
        if changes:
            self.authors_.update_one({"_id": user_id}, {"$set": changes})

    def authors(self, user_ids):
        found = {}
        for d in self.authors_.find({"_id": {"$in": list(dict.fromkeys(user_ids))}}):
            d = dict(d)
            d["user_id"] = d.pop("_id")
            found[d["user_id"]] = Author.from_dict(d)
        return found

    def record_municipality(self, municipality_id, name):
        self.municipalities.update_one({"_id": municipality_id}, {"$set": {"name": name}},
                                       upsert=True)

    def municipality_names(self, municipality_ids):
        found = self.municipalities.find({"_id": {"$in": list(dict.fromkeys(municipality_ids))}})
        return {d["_id"]: d["name"] for d in found}

    # -- erasure

    def erase_user(self, user_id):
        posts = self.posts_by(user_id)
        for post in posts:
            self.posts.delete_one({"_id": post.id})
            self._delete_under(post.id)
        counts = self.comments.aggregate([
            {"$match": {"author_id": user_id}},
            {"$group": {"_id": "$post_id", "n": {"$sum": 1}}}])
        for row in counts:
            self.posts.update_one({"_id": row["_id"]}, {"$inc": {"comment_count": -row["n"]}})
        self.comments.delete_many({"author_id": user_id})
        for d in self.reactions.find({"user_id": user_id}):
            if self.reactions.delete_one({"_id": d["_id"]}).deleted_count:
                self.posts.update_one({"_id": d["post_id"]}, {"$inc": {"thanks_count": -1}})
        self.reports.delete_many({"reporter_id": user_id})
        self.authors_.delete_one({"_id": user_id})
        return posts

    # -- statistics

    def statistics(self, municipality_id, now):
        neighbourhoods, weeks, categories = {}, {}, {}

        def bump(table, key, field, n):
            table.setdefault(key, {"posts": 0, "comments": 0, "reactions": 0})[field] += n

        published = {"municipality_id": municipality_id, "published_at": {"$lte": now}}
        for row in self.posts.aggregate([
                {"$match": published}, {"$unwind": "$neighbourhood_ids"},
                {"$group": {"_id": "$neighbourhood_ids", "n": {"$sum": 1}}}]):
            bump(neighbourhoods, row["_id"], "posts", row["n"])
        for row in self.posts.aggregate([
                {"$match": published},
                {"$group": {"_id": {"c": "$category", "w": "$week"}, "n": {"$sum": 1}}}]):
            category, week = row["_id"]["c"], row["_id"]["w"]
            categories[category] = categories.get(category, 0) + row["n"]
            bump(weeks, week, "posts", row["n"])
        for collection, field in ((self.comments, "comments"), (self.reactions, "reactions")):
            for key, table in (("neighbourhood_id", neighbourhoods), ("week", weeks)):
                for row in collection.aggregate([
                        {"$match": {"municipality_id": municipality_id}},
                        {"$group": {"_id": "$" + key, "n": {"$sum": 1}}}]):
                    bump(table, row["_id"], field, row["n"])
        return {"neighbourhoods": neighbourhoods, "categories": categories, "weeks": weeks}


    # -- moderation (issue 5): held and hidden content

    def set_post_moderation(self, post_id, state):
        """Hold, hide or restore: the feed's query leaves out posts with a moderation state."""
        self.posts.update_one({"_id": post_id}, {"$set": {"moderation": state}})
        return self.get_post(post_id)

    def set_comment_moderation(self, comment_id, state):
        self.comments.update_one({"_id": comment_id}, {"$set": {"moderation": state}})
        return self.get_comment(comment_id)

