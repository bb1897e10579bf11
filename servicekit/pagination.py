"""Cursor pagination helpers. Cursors are opaque to clients (URL-safe base64 of JSON holding the
sort key of the last item seen); repositories turn them into a range condition, never a skip."""
import base64
import binascii
import json

from contracts import errors

PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100


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
