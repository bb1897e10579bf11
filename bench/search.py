"""Helper search bench: the embedded engine (tantivy) on 50,000 profiles.

    .venv/bin/python bench/search.py [--profiles 50000] [--neighbourhoods 100] [--queries 2000]
                                     [--batch 1000] [--writer-threads 1]

In one process, no broker: generates `--profiles` helper profiles (1 to 4 catalogue skills, some
free text, languages, a volunteer flag) spread over `--neighbourhoods` neighbourhoods, and then

1. indexes them into a fresh tantivy index in a temporary directory, committing every `--batch`
   documents, as `reindex` does (documents/s, analysis included);
2. times single-profile updates on the full index, each committed and the searcher reloaded
   before the call returns, as the projection does per event: this is what "searchable within
   2 s" costs on the service's side (p50/p99 ms);
3. times `--queries` searches, cycling through the matching cases of issue 8 (accents, stems,
   typos, compounds, synonyms, other languages), each restricted to a home and two followed
   neighbourhoods as a resident's search is, and also over every neighbourhood (p50/p99 ms);
4. runs the same queries against a baseline in the same process: a SQLite table of the same
   profiles (folded skill labels + free text), scanned with one `instr` per query word and
   ranked by the number of words matched (the naive LIKE search), p50/p99 ms;
5. prints, for both, how many of the matching cases find a profile with the expected skill
   among the first three.
Exits 1 if the index lost or duplicated documents.
"""
import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from services.neighbourhood import helpers  # noqa: E402
from services.neighbourhood.helpers import HelperProfile, index_document  # noqa: E402
from services.neighbourhood.search.embedded import TantivyHelperIndex  # noqa: E402
from services.neighbourhood.search.port import SearchQuery  # noqa: E402
from services.neighbourhood.skill_catalogue import SKILLS  # noqa: E402

# (query, skill a matching helper has)
CASES = [
    ("francais", "french_lessons"), ("cours de français", "french_lessons"),
    ("French lessons", "french_lessons"), ("lezioni di francese", "french_lessons"),
    ("jardin", "gardening"), ("jardinnage", "gardening"), ("Gartenarbeit", "gardening"),
    ("babysitting", "babysitting"), ("baby-sitting", "babysitting"),
    ("baby sitting", "babysitting"), ("garde d'enfants", "babysitting"),
    ("babysiting", "babysitting"), ("courses", "shopping"), ("bike repair", "bicycle_repair"),
    ("déménagement", "moving_help"), ("Steuererklärung", "tax_returns"),
    ("smartphone", "smartphone_help"), ("plombier", "plumbing"),
]
FREE_TEXT = [
    "Disponible le week-end, j'ai une voiture.", "Retired teacher, patient and friendly.",
    "Ik help graag in de buurt.", "Gerne helfe ich meinen Nachbarn.", "",
    "J'adore cuisiner pour les voisins.", "Posso ajudar às terças-feiras.",
    "Ho un giardino e tanti attrezzi.", "Tengo experiencia con niños pequeños.",
]


def generate(count, neighbourhoods, seed=8):
    rng = random.Random(seed)
    skill_ids = [s["id"] for s in SKILLS]
    profiles = []
    for n in range(count):
        profiles.append(HelperProfile(
            user_id="u%06d" % n, municipality_id="m1",
            neighbourhood_id="n%03d" % rng.randrange(neighbourhoods), first_name="Helper%d" % n,
            skills=rng.sample(skill_ids, rng.randint(1, 4)), free_text=rng.choice(FREE_TEXT),
            languages=rng.sample(["fr", "nl", "de", "en", "pt", "it", "es", "lb"],
                                 rng.randint(1, 3)),
            volunteer=rng.random() < 0.85, created_at="2026-01-01T00:00:00+00:00"))
    return profiles


def percentiles(samples):
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000,
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000)


class LikeBaseline:
    """The naive search: folded text in SQLite, one instr() per word, ranked by words matched."""

    def __init__(self, profiles):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE helpers (user_id TEXT PRIMARY KEY, "
                        "neighbourhood_id TEXT, text TEXT)")
        self.db.execute("CREATE INDEX by_neighbourhood ON helpers (neighbourhood_id)")
        self.db.executemany("INSERT INTO helpers VALUES (?, ?, ?)", (
            (p.user_id, p.neighbourhood_id,
             helpers.fold(" ".join(helpers.skill_texts(p.skills)) + " " + p.free_text))
            for p in profiles))

    def search(self, text, neighbourhood_ids, limit=20):
        words = helpers.words(text) or [""]
        score = " + ".join("(instr(text, ?) > 0)" for _ in words)
        where = ""
        params = list(words)
        if neighbourhood_ids:
            where = "AND neighbourhood_id IN (%s)" % ", ".join("?" for _ in neighbourhood_ids)
            params += list(neighbourhood_ids)
        sql = ("SELECT user_id FROM (SELECT user_id, %s AS score FROM helpers WHERE 1 %s) "
               "WHERE score > 0 ORDER BY score DESC, user_id LIMIT ?" % (score, where))
        return [row[0] for row in self.db.execute(sql, params + [limit])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=50000)
    parser.add_argument("--neighbourhoods", type=int, default=100)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--writer-threads", type=int, default=1)
    args = parser.parse_args(argv)

    profiles = generate(args.profiles, args.neighbourhoods)
    by_id = {p.user_id: p for p in profiles}
    directory = tempfile.mkdtemp(prefix="helper-index-")
    try:
        index = TantivyHelperIndex(directory, writer_threads=args.writer_threads,
                                   heap_bytes=max(50_000_000, 20_000_000 * args.writer_threads))
        started = time.perf_counter()
        for start in range(0, len(profiles), args.batch):
            index.upsert([index_document(p) for p in profiles[start:start + args.batch]])
        indexing = time.perf_counter() - started
        print("indexed %d profiles in %.1f s: %.0f profiles/s (batches of %d, %d writer "
              "thread(s), analysis included)" % (len(profiles), indexing,
                                                 len(profiles) / indexing, args.batch,
                                                 args.writer_threads))
        broken = index.count() != len(profiles)

        rng = random.Random(1)
        updates = []
        for _ in range(args.updates):
            changed = rng.choice(profiles)
            changed = helpers.replace_profile(changed, skills=rng.sample(
                [s["id"] for s in SKILLS], 2))
            by_id[changed.user_id] = changed
            began = time.perf_counter()
            index.upsert([index_document(changed)])
            updates.append(time.perf_counter() - began)
        p50, p99 = percentiles(updates)
        print("one profile changed, committed and searchable: p50 %.1f ms, p99 %.1f ms "
              "(%d updates on the full index)" % (p50, p99, len(updates)))
        broken = broken or index.count() != len(profiles)

        baseline_started = time.perf_counter()
        baseline = LikeBaseline(by_id.values())
        print("baseline: %d rows loaded into SQLite in %.1f s" % (
            len(by_id), time.perf_counter() - baseline_started))

        print("\n%-34s %10s %10s" % ("queries (%d, cycling %d cases)" % (args.queries,
                                                                          len(CASES)),
                                     "p50 ms", "p99 ms"))
        for scope, pick in (("home + 2 followed", 3), ("all neighbourhoods", 0)):
            timings = {"tantivy": [], "sqlite instr scan": []}
            for n in range(args.queries):
                text, _ = CASES[n % len(CASES)]
                visible = ["n%03d" % ((n + k) % args.neighbourhoods) for k in range(pick)] \
                    if pick else ["n%03d" % k for k in range(args.neighbourhoods)]
                began = time.perf_counter()
                index.search(SearchQuery(neighbourhood_ids=visible, text=text, limit=20))
                timings["tantivy"].append(time.perf_counter() - began)
                began = time.perf_counter()
                baseline.search(text, visible if pick else None)
                timings["sqlite instr scan"].append(time.perf_counter() - began)
            for engine, samples in timings.items():
                p50, p99 = percentiles(samples)
                print("%-34s %10.2f %10.2f" % ("%s, %s" % (engine, scope), p50, p99))

        print("\nmatching cases with a helper of the expected skill among the first three "
              "(all neighbourhoods):")
        everywhere = ["n%03d" % k for k in range(args.neighbourhoods)]
        scores = {"tantivy": 0, "sqlite instr scan": 0}
        for text, skill in CASES:
            ours = [h.user_id for h in index.search(SearchQuery(
                neighbourhood_ids=everywhere, text=text, limit=3))]
            naive = baseline.search(text, None, limit=3)
            ok_ours = any(skill in by_id[u].skills for u in ours)
            ok_naive = any(skill in by_id[u].skills for u in naive)
            scores["tantivy"] += ok_ours
            scores["sqlite instr scan"] += ok_naive
            print("  %-24s tantivy %-4s sqlite %s" % (text, "yes" if ok_ours else "NO",
                                                     "yes" if ok_naive else "no"))
        for engine, score in scores.items():
            print("%s: %d of %d" % (engine, score, len(CASES)))
        if broken:
            print("the index does not hold exactly one document per profile", file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
