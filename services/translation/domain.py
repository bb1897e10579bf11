"""Translation rules, pure: which languages, what a content's fingerprint is, what the reader gets.

A content (a post, an announcement, a comment) is identified by its kind and id; its text by a
SHA-256 of kind, title and body. Machine translations are cached per (text hash, target
language), so an edit (a new hash) never serves the old text's translation, and the same text
is translated once whoever reads it."""
import hashlib
from datetime import datetime, timezone

from contracts import errors

# The product promises eleven languages (PRODUCT.md); operators may configure others.
DEFAULT_LANGUAGES = ("fr", "de", "en", "pt", "nl", "it", "es", "lb", "pl", "ar", "tr")
DEFAULT_DAILY_QUOTA = 100
KINDS = ("post", "comment")
TITLE_MAX = 200
BODY_MAX = 10000


def parse_languages(value):
    """Configuration ("fr,de,en" or a list) → a tuple of two-letter codes, in the given order."""
    if value is None or value == "":
        return DEFAULT_LANGUAGES
    items = value.split(",") if isinstance(value, str) else list(value)
    languages = tuple(dict.fromkeys(item.strip().lower() for item in items if item.strip()))
    if not languages or any(len(code) not in (2, 3) or not code.isalpha() for code in languages):
        raise ValueError("TRANSLATION_LANGUAGES: comma-separated ISO 639-1 codes, got %r" % value)
    return languages


def check_target(lang, supported):
    """An unsupported target is the reader's mistake: 400 naming every supported one."""
    if lang not in supported:
        raise errors.invalid("unsupported language %r" % (lang,), {
            "lang": "one of %s" % ", ".join(supported), "supported": list(supported)})
    return lang


def check_content(content):
    """What the feed passes: {kind, id, title?, body, language?} (the author's declared language
    wins over detection). The feed has already decided the caller may read it."""
    problems = {}
    if not isinstance(content, dict):
        raise errors.invalid("content must be an object")
    if content.get("kind") not in KINDS:
        problems["kind"] = "one of %s" % ", ".join(KINDS)
    if not isinstance(content.get("id"), str) or not content.get("id"):
        problems["id"] = "required"
    title = content.get("title") or ""
    if not isinstance(title, str) or len(title) > TITLE_MAX:
        problems["title"] = "text of at most %d characters" % TITLE_MAX
    body = content.get("body")
    if not isinstance(body, str) or not body or len(body) > BODY_MAX:
        problems["body"] = "text of 1 to %d characters" % BODY_MAX
    if problems:
        raise errors.invalid("invalid content", problems)
    return content


def content_key(content):
    return "%s:%s" % (content["kind"], content["id"])


def content_hash(content):
    """Fingerprint of the text: the cache key's first half. NUL separators keep ("ab", "c") and
    ("a", "bc") apart."""
    text = "\0".join((content["kind"], content.get("title") or "", content["body"]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quota_day(now=None):
    """Quotas count per UTC day."""
    return (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d")


def answer(content, lang, source, title, body, machine):
    """What the reader gets: the text in `lang`, where it came from, and the original beside it
    (a machine translation can be wrong; the reader can always check)."""
    found = {"id": content["id"], "kind": content["kind"], "lang": lang, "source": source,
             "body": body, "machine": machine,
             "original": {"lang": source, "body": content["body"]}}
    if content["kind"] == "post":
        found["post_id"] = content["id"]
        found["title"] = title
        found["original"]["title"] = content.get("title") or ""
    else:
        found["comment_id"] = content["id"]
    return found


def seconds_to_next_day(now=None):
    """Until the quota resets (UTC midnight): the 429's Retry-After."""
    now = now or datetime.now(timezone.utc)
    return 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
