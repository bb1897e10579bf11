"""Notification's pure rules: what a person wants on which channel, quiet hours, the batches of
a fan-out, the signed unsubscribe link and which text of an announcement a reader gets. No I/O."""
import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

from contracts import errors, events

# What a person can be told about. `urgent_announcement` is the city's safety alert: it passes
# quiet hours; like every kind, the person may still turn any channel of it off.
URGENT_ANNOUNCEMENT = "urgent_announcement"
KINDS = (URGENT_ANNOUNCEMENT, "announcement", "reply", "chat_message", "survey_published",
         "budget_voting", "incident_status", "initiative_update", "callout", "moderation_outcome")
CHANNELS = ("in_app", "email", "push")
DIGESTS = ("none", "daily", "weekly")

# Everything on by default except chat by e-mail (a chat e-mail never carries text anyway, and
# a conversation is better read in the app).
DEFAULT_OFF = {("chat_message", "email")}

BATCH_SIZE = 500
UNSUBSCRIBE_PURPOSE = b"unsubscribe:v1"


def now_utc():
    return datetime.now(timezone.utc)


def timestamp(moment=None):
    return (moment or now_utc()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_settings():
    return {
        "channels": {kind: {channel: (kind, channel) not in DEFAULT_OFF for channel in CHANNELS}
                     for kind in KINDS},
        "digest": "none",
        "quiet_hours": None,
    }


def merged_settings(stored):
    """The stored choices over the defaults: a kind added later starts with its default."""
    settings = default_settings()
    if not stored:
        return settings
    for kind, channels in (stored.get("channels") or {}).items():
        if kind in settings["channels"]:
            settings["channels"][kind].update(
                {c: bool(v) for c, v in channels.items() if c in CHANNELS})
    settings["digest"] = stored.get("digest", settings["digest"])
    settings["quiet_hours"] = stored.get("quiet_hours")
    return settings


def _hour_minute(value):
    try:
        hours, minutes = value.split(":")
        if len(hours) == 2 and len(minutes) == 2 and 0 <= int(hours) < 24 \
                and 0 <= int(minutes) < 60:
            return int(hours) * 60 + int(minutes)
    except (AttributeError, ValueError):
        pass
    return None


def check_settings(request):
    """A PUT body → the settings to store, or `invalid` naming every bad field. Partial: kinds
    and channels not named keep their current value (the caller merges)."""
    if not isinstance(request, dict):
        raise errors.invalid("the settings are a JSON object")
    problems = {}
    unknown = sorted(set(request) - {"channels", "digest", "quiet_hours"})
    for name in unknown:
        problems[name] = "not a setting"
    channels = request.get("channels", {})
    if not isinstance(channels, dict):
        problems["channels"] = "an object of kind → {channel: true|false}"
        channels = {}
    for kind, wanted in channels.items():
        if kind not in KINDS:
            problems["channels.%s" % str(kind)[:40]] = "one of %s" % ", ".join(KINDS)
        elif not isinstance(wanted, dict) or not all(
                c in CHANNELS and isinstance(v, bool) for c, v in wanted.items()):
            problems["channels.%s" % kind] = "an object of %s → true|false" % ", ".join(CHANNELS)
    digest = request.get("digest", "none")
    if digest not in DIGESTS:
        problems["digest"] = "one of %s" % ", ".join(DIGESTS)
    quiet = request.get("quiet_hours")
    if quiet is not None:
        if not (isinstance(quiet, dict) and set(quiet) <= {"start", "end", "utc_offset_minutes"}
                and _hour_minute(quiet.get("start")) is not None
                and _hour_minute(quiet.get("end")) is not None
                and isinstance(quiet.get("utc_offset_minutes", 0), int)
                and not isinstance(quiet.get("utc_offset_minutes", 0), bool)
                and -840 <= quiet.get("utc_offset_minutes", 0) <= 840):
            problems["quiet_hours"] = ('null or {"start": "HH:MM", "end": "HH:MM", '
                                       '"utc_offset_minutes": -840..840}')
    if problems:
        raise errors.invalid("invalid notification settings", problems)
    return request


def apply_settings(current, request):
    settings = merged_settings(current)
    for kind, wanted in request.get("channels", {}).items():
        settings["channels"][kind].update(wanted)
    if "digest" in request:
        settings["digest"] = request["digest"]
    if "quiet_hours" in request:
        quiet = request["quiet_hours"]
        settings["quiet_hours"] = None if quiet is None else {
            "start": quiet["start"], "end": quiet["end"],
            "utc_offset_minutes": quiet.get("utc_offset_minutes", 0)}
    return settings


def in_quiet_hours(settings, moment):
    """Whether `moment` (aware, UTC) falls in the person's quiet hours (which may wrap midnight)."""
    quiet = settings.get("quiet_hours")
    if not quiet:
        return False
    local = moment + timedelta(minutes=quiet.get("utc_offset_minutes", 0))
    minute = local.hour * 60 + local.minute
    start, end = _hour_minute(quiet["start"]), _hour_minute(quiet["end"])
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def wants(settings, kind, channel, moment=None):
    """Whether to send `kind` on `channel` now. Quiet hours hold back everything but the urgent
    alert."""
    if not settings["channels"].get(kind, {}).get(channel, False):
        return False
    if kind != URGENT_ANNOUNCEMENT and moment is not None and in_quiet_hours(settings, moment):
        return False
    return True


def batches(user_ids, size=BATCH_SIZE):
    ordered = sorted(set(user_ids))
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def batch_events(announcement_id, municipality_id, user_ids, size=BATCH_SIZE):
    """One event per batch of recipients, each with its own idempotency key."""
    return [
        (events.ANNOUNCEMENT_BATCH_QUEUED, events.ANNOUNCEMENT_BATCH_QUEUED.payload(
            "announcement_batch_queued:%s:%d" % (announcement_id, number),
            announcement_id=announcement_id, municipality_id=municipality_id, batch=number,
            user_ids=chunk))
        for number, chunk in enumerate(batches(user_ids, size))
    ]


def announcement_kind(announcement):
    return URGENT_ANNOUNCEMENT if announcement.get("urgent") else "announcement"


def text_for(announcement, language):
    """(title, body, original) for a reader: the author's own version in their language, else
    the original (a machine translation is left to the app: e-mail must not wait on it)."""
    translations = announcement.get("translations") or {}
    own = translations.get(language)
    if own and own.get("title") and own.get("body"):
        return own["title"], own["body"], None
    original = (announcement["title"], announcement["body"])
    return original[0], original[1], None


# -- signed unsubscribe links (RFC 8058 one-click): the token names the person and the kind and
# is an HMAC under the service's secret, so nobody can unsubscribe someone else.

def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(secret, user_id, kind):
    message = ("%s|%s" % (user_id, kind)).encode("utf-8")
    mac = hmac.new(secret, UNSUBSCRIBE_PURPOSE + b"|" + message, hashlib.sha256).digest()
    return "%s.%s" % (_b64(message), _b64(mac[:24]))


def read_unsubscribe_token(secret, token):
    """(user_id, kind) of a genuine token, else `invalid` (the same answer for every forgery)."""
    refused = errors.invalid("this unsubscribe link is not valid", {"token": "not genuine"})
    if not isinstance(token, str) or len(token) > 400 or token.count(".") != 1:
        raise refused
    encoded, signature = token.split(".")
    try:
        message = _unb64(encoded)
        given = _unb64(signature)
    except (ValueError, TypeError):
        raise refused from None
    expected = hmac.new(secret, UNSUBSCRIBE_PURPOSE + b"|" + message, hashlib.sha256).digest()
    if not hmac.compare_digest(expected[:24], given):
        raise refused
    user_id, _, kind = message.decode("utf-8", "replace").partition("|")
    if kind not in KINDS or not user_id:
        raise refused
    return user_id, kind


def without_channel(settings, kind, channel):
    settings = merged_settings(settings)
    settings["channels"][kind][channel] = False
    return settings


def delivery_summary(fanout, counts):
    """What staff read about one announcement's fan-out."""
    total = fanout.get("recipients", 0) if fanout else 0
    return {
        "announcement_id": fanout["announcement_id"] if fanout else None,
        "recipients": total,
        "batches": fanout.get("batches", 0) if fanout else 0,
        "batches_done": fanout.get("batches_done", 0) if fanout else 0,
        "started_at": fanout.get("started_at") if fanout else None,
        "deliveries": {channel: {status: counts.get((channel, status), 0)
                                 for status in ("sent", "skipped", "failed")}
                       for channel in ("email", "push")},
    }
