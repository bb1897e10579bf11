"""Watched words and patterns, compiled for RE2 (the PyPI package google-re2): a linear-time
engine with no backtracking, so no pattern a moderator writes can make screening take
exponential time the way `((a+))+$` or `(a|aa)+$` do under Python's `re`. Pure: compiling and
matching, no I/O.

What each kind of rule reads (servicekit/text.py):
- a watched word (or phrase) is compared with the text's UTS #39 skeleton, reduced to its words
  (" buy prorno now "): zero-width characters, soft hyphens, look-alike letters from other scripts
  and fullwidth forms do not hide it, and a word boundary holds in every script (RE2's `\\b` and
  `\\w` know only ASCII). The rule is then a literal: RE2 finds it as fast as a substring.
- a pattern reads the text's matching form (case folded, accents and invisible characters
  removed, non-ASCII look-alikes of ASCII replaced by it), case-insensitively. Its own non-ASCII
  characters go through the same mapping, so "réduction" or a Cyrillic letter in a pattern still
  meets the text it was written for.

Cost: RE2's time is linear in the text but grows with the compiled program, and a program that
outgrows its DFA memory falls back to a slower simulation. A rule's program size is bounded
(PROGRAM_MAX), the number of patterns per municipality too (see domain.py), and the figures
measured with the worst patterns found are printed by bench/moderation_rules.py.
"""
import functools

import re2

from servicekit import text

WORD, REGEX = "word", "regex"

# RE2 program size (instructions) of one pattern. Ordinary watched patterns take 10 to 300
# ("whats?app.{0,20}\+?\d" is 198); a Unicode class such as \pL alone is about 1,200.
PROGRAM_MAX = 3000
# Memory RE2 may use for one compiled rule (its DFA cache): enough for ordinary patterns, and
# bounded because compiled rules are kept (COMPILED_CACHE of them).
RULE_MAX_MEM = 1 << 20
COMPILED_CACHE = 2048


class PatternError(ValueError):
    """A pattern RE2 cannot run, with the reason for the moderator."""


def _options(literal=False):
    options = re2.Options()
    options.log_errors = False  # a refused pattern is an answer to the moderator, not a log line
    options.case_sensitive = False
    options.never_capture = True  # only the whole match is shown; captures cost time
    options.max_mem = RULE_MAX_MEM
    options.literal = literal
    return options


def pattern_form(pattern):
    """The pattern as it must be written to meet the text's matching form: its non-ASCII
    characters (always literals: RE2's syntax is ASCII) folded the same way. A character that
    maps to several ASCII letters (ß → ss) is kept only outside a character class."""
    out = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        if ch.isascii():
            out.append(ch)
            continue
        mapped = text.matching_char(ch)
        if mapped == "" or (len(mapped) == 1 or not in_class) and mapped.isalnum():
            out.append(mapped)
        else:
            out.append(ch)
    return "".join(out)


def word_form(word):
    """A watched word as it is looked for: its skeleton's words between single spaces."""
    form, offsets = text.skeleton_with_offsets(word)
    spaced, _ = text.words_only(form, offsets)
    return spaced


@functools.lru_cache(maxsize=COMPILED_CACHE)
def compiled(kind, pattern):
    """The RE2 program of a rule; PatternError if RE2 refuses it or it is too large."""
    if kind == WORD:
        spaced = word_form(pattern)
        if not spaced.strip():
            raise PatternError("a watched word needs letters or digits (use a pattern for "
                               "symbols)")
        return re2.compile(spaced, _options(literal=True))
    try:
        program = re2.compile(pattern_form(pattern), _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "refused"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError("RE2 cannot compile it: %s (backreferences and lookarounds are "
                           "not supported)" % reason) from None
    if program.programsize > PROGRAM_MAX:
        raise PatternError("too complex: %d instructions once compiled, at most %d (large "
                           "repetition counts and Unicode classes cost most)"
                           % (program.programsize, PROGRAM_MAX))
    if program.search(b"") is not None:
        raise PatternError("it matches an empty text, so it would catch every post (make "
                           "what it looks for required: + rather than *)")
    return program


def cost(kind, pattern):
    """The compiled size of a rule, which its matching time grows with."""
    return compiled(kind, pattern).programsize


class Screened:
    """A text prepared once for every rule of a screening: its two forms, encoded for RE2, and
    the way back from a match to the characters the author wrote."""

    def __init__(self, original):
        self.original = original or ""
        form, offsets = text.skeleton_with_offsets(self.original)
        self._words, self._word_offsets = text.words_only(form, offsets)
        self._words_bytes = self._words.encode("utf-8")
        self._matching, self._matching_offsets = text.matching_form_with_offsets(self.original)
        self._matching_bytes = self._matching.encode("utf-8")

    def find(self, kind, pattern):
        """What the author wrote that the rule matched, or None."""
        program = compiled(kind, pattern)
        if kind == WORD:
            match = program.search(self._words_bytes)
            if match is None:
                return None
            start, end = self._chars(self._words_bytes, match.start(), match.end())
            # the match is " word ": the spaces stand for the boundaries around it
            return text.original_span(self.original, self._word_offsets, start + 1, end - 1)
        match = program.search(self._matching_bytes)
        if match is None:
            return None
        start, end = self._chars(self._matching_bytes, match.start(), match.end())
        return text.original_span(self.original, self._matching_offsets, start, end) \
            or self._matching[start:end]

    @staticmethod
    def _chars(encoded, start, end):
        head = len(encoded[:start].decode("utf-8", "ignore"))
        return head, head + len(encoded[start:end].decode("utf-8", "ignore"))
