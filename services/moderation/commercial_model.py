"""The trained half of the commercial filter: a logistic regression over character n-grams of the
text's matching form, scored here with a few lines of plain Python from the weights committed in
services/moderation/model/commercial-<corpus sha256 prefix>.json (written by
services/moderation/train.py from the corpus's training split), so the service needs no
scikit-learn at run time.

Why character n-grams: eleven languages, and advertising says the same few things in each of
them with endings, compounds and typos ("provisionsfrei", "commissioni", "ücretsiz") that a word
list never keeps up with; fragments of words generalise across them. Features, identical at
training and here (`terms`): the text's matching form (servicekit/text.py: lower case, no
accents, look-alike letters read as Latin ones, so "рrоmо" is "promo") with every digit read as
0 (a price or a phone number is a shape, not a value), cut into tokens (runs of letters/digits,
or of other visible characters such as "€", "%"); each token padded with a space gives its
2- to 5-character n-grams, and each pair of neighbouring word tokens one "word pair" feature.
Weighting: TF-IDF (sublinear term frequency, the training set's IDF), L2-normalised; the
probability is the logistic of the weighted sum.

`explain` turns the strongest contributions back into the words the author wrote: each token's
share is the sum of its n-grams' contributions (and half of each word pair it is in), and runs of
neighbouring tokens that push towards advertising are quoted as the author wrote them.
"""
import functools
import glob
import json
import math
import os
import re

from servicekit import text as normalised

MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")
NGRAM_MIN, NGRAM_MAX = 2, 5
_TOKEN = re.compile(r"\w+|[^\w\s]+")
_DIGIT = re.compile(r"\d")
PAIR_MARK = "\x01"


class ModelMissing(RuntimeError):
    pass


def _form(text):
    form, offsets = normalised.matching_form_with_offsets(text or "")
    return _DIGIT.sub("0", form), offsets


def _token_terms(token):
    padded = " %s " % token
    size = len(padded)
    return [padded[start:start + n] for n in range(NGRAM_MIN, NGRAM_MAX + 1)
            for start in range(0, size - n + 1)]


def _tokens(form):
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(form)]


def _is_word(token):
    return token[0].isalnum() or token[0] == "_"


def terms(text):
    """Every feature of a text (with repetitions): the analyzer training uses too."""
    form, _ = _form(text)
    return _terms_of(_tokens(form))


def _terms_of(tokens):
    out = []
    for token, _, _ in tokens:
        out.extend(_token_terms(token))
    words = [t for t, _, _ in tokens if _is_word(t)]
    out.extend(PAIR_MARK + a + " " + b for a, b in zip(words, words[1:]))
    return out


class Model:
    """Weights and thresholds as train.py wrote them."""

    def __init__(self, data):
        self.corpus_sha256 = data["corpus_sha256"]
        self.intercept = float(data["intercept"])
        # term -> (idf, weight)
        self.vocabulary = {term: (pair[0], pair[1]) for term, pair in data["vocabulary"].items()}
        self.thresholds = dict(data["thresholds"])
        self.evaluation = data.get("evaluation", {})

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as source:
            model = cls(json.load(source))
        model.path = path
        return model

    def _vector(self, tokens):
        """({term: normalised TF-IDF value}, {term: count}) over the terms the model knows."""
        counts = {}
        for term in _terms_of(tokens):
            if term in self.vocabulary:
                counts[term] = counts.get(term, 0) + 1
        values = {term: (1.0 + math.log(count)) * self.vocabulary[term][0]
                  for term, count in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        return {term: v / norm for term, v in values.items()}, counts

    def probability(self, text):
        form, _ = _form(text)
        return self._probability(self._vector(_tokens(form))[0])

    def _probability(self, vector):
        z = self.intercept + sum(self.vocabulary[t][1] * x for t, x in vector.items())
        if z < -40:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def explain(self, text, limit=3):
        """(probability, [phrase]): the phrases of the text, as written, that push it most
        towards advertising (at most `limit`, strongest first)."""
        form, offsets = _form(text)
        tokens = _tokens(form)
        vector, counts = self._vector(tokens)
        probability = self._probability(vector)

        def contribution(term):
            # A term seen several times shares its contribution among its occurrences.
            return self.vocabulary[term][1] * vector[term] / counts[term] if term in vector else 0

        share = [sum(contribution(term) for term in _token_terms(token))
                 for token, _, _ in tokens]
        words = [i for i, (t, _, _) in enumerate(tokens) if _is_word(t)]
        for a, b in zip(words, words[1:]):
            part = contribution(PAIR_MARK + tokens[a][0] + " " + tokens[b][0]) / 2
            share[a] += part
            share[b] += part
        runs, current = [], []
        for index, (token, _, _) in enumerate(tokens):
            # A run: neighbouring words pushing towards advertising, with the symbols that
            # belong to them ("-50%", "40 €"); other punctuation ends it.
            joins = _is_word(token) or (current and token in _SYMBOLS)
            if joins and share[index] > 0:
                current.append(index)
            elif current:
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        runs.sort(key=lambda run: -sum(share[i] for i in run))
        phrases = []
        for run in runs[:limit]:
            # At most four tokens quoted: the strongest four in a row.
            if len(run) > 4:
                best = max(range(len(run) - 3), key=lambda s: sum(share[i] for i in run[s:s + 4]))
                run = run[best:best + 4]
            start, end = tokens[run[0]][1], tokens[run[-1]][2]
            phrase = normalised.original_span(text, offsets, start, end).strip()
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        return probability, phrases


_SYMBOLS = frozenset(["€", "%", "$", "£", "%!", "€!", "٪", "₺"])


def model_path(directory=MODEL_DIR):
    found = sorted(glob.glob(os.path.join(directory, "commercial-*.json")))
    if len(found) != 1:
        raise ModelMissing("expected one services/moderation/model/commercial-*.json, found %d "
                           "(run python -m services.moderation.train)" % len(found))
    return found[0]


@functools.lru_cache(maxsize=1)
def default():
    """The committed model, read once per process."""
    return Model.from_file(model_path())
