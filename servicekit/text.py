"""One text normalisation for the whole platform, and the one check every name and title passes.

Why: a word can be written many ways that look the same on screen. Invisible format characters
inside it (a zero-width space U+200B, a soft hyphen U+00AD), compatibility forms (fullwidth
"ｐｒｏｍｏ", mathematical bold), or another script's look-alike letters (Cyrillic "а" for Latin
"a") all defeat a filter that compares code points. Moderation's watched words and patterns, its
commercial scorer and the helper search read text through these functions, so they agree on what
a word is.

- `fold`: NFKC, invisible characters (format, bidi controls, fillers) removed, case folded, accents
  removed, the few letters with no decomposition spelled out (ø → o, ł → l...). Readable text.
- `matching_form`: `fold`, then every non-ASCII look-alike of an ASCII character replaced by it
  (Cyrillic "рrоmо" → "promo"). ASCII itself is left as written, so patterns written against
  plain text (a scorer's word list, a moderator's regular expression) still read it.
- `skeleton`: the UTS #39 skeleton of the folded text, case folded again: two strings that look
  alike have the same skeleton ("pr0mo", "рrоmо", "PROMO" → "prorno"). For comparing a text with
  a word list, never for showing.
The table of look-alikes (servicekit/confusables.txt) is derived from Unicode's confusables.txt.

Each form comes with `*_with_offsets`, the position in the original text of every character of
the form, so a match can be shown to people as they wrote it.

`text_problem` / `check_text`: what a name or title may hold (no control characters, no bidi
overrides or isolates, not only invisible characters) and what a longer text may hold.
"""
import functools
import os
import unicodedata

_TABLE_FILE = os.path.join(os.path.dirname(__file__), "confusables.txt")

# Letters that neither NFKD nor case folding spell in ASCII but readers do.
_SPELLED = {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ŧ": "t", "ı": "i",
            "œ": "oe", "æ": "ae"}

# Bidirectional formatting characters: embeddings and overrides (U+202A–202E), isolates
# (U+2066–2069), the directional marks (U+200E/F, U+061C). An override in a name reverses how the
# rest of the line is displayed ("moc.elpmaxe" shown as "example.com").
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                    0x200E, 0x200F, 0x061C]))

# In a longer text, right-to-left writers use marks, embeddings and isolates; an override forces
# the display order of what follows and is what disguises a link or a name.
BIDI_OVERRIDES = frozenset("\u202d\u202e")

# Characters that draw nothing but are not format characters (category Cf): fillers and
# variation selectors. Unicode's Default_Ignorable_Code_Point property, less what Cf covers.
_INVISIBLE_EXTRA = frozenset(map(chr, [
    0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, *range(0x180B, 0x1810), 0x3164, 0xFFA0,
    *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x2800,
]))
_LINE_BREAKS = frozenset("\n\r\t")


def is_invisible(ch):
    """True for a character that shows nothing: format (Cf, which includes the bidi controls,
    zero-width spaces and joiners and the soft hyphen), fillers and variation selectors."""
    return unicodedata.category(ch) == "Cf" or ch in _INVISIBLE_EXTRA


def _load_table():
    table = {}
    with open(_TABLE_FILE, encoding="utf-8") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, prototype = (part.strip() for part in data.split(";"))
            table[chr(int(source, 16))] = "".join(chr(int(p, 16)) for p in prototype.split())
    return table


_CONFUSABLES = _load_table()


@functools.lru_cache(maxsize=65536)
def _fold_char(ch):
    if is_invisible(ch):
        return ""
    if unicodedata.category(ch) == "Cc":
        # Control characters separate words; they never join two halves of one.
        return ch if ch in _LINE_BREAKS else " "
    out = []
    for part in unicodedata.normalize("NFKD", ch).casefold():
        if unicodedata.combining(part) or unicodedata.category(part) in ("Mn", "Me") \
                or is_invisible(part):
            continue
        out.append(_SPELLED.get(part, part))
    # NFC puts back what NFKD took apart without being an accent (Hangul syllables).
    return unicodedata.normalize("NFC", "".join(out))


@functools.lru_cache(maxsize=65536)
def _matching_char(ch):
    folded = _fold_char(ch)
    return "".join(p if p.isascii() else _CONFUSABLES.get(p, p) for p in folded).casefold()


@functools.lru_cache(maxsize=65536)
def _skeleton_char(ch):
    return "".join(_CONFUSABLES.get(p, p) for p in _matching_char(ch)).casefold()


def _with_offsets(text, per_char):
    """(form, offsets): offsets[i] is where form[i] came from in `text`."""
    pieces, offsets = [], []
    for index, ch in enumerate(text or ""):
        piece = per_char(ch)
        if piece:
            pieces.append(piece)
            offsets.extend([index] * len(piece))
    return "".join(pieces), offsets


def fold(text):
    return "".join(map(_fold_char, text or ""))


def matching_form(text):
    return "".join(map(_matching_char, text or ""))


def skeleton(text):
    return "".join(map(_skeleton_char, text or ""))


def fold_char(ch):
    return _fold_char(ch)


def matching_char(ch):
    return _matching_char(ch)


def matching_form_with_offsets(text):
    return _with_offsets(text, _matching_char)


def skeleton_with_offsets(text):
    return _with_offsets(text, _skeleton_char)


def original_span(text, offsets, start, end):
    """The part of `text` that characters start..end of a form came from."""
    if start >= end or not offsets:
        return ""
    return text[offsets[start]:offsets[end - 1] + 1]


def is_word_char(ch):
    return ch.isalnum()


def words_only(form, offsets):
    """The form with every run of characters that are not letters or digits turned into one
    space, and a space at each end: whole words are then found as " word " (a boundary that
    holds in every script, which RE2's ASCII-only \\b does not)."""
    pieces, kept = [" "], [offsets[0] if offsets else 0]
    for ch, where in zip(form, offsets):
        if is_word_char(ch):
            pieces.append(ch)
            kept.append(where)
        elif pieces[-1] != " ":
            pieces.append(" ")
            kept.append(where)
    if pieces[-1] != " ":
        pieces.append(" ")
        kept.append(offsets[-1] if offsets else 0)
    return "".join(pieces), kept


# -- what a field may hold -------------------------------------------------------------------

NAME, TEXT = "name", "text"


def text_problem(value, maximum, minimum=1, required=True, kind=NAME):
    """None if `value` is acceptable, else why not (for the `invalid` details of the field).

    NAME (names, titles, labels: one line): no control character (NUL, line breaks, escape...),
    no bidi control. TEXT (bodies, descriptions): line breaks and tabs allowed, other control
    characters not; bidi marks, embeddings and isolates allowed (right-to-left writing uses
    them), overrides not. Either way, a value of only spaces and invisible characters counts as empty:
    a name nobody can see is not a name."""
    if not isinstance(value, str):
        return "must be a string"
    visible = "".join(ch for ch in value if not is_invisible(ch)).strip()
    if not visible:
        if required:
            return "required: visible text, not only spaces or invisible characters"
        if value.strip():
            return "only invisible characters"
        return None
    if "\x00" in value:
        return "must not contain NUL characters"
    allowed_controls = _LINE_BREAKS if kind == TEXT else ()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed_controls for ch in value):
        return "must not contain control characters" + (
            " (line breaks included)" if kind == NAME else "")
    if kind == NAME and any(ch in BIDI_CONTROLS for ch in value):
        return "must not contain bidirectional control characters (U+202A–202E, U+2066–2069, " \
               "U+200E/F)"
    if kind == TEXT and any(ch in BIDI_OVERRIDES for ch in value):
        return "must not contain bidirectional overrides (U+202D, U+202E)"
    length = len(value.strip())
    if length > maximum:
        return "at most %d characters" % maximum
    if length < minimum:
        return "at least %d characters" % minimum
    return None


def check_text(value, name, maximum, problems, minimum=1, required=True, kind=NAME):
    """The stripped value, or None with the field's problem added to `problems`. An absent
    optional value (None) is None without a problem."""
    if value is None and not required:
        return None
    problem = text_problem(value, maximum, minimum=minimum, required=required, kind=kind)
    if problem:
        problems[name] = problem
        return None
    return value.strip()
