"""The embedded helper index on tantivy (the default engine: files under var/, no server).

Matching is done by analysing text here (services.neighbourhood.helpers: fold accents, split and
join compounds, strip stopwords, light stemming) and indexing the resulting terms; tantivy's
"default" tokenizer then only splits them on spaces. For each profile the index holds every
catalogue label and synonym of its skills in every language (`skill_text`), so a query in any
language finds the skill, and the free text (`free_text`). A query word scores, best first: as
an exact term of skill_text, as a stem of one, within one edit of one (a typo), then the same on
the free text, with lower weights: skill-label matches rank above free-text ones.

Writers: tantivy allows one IndexWriter per index directory and it is meant to be long-lived, so
a process keeps exactly one (shared_tantivy_index), guarded by a lock; every write is a small
batch committed at once and followed by a reload, so it is searchable when the call returns
(about 0.1 s a commit, mostly the fsync: far inside the 2 s promise). Two processes cannot share
one index directory: a second replica of the service needs its own var/ — or Elasticsearch.
"""
import os
import threading

import tantivy

from services.neighbourhood import helpers
from services.neighbourhood.search.port import MAX_RANKED, SearchHit, page_after

# The writer's indexing memory budget: small batches need little (tantivy's floor is 15 MB a
# thread); a bulk load (bench/search.py) passes more.
WRITER_HEAP_BYTES = 20_000_000
# Boosts: exact label word > stemmed label word > label word with one typo > free text.
BOOST_SKILL_EXACT = 4.0
BOOST_SKILL_STEM = 3.0
BOOST_SKILL_FUZZY = 1.5
BOOST_FREE_EXACT = 1.0
BOOST_FREE_STEM = 0.8
BOOST_FREE_FUZZY = 0.4
FUZZY_MIN_LENGTH = 4  # shorter words have too many neighbours one edit away
KEYWORDS = ("user_id", "municipality_id", "neighbourhood_id", "skills", "languages",
            "volunteer")


def _schema():
    builder = tantivy.SchemaBuilder()
    for name in KEYWORDS:
        builder.add_text_field(name, stored=(name == "user_id"), tokenizer_name="raw")
    builder.add_text_field("skill_text", stored=False, tokenizer_name="default")
    builder.add_text_field("free_text", stored=False, tokenizer_name="default")
    return builder.build()


def analysed_document(document):
    """The tantivy document for an index document (helpers.index_document)."""
    fields = {
        "user_id": document["user_id"], "municipality_id": document["municipality_id"] or "",
        "neighbourhood_id": document["neighbourhood_id"], "skills": list(document["skills"]),
        "languages": list(document["languages"]),
        "volunteer": "true" if document["volunteer"] else "false",
        "skill_text": " ".join(helpers.analyse(" | ".join(document["skill_texts"]))),
        "free_text": " ".join(helpers.analyse(document["free_text"])),
    }
    return tantivy.Document(**{k: v for k, v in fields.items() if v != []})


def _analysed_aside(documents):
    """The tantivy documents for many index documents. Analysis is pure Python (about 0.7 ms a
    profile): in a service process (eventlet) it runs on a real thread, so the process keeps
    answering its calls and heartbeats meanwhile instead of stalling for seconds."""
    def analyse_all():
        return [analysed_document(document) for document in documents]

    try:
        from eventlet import patcher, tpool
    except ImportError:  # pragma: no cover (eventlet is always installed here)
        return analyse_all()
    if patcher.is_monkey_patched("thread"):
        return tpool.execute(analyse_all)
    return analyse_all()


class TantivyHelperIndex:
    def __init__(self, path, writer_threads=1, heap_bytes=WRITER_HEAP_BYTES):
        self.path = path
        self.schema = _schema()
        os.makedirs(path, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=path, reuse=True)
        self._lock = threading.Lock()
        self._writer = self.index.writer(heap_size=heap_bytes, num_threads=writer_threads)

    # -- writing (one writer, small batches, committed and reloaded before returning)

    def _commit(self):
        self._writer.commit()
        self.index.reload()

    def upsert(self, documents, commit=True):
        documents = list(documents)
        if not documents:
            return 0
        with self._lock:
            for document in documents:
                self._writer.delete_documents_by_term("user_id", document["user_id"])
                self._writer.add_document(analysed_document(document))
            if commit:
                self._commit()
        return len(documents)

    def commit(self):
        with self._lock:
            self._commit()

    def remove(self, user_ids):
        # Most calls are for users who never had a document (every new member's membership event
        # checks): skip the commit, and its fsync, when none of them is indexed.
        searcher = self.index.searcher()
        user_ids = [u for u in user_ids if searcher.doc_freq("user_id", u) > 0]
        if not user_ids:
            return
        with self._lock:
            for user_id in user_ids:
                self._writer.delete_documents_by_term("user_id", user_id)
            self._commit()

    def clear(self):
        with self._lock:
            self._writer.delete_all_documents()
            self._commit()

    def purge(self, documents):
        """Rewrite the index as exactly `documents` (every one that should stay), in one commit,
        and delete the old files. tantivy only marks a removed document as deleted: its terms
        (the words of its free text) and its user id stay in the segment files until a merge,
        which cannot be forced; an erasure must not wait for one. Searchers see the old index
        until the commit, then the new one: never a partial one."""
        analysed = _analysed_aside(list(documents))
        with self._lock:
            self._writer.delete_all_documents()
            for document in analysed:
                self._writer.add_document(document)
            self._commit()
            self._writer.garbage_collect_files()

    def count(self):
        return self.index.searcher().num_docs

    def ping(self):
        self.index.searcher()
        return True

    def close(self):
        with self._lock:
            self._writer.wait_merging_threads()

    # -- reading

    def _text_query(self, text):
        clauses = []
        should = tantivy.Occur.Should
        for word in helpers.query_words(text):
            stemmed = helpers.stem(word)
            for field, exact, stem_boost, fuzzy in (
                    ("skill_text", BOOST_SKILL_EXACT, BOOST_SKILL_STEM, BOOST_SKILL_FUZZY),
                    ("free_text", BOOST_FREE_EXACT, BOOST_FREE_STEM, BOOST_FREE_FUZZY)):
                clauses.append((should, tantivy.Query.boost_query(
                    tantivy.Query.term_query(self.schema, field, word), exact)))
                if stemmed != word:
                    clauses.append((should, tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, field, stemmed), stem_boost)))
                if len(word) >= FUZZY_MIN_LENGTH:
                    clauses.append((should, tantivy.Query.boost_query(
                        tantivy.Query.fuzzy_term_query(self.schema, field, word, distance=1),
                        fuzzy)))
        if not clauses:
            return None
        return tantivy.Query.boolean_query(clauses)

    def _filter(self, field, values):
        # Filters must not move the ranking: a constant score of zero.
        query = tantivy.Query.term_set_query(self.schema, field, list(values))
        return tantivy.Query.const_score_query(query, 0.0)

    def search(self, query):
        if not query.neighbourhood_ids:
            return []
        must = tantivy.Occur.Must
        clauses = [(must, self._filter("neighbourhood_id", query.neighbourhood_ids))]
        if query.municipality_id:
            clauses.append((must, self._filter("municipality_id", [query.municipality_id])))
        if query.skill:
            clauses.append((must, self._filter("skills", [query.skill])))
        if query.language:
            clauses.append((must, self._filter("languages", [query.language])))
        if query.volunteer is not None:
            clauses.append((must, self._filter(
                "volunteer", ["true" if query.volunteer else "false"])))
        if query.text:
            text = self._text_query(query.text)
            if text is None:  # only stopwords or punctuation: nothing to look for
                return []
            clauses.append((must, text))
        else:
            clauses.append((must, tantivy.Query.const_score_query(
                tantivy.Query.all_query(), 1.0)))
        searcher = self.index.searcher()
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit=MAX_RANKED,
                                 count=False)
        hits = [SearchHit(searcher.doc(address)["user_id"][0], score)
                for score, address in result.hits]
        return page_after(hits, query.after, query.limit)


_shared = {}
_shared_lock = threading.Lock()


def shared_tantivy_index(path):
    """The process's one index (and so one writer) per directory."""
    path = os.path.abspath(path)
    with _shared_lock:
        found = _shared.get(path)
        if found is None:
            found = _shared[path] = TantivyHelperIndex(path)
        return found
