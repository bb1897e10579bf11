"""The notifications inbox: pure rules. No I/O.

What lands in a person's inbox:
- `reply`: someone commented on their post (from the feed's own `comment_created`);
- `chat_message`: new messages in one of their conversations, one entry per conversation that
  counts the messages since they last read it (a busy group is one line, not a hundred);
- `announcement`: the city's announcements to their home neighbourhood, urgent ones flagged;
- `moderation`: their content was held, hidden or restored (`action`, with moderation's reasons);
- `suspension`: their account was suspended (until when, why).

Announcements are merged in when the inbox is read, not copied into everyone's inbox: an
announcement to "all" reaches every resident of a municipality (tens of thousands), and writing a
row for each, even in batches in the background, would cost more than the few announcements a
resident reads are worth. The inbox reads the feed's own announcements of the reader's home
neighbourhood from the last ANNOUNCEMENT_WINDOW (one index range scan), and keeps per person only
what they did: a "read up to" time and the announcements they marked read one by one. Everything
else (replies, chat, moderation) concerns one person and is stored for them when it happens.

Ordering: newest first on (time, id), the cursor being a range below the last item seen; both
sources page on the same key so they merge exactly. A conversation's entry moves to the top when a
new message arrives (its time is the latest message's).
"""
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from contracts import errors, events
from services.feed import domain

REPLY = "reply"
CHAT_MESSAGE = "chat_message"
ANNOUNCEMENT = "announcement"
MODERATION = "moderation"
SUSPENSION = "suspension"
CALLOUT = "callout"
KINDS = (REPLY, CHAT_MESSAGE, ANNOUNCEMENT, MODERATION, SUSPENSION, CALLOUT)

# Announcements older than this are in the feed, not in the inbox.
ANNOUNCEMENT_WINDOW = timedelta(days=30)
# Unread announcements counted at most: a city sends a few a week, so this is "many".
ANNOUNCEMENTS_COUNTED = 100
ANNOUNCEMENT_PREFIX = "announcement:"
MARK_IDS_MAX = 100

MODERATION_ACTIONS = {
    events.CONTENT_HELD.name: "held",
    events.CONTENT_HIDDEN.name: "hidden",
    events.CONTENT_RESTORED.name: "restored",
}


@dataclass(frozen=True)
class Notification:
    id: str
    user_id: str  # the recipient
    kind: str
    key: str  # one notification per (recipient, key): a redelivered event adds nothing
    created_at: str
    read: bool = False
    actor_id: str = ""  # who caused it (commenter, sender), blanked when they are erased
    count: int = 1  # chat: messages since last read
    data: dict = field(default_factory=dict)

    def to_dict(self):
        return asdict(self)


def new_id():
    return uuid.uuid4().hex


# -- from events --------------------------------------------------------------------------------

def reply(payload, now_text):
    """A comment on someone's post notifies the post's author (not when they answer themselves)."""
    recipient = payload.get("post_author_id") or ""
    if not recipient or recipient == payload.get("author_id"):
        return None
    return Notification(
        id=new_id(), user_id=recipient, kind=REPLY, key="reply:" + payload["comment_id"],
        created_at=now_text, actor_id=payload.get("author_id") or "",
        data={"post_id": payload["post_id"], "comment_id": payload["comment_id"]})


def chat_key(conversation_id):
    return "chat:" + conversation_id


def chat_messages(payload):
    """One entry per other member, keyed by conversation (see the module docstring)."""
    return [Notification(
        id=new_id(), user_id=recipient, kind=CHAT_MESSAGE,
        key=chat_key(payload["conversation_id"]), created_at=payload["sent_at"],
        actor_id=payload["author_id"],
        data={"conversation_id": payload["conversation_id"],
              "message_id": payload["message_id"]})
        for recipient in dict.fromkeys(payload.get("recipient_ids") or ())
        if recipient and recipient != payload["author_id"]]


def callouts(payload, now_text):
    """A city call-out: one entry per invited helper (the keys make a redelivery a no-op). The
    helper answers through the neighbourhood service's call-out routes."""
    return [Notification(
        id=new_id(), user_id=helper_id, kind=CALLOUT,
        key="callout:%s" % payload["callout_id"], created_at=now_text,
        data={"callout_id": payload["callout_id"], "neighbourhood_id": payload["neighbourhood_id"],
              "skill": payload["skill"], "skill_label": payload.get("skill_label"),
              "message": payload.get("message")})
        for helper_id in dict.fromkeys(payload.get("helper_ids") or ()) if helper_id]


def moderation(event_name, payload, now_text):
    """Moderation's outcome for the author of the content."""
    recipient = payload.get("author_id") or ""
    if not recipient:
        return None
    action = MODERATION_ACTIONS[event_name]
    return Notification(
        id=new_id(), user_id=recipient, kind=MODERATION,
        key="moderation:%s:%s:%s" % (payload["event_id"], payload["content_kind"],
                                     payload["content_id"]),
        created_at=now_text,
        data={"action": action, "content_kind": payload["content_kind"],
              "content_id": payload["content_id"],
              "reasons": list(payload.get("reasons") or [])})


def suspension(payload, now_text):
    return Notification(
        id=new_id(), user_id=payload["user_id"], kind=SUSPENSION,
        key="suspension:" + payload["event_id"], created_at=now_text,
        data={"until": payload.get("until"), "reason": payload.get("reason")})


# -- reading ------------------------------------------------------------------------------------

def window_start(now):
    return domain.timestamp(now - ANNOUNCEMENT_WINDOW)


def announcement_floor(now, read_until, unread_only):
    """Announcements at or below this instant are not shown (outside the window), or, when only
    unread ones are asked for, already read by the "read up to" mark."""
    floor = window_start(now)
    if unread_only and read_until and read_until > floor:
        floor = read_until
    return floor


def announcement_id(post_id):
    return ANNOUNCEMENT_PREFIX + post_id


def announcement_post_id(notification_id):
    if notification_id.startswith(ANNOUNCEMENT_PREFIX):
        return notification_id[len(ANNOUNCEMENT_PREFIX):]
    return None


def announcement_bound(before):
    """The feed's (published_at, post id) position matching an inbox cursor (time, id): an
    announcement's inbox id is ANNOUNCEMENT_PREFIX + post id, so at an equal time it comes below
    the cursor exactly when that string does."""
    if before is None:
        return None
    at, item_id = before
    post_id = announcement_post_id(item_id)
    if post_id is not None:
        return at, post_id
    return at, ("\uffff" if item_id > ANNOUNCEMENT_PREFIX else "")


def announcement_is_read(post, read_until, read_ids):
    return bool(read_until and post.published_at <= read_until) or post.id in read_ids


def position(item):
    return item["created_at"], item["id"]


def merge(stored_views, announcement_views, limit):
    """Both sources, newest first on (time, id), at most `limit`."""
    merged = sorted(list(stored_views) + list(announcement_views), key=position, reverse=True)
    return merged[:limit]


def check_mark_read(request, now):
    """{"ids": [...]} or {"all": true, "up_to"?: ISO date-time (now by default)} →
    ("ids", ids) or ("all", instant text)."""
    if not isinstance(request, dict):
        raise errors.invalid("a mark-read request must be an object")
    unknown = sorted(set(request) - {"ids", "all", "up_to"})
    if unknown:
        raise errors.invalid("invalid mark-read request", {n: "not a field" for n in unknown})
    ids, everything = request.get("ids"), request.get("all")
    if (ids is None) == (everything is None):
        raise errors.invalid("invalid mark-read request",
                             {"ids": 'give either "ids" or "all": true'})
    if ids is not None:
        if not (isinstance(ids, list) and 0 < len(ids) <= MARK_IDS_MAX
                and all(isinstance(i, str) and 0 < len(i) <= 100 for i in ids)):
            raise errors.invalid("invalid mark-read request", {
                "ids": "a list of 1 to %d notification ids" % MARK_IDS_MAX})
        if "up_to" in request:
            raise errors.invalid("invalid mark-read request",
                                 {"up_to": 'goes with "all", not with "ids"'})
        return "ids", list(dict.fromkeys(ids))
    if everything is not True:
        raise errors.invalid("invalid mark-read request", {"all": "true"})
    up_to = request.get("up_to")
    instant = domain.timestamp(now)
    if up_to is not None:
        instant = min(instant, domain.parse_instant(up_to, "up_to"))
    return "all", instant


def present(notification: Notification, reader, authors):
    actor = None
    if notification.actor_id:
        author = authors.get(notification.actor_id)
        view = domain.author_view(notification.actor_id, author.role if author else "",
                                  author.neighbourhood_id if author else "", author, reader)
        actor = {"id": notification.actor_id, "name": view["name"]}
    view = {"id": notification.id, "kind": notification.kind,
            "created_at": notification.created_at, "read": notification.read, "actor": actor}
    view.update(notification.data)
    if notification.kind == CHAT_MESSAGE:
        view["count"] = notification.count
    return view


def present_announcement(post, read, reader, authors):
    return {
        "id": announcement_id(post.id), "kind": ANNOUNCEMENT, "created_at": post.published_at,
        "read": read, "actor": None, "post_id": post.id, "title": post.title,
        "urgent": post.urgent,
        "author": domain.author_view(post.author_id, post.author_role, post.neighbourhood_id,
                                     authors.get(post.author_id), reader),
    }


def unread_counts(stored_counts, announcements_unread):
    counts = {kind: int(stored_counts.get(kind, 0)) for kind in KINDS}
    counts[ANNOUNCEMENT] = announcements_unread
    return {"total": sum(counts.values()), "by_kind": counts}


def export(notifications, read_until):
    return {
        "notifications": [{k: v for k, v in n.to_dict().items() if k not in ("user_id", "key")}
                          for n in notifications],
        "announcements_read_until": read_until,
    }
