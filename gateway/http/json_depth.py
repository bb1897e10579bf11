"""How deeply a JSON document nests, measured on its bytes before anything parses it.

Python's json module parses recursively: a body of a few thousand `[` raises RecursionError deep
inside the parser (and jsonschema recurses again while validating). No request of this API needs
more than a handful of levels (a GeoJSON MultiPolygon is the deepest, under 10), so the gateway
refuses anything deeper than MAX_DEPTH before parsing. The scan is linear in the body, which the
body limit already bounds.
"""
import re

MAX_DEPTH = 32

# A JSON string (its escapes included) or one bracket; everything else cannot change the depth.
# Brackets inside strings are skipped with the string, so `"[[["` does not count.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


def depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in `data` (0 for a scalar). Malformed input
    gives some number; the parser that runs afterwards reports what is wrong with it."""
    deepest = current = 0
    for match in _TOKENS.finditer(data):
        first = match.group()[0]
        if first in _OPENING:
            current += 1
            if current > deepest:
                deepest = current
        elif first != ord('"'):
            current -= 1
    return deepest


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    return depth(data) > limit
