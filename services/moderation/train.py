"""Trains the commercial filter's model from the corpus's training split and writes its weights
next to the code: services/moderation/model/commercial-<first 16 hex of the corpus's SHA-256>.json
(the previous file goes: one model, the one of the committed corpus; a unit test checks the two
never drift apart). Run it after every change to the corpus, and commit both:

    .venv/bin/python -m services.moderation.train

Build-time only (scikit-learn); the service scores with services/moderation/commercial_model.py.

What it does, on the training split alone (the held-out split is never read here):
1. Stratified k-fold cross-validation (folds stratified by language and label) for each
   regularisation strength in C_GRID: out-of-fold probabilities for every training post.
2. The strength whose out-of-fold probabilities have the lowest log loss is kept.
3. Thresholds from those out-of-fold probabilities (`choose_thresholds`): hold is the one that
   gives the best recall in the worst language while no language has more than 2 % of its
   ordinary posts held (the middle of the best range, for margin); block is above every
   ordinary post's probability (a refusal is not reviewed before it happens); flag, below hold,
   marks posts for a moderator's look without stopping them (at most 5 % of ordinary posts).
4. The final model on the whole training split, exported as {term: [idf, weight]}.
"""
import argparse
import glob
import json
import math
import os
import sys

from services.moderation import commercial_corpus as corpus
from services.moderation import commercial_model

C_GRID = (10.0, 30.0, 100.0, 300.0, 1000.0)
FOLDS = 5
SEED = 22
MAX_HELD_ORDINARY = 0.02
MAX_FLAGGED_ORDINARY = 0.05


def vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(analyzer=commercial_model.terms, min_df=2, sublinear_tf=True,
                           norm="l2")


def classifier(c):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=5000)


def fit(texts, labels, c):
    vectors = vectorizer()
    matrix = vectors.fit_transform(texts)
    model = classifier(c).fit(matrix, labels)
    return vectors, model


def out_of_fold(rows, c, folds=FOLDS, seed=SEED):
    """Probability of "commercial" for every row, each from a model that did not see it."""
    from sklearn.model_selection import StratifiedKFold
    texts = [r["text"] for r in rows]
    labels = [int(r["label"] == corpus.COMMERCIAL) for r in rows]
    strata = ["%s/%s" % (r["language"], r["label"]) for r in rows]
    found = [0.0] * len(rows)
    for train_index, test_index in StratifiedKFold(folds, shuffle=True,
                                                   random_state=seed).split(texts, strata):
        vectors, model = fit([texts[i] for i in train_index], [labels[i] for i in train_index], c)
        # Scored the way the service scores (windows of long texts included).
        exported = commercial_model.Model(export(vectors, model, "", {}, {}))
        for i in test_index:
            found[i] = exported.probability(texts[i])
    return found


def log_loss(probabilities, rows):
    total = 0.0
    for p, row in zip(probabilities, rows):
        p = min(max(p, 1e-9), 1 - 1e-9)
        total -= math.log(p if row["label"] == corpus.COMMERCIAL else 1 - p)
    return total / len(rows)


def rates(probabilities, rows, threshold):
    """{language: (recall, share of ordinary posts at or above threshold)} and "all"."""
    tallies = {}
    for p, row in zip(probabilities, rows):
        for key in (row["language"], "all"):
            tally = tallies.setdefault(key, [0, 0, 0, 0])  # caught, commercial, stopped, ordinary
            if row["label"] == corpus.COMMERCIAL:
                tally[0] += p >= threshold
                tally[1] += 1
            else:
                tally[2] += p >= threshold
                tally[3] += 1
    return {key: (t[0] / t[1] if t[1] else 1.0, t[2] / t[3] if t[3] else 0.0)
            for key, t in tallies.items()}


def choose_thresholds(probabilities, rows):
    candidates = [round(0.05 + 0.01 * i, 2) for i in range(91)]
    scored = []
    for t in candidates:
        by_language = {k: v for k, v in rates(probabilities, rows, t).items() if k != "all"}
        worst_fp = max(v[1] for v in by_language.values())
        worst_recall = min(v[0] for v in by_language.values())
        mean_recall = sum(v[0] for v in by_language.values()) / len(by_language)
        feasible = worst_fp <= MAX_HELD_ORDINARY
        scored.append((t, feasible, worst_recall, mean_recall, worst_fp))
    feasible = [s for s in scored if s[1]]
    if feasible:
        best = max((s[2], s[3]) for s in feasible)
        tied = [s[0] for s in feasible if (s[2], s[3]) == best]
    else:
        least = min(s[4] for s in scored)
        tied = [s[0] for s in scored if s[4] == least]
    hold = tied[len(tied) // 2]
    ordinary = sorted(p for p, r in zip(probabilities, rows) if r["label"] == corpus.ORDINARY)
    block = min(0.99, max(hold + 0.1, round(ordinary[-1] + 0.05, 2)))
    flag = hold
    for t in reversed([c for c in candidates if c < hold]):
        if rates(probabilities, rows, t)["all"][1] > MAX_FLAGGED_ORDINARY:
            break
        flag = t
    return {"flag": flag, "hold": hold, "block": round(block, 2)}


def figures(probabilities, rows, threshold):
    """Precision, recall and false-positive rate of "held or blocked" per language and overall."""
    out = {}
    for key in [*corpus.LANGUAGES, "all"]:
        part = [(p, r) for p, r in zip(probabilities, rows) if key in ("all", r["language"])]
        tp = sum(p >= threshold and r["label"] == corpus.COMMERCIAL for p, r in part)
        fp = sum(p >= threshold and r["label"] == corpus.ORDINARY for p, r in part)
        commercial = sum(r["label"] == corpus.COMMERCIAL for _, r in part)
        ordinary = len(part) - commercial
        out[key] = {"posts": len(part),
                    "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
                    "recall": round(tp / commercial, 4) if commercial else 1.0,
                    "false_positive_rate": round(fp / ordinary, 4) if ordinary else 0.0}
    return out


def export(vectors, model, corpus_sha256, thresholds, evaluation):
    weights = model.coef_[0]
    vocabulary = {term: [round(float(vectors.idf_[index]), 5), round(float(weights[index]), 5)]
                  for term, index in sorted(vectors.vocabulary_.items())}
    return {"format": 1, "corpus_sha256": corpus_sha256,
            "features": {"ngrams": [commercial_model.NGRAM_MIN, commercial_model.NGRAM_MAX],
                         "word_pairs": True, "tf": "sublinear", "norm": "l2"},
            "intercept": round(float(model.intercept_[0]), 6), "thresholds": thresholds,
            "evaluation": evaluation, "vocabulary": vocabulary}


def train(corpus_path=corpus.CORPUS_PATH, model_dir=commercial_model.MODEL_DIR, log=print):
    rows = corpus.load(corpus_path)
    sha = corpus.digest(corpus_path)
    training = [r for r in rows if r["split"] == corpus.TRAIN]
    log("training split: %d posts (held-out split: %d, not read)" % (
        len(training), len(rows) - len(training)))
    best = None
    for c in C_GRID:
        probabilities = out_of_fold(training, c)
        loss = log_loss(probabilities, training)
        log("  C=%-6g out-of-fold log loss %.4f" % (c, loss))
        if best is None or loss < best[0]:
            best = (loss, c, probabilities)
    _, c, probabilities = best
    thresholds = choose_thresholds(probabilities, training)
    cv = figures(probabilities, training, thresholds["hold"])
    log("kept C=%g; thresholds %s; cross-validated (hold or block) recall %.3f, false positives "
        "%.3f" % (c, json.dumps(thresholds), cv["all"]["recall"], cv["all"]["false_positive_rate"]))
    vectors, model = fit([r["text"] for r in training],
                         [int(r["label"] == corpus.COMMERCIAL) for r in training], c)
    data = export(vectors, model, sha, thresholds,
                  {"C": c, "folds": FOLDS, "training_posts": len(training),
                   "cross_validation": cv, "out_of_fold": {str(r["id"]): round(p, 4) for r, p in
                                                           zip(training, probabilities)}})
    os.makedirs(model_dir, exist_ok=True)
    for old in glob.glob(os.path.join(model_dir, "commercial-*.json")):
        os.remove(old)
    path = os.path.join(model_dir, "commercial-%s.json" % sha[:16])
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        out.write("\n")
    log("wrote %s (%d terms)" % (os.path.relpath(path), len(data["vocabulary"])))
    commercial_model.default.cache_clear()
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=corpus.CORPUS_PATH)
    parser.add_argument("--model-dir", default=commercial_model.MODEL_DIR)
    args = parser.parse_args(argv)
    train(args.corpus, args.model_dir)


if __name__ == "__main__":
    sys.exit(main())
