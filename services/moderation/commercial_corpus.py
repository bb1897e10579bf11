"""The labelled corpus the commercial filter is trained from (services/moderation/corpus/
commercial.jsonl): neighbourhood posts written for this project in the eleven languages the city
speaks, each labelled "commercial" (advertising: a shop, a service, an agency, a scheme) or
"ordinary" (neighbourly, including a resident selling or giving their own things with a price, an
association's event with a fee, a recommended plumber, a lost pet with a reward, a business
introducing itself once: PRODUCT rule 4).

One JSON object a line: {"id", "language", "label", "split", "text"}.

The split is fixed and stored with the row, never recomputed: "heldout" rows are never read by
training or threshold tuning (services/moderation/train.py), only by the evaluation
(bench/moderation_eval.py). Rule for a new row (one without a split): within its (language,
label) group, new rows ordered by the SHA-256 of their text go to "heldout" while the group's
held-out share is under 30 %, else to "train". Rows already split never move, so adding examples
never leaks a held-out post into training; the groups stay stratified.

    .venv/bin/python -m services.moderation.commercial_corpus     # give new rows an id and split

Then retrain: `.venv/bin/python -m services.moderation.train`.
"""
import collections
import hashlib
import json
import os
import sys

CORPUS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                           "commercial.jsonl")
LANGUAGES = ("fr", "de", "en", "nl", "pt", "lb", "it", "es", "pl", "ar", "tr")
COMMERCIAL, ORDINARY = "commercial", "ordinary"
LABELS = (COMMERCIAL, ORDINARY)
TRAIN, HELDOUT = "train", "heldout"
HELDOUT_SHARE = 0.3


class CorpusError(ValueError):
    pass


def digest(path=CORPUS_PATH):
    """SHA-256 of the corpus file's bytes: the model file is named after it."""
    with open(path, "rb") as data:
        return hashlib.sha256(data.read()).hexdigest()


def load(path=CORPUS_PATH):
    with open(path, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    check(rows)
    return rows


def check(rows, require_split=True):
    seen_ids, seen_texts = set(), set()
    for number, row in enumerate(rows, 1):
        where = "row %d" % number
        if row.get("language") not in LANGUAGES:
            raise CorpusError("%s: language must be one of %s" % (where, ", ".join(LANGUAGES)))
        if row.get("label") not in LABELS:
            raise CorpusError("%s: label must be commercial or ordinary" % where)
        if not isinstance(row.get("text"), str) or not row["text"].strip():
            raise CorpusError("%s: text required" % where)
        if row["text"] in seen_texts:
            raise CorpusError("%s: the same text twice (%r)" % (where, row["text"][:60]))
        seen_texts.add(row["text"])
        if require_split:
            if row.get("split") not in (TRAIN, HELDOUT):
                raise CorpusError("%s: split must be train or heldout (run this module)" % where)
            if row.get("id") in seen_ids or not isinstance(row.get("id"), int):
                raise CorpusError("%s: a unique integer id required" % where)
            seen_ids.add(row["id"])


def _text_hash(row):
    return hashlib.sha256(row["text"].encode("utf-8")).hexdigest()


def assign_missing(rows):
    """Gives every row without an id the next id and every row without a split its split (the
    rule in this module's docstring); rows that have them keep them."""
    check(rows, require_split=False)
    next_id = max([r["id"] for r in rows if isinstance(r.get("id"), int)], default=0) + 1
    for row in rows:
        if not isinstance(row.get("id"), int):
            row["id"] = next_id
            next_id += 1
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row["language"], row["label"])].append(row)
    for members in groups.values():
        held = sum(r.get("split") == HELDOUT for r in members)
        for row in sorted((r for r in members if r.get("split") is None), key=_text_hash):
            # The share once this row counts: below 30 % it is held out.
            decided = sum(r.get("split") is not None for r in members)
            if held < HELDOUT_SHARE * (decided + 1) - 1e-9 and held + 1 <= round(
                    HELDOUT_SHARE * len(members)):
                row["split"] = HELDOUT
                held += 1
            else:
                row["split"] = TRAIN
    rows.sort(key=lambda r: r["id"])
    return rows


def dump(rows, path=CORPUS_PATH):
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({key: row[key] for key in ("id", "language", "label", "split",
                                                             "text")},
                                 ensure_ascii=False) + "\n")


def counts(rows):
    table = collections.Counter((r["language"], r["label"], r["split"]) for r in rows)
    return table


def main(argv=None):
    path = (argv or sys.argv[1:] or [CORPUS_PATH])[0]
    with open(path, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    dump(assign_missing(rows), path)
    table = counts(rows)
    print("%-4s %26s %26s" % ("", "commercial train/heldout", "ordinary train/heldout"))
    for language in LANGUAGES:
        print("%-4s %26s %26s" % (language, "%d / %d" % (
            table[(language, COMMERCIAL, TRAIN)], table[(language, COMMERCIAL, HELDOUT)]),
            "%d / %d" % (table[(language, ORDINARY, TRAIN)],
                         table[(language, ORDINARY, HELDOUT)])))
    print("%d posts, corpus sha256 %s" % (len(rows), digest(path)))


if __name__ == "__main__":
    main()
