"""How deeply a JSON document nests, measured on its bytes before anything parses it.

Python's json module parses recursively: a body of a few thousand `[` raises RecursionError deep
inside the parser (and jsonschema recurses again while validating). No request of this API needs
more than a handful of levels (a GeoJSON MultiPolygon is the deepest, under 10), so the gateway
refuses anything deeper than MAX_DEPTH before parsing.

The check runs in C-speed passes (a regex and bytes methods), so a multi-megabyte GeoJSON import
costs a fraction of its parse: strings are dropped (a `[` inside one does not count), everything
but brackets is deleted, then each pass removes the innermost `[]` and `{}` pairs. What is left
after MAX_DEPTH passes nests deeper.
"""
import re

MAX_DEPTH = 32

# A JSON string with its escapes (the unrolled form: fast on long strings).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def _brackets(data: bytes) -> bytes:
    return _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)


def _counted_depth(brackets: bytes) -> int:
    deepest = current = 0
    for byte in brackets:
        if byte in _OPENING:
            current += 1
            deepest = max(deepest, current)
        else:
            current -= 1
    return deepest


def depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in `data` (0 for a scalar). Malformed input
    gives some number; the parser that runs afterwards reports what is wrong with it."""
    return _counted_depth(_brackets(data))


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    brackets = _brackets(data)
    for _ in range(limit):
        if not brackets:
            return False
        inner_removed = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(inner_removed) == len(brackets):
            # Unbalanced (`[[[[` never closed, `[}`): the parser would still recurse through
            # the opening brackets before failing, so count them.
            return _counted_depth(brackets) > limit
        brackets = inner_removed
    return bool(brackets)
