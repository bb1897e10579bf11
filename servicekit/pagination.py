"""Cursor pagination helpers. Cursors are opaque to clients (URL-safe base64 of JSON holding the
sort key of the last item seen); repositories turn them into a range condition, never a skip."""
import base64
import binascii
import json

from contracts import errors

PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100
# The largest integer both stores hold (SQLite INTEGER, BSON int64): a position beyond it cannot
# exist, and handing it to a store raises OverflowError (a 500) instead of finding nothing.
MAX_STORED_INT = 2 ** 63 - 1


def sequence_position(value, name):
    """A position in an append-only sequence to resume after: an integer 0..MAX_STORED_INT."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STORED_INT:
        raise errors.invalid("%s must be an integer from 0 to %d" % (name, MAX_STORED_INT))
    return value


def page_limit(limit, default=PAGE_LIMIT_DEFAULT, maximum=PAGE_LIMIT_MAX):
    if limit is None:
        return default
    if isinstance(limit, str) and limit.isdigit():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise errors.invalid("limit must be an integer from 1 to %d" % maximum)
    return limit


def encode_cursor(position):
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """Return the position a cursor holds, or None for no cursor; a malformed one is `invalid`."""
    if cursor in (None, ""):
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError):
        raise errors.invalid("malformed cursor") from None
