"""Private and group chat: pure rules. No I/O: values in, values out.

Who may do what (PRODUCT "chat" row, rules 1 and 3):
- chat is between residents only. City staff, moderators and admins are refused (`forbidden`) by
  every chat entrypoint before anything is looked up, even for a conversation id they are named
  in: the municipality never reads conversations. The one piece of chat content moderation ever
  receives is the text of a message a participant reported (`reported_message`).
- two residents may talk when they belong to the same municipality and share a neighbourhood:
  the neighbourhoods each of them sees (home + followed adjacent ones, the neighbourhood service's
  answer) meet. The creator of a conversation, or the owner adding someone to a group, must share
  one with each person they bring in; checked when they are brought in (a later move or unfollow
  does not tear up an existing conversation).
- a conversation is visible to its current members only; anyone else (a former member, a
  stranger, an unknown id) gets `not_found`.
- a direct conversation has exactly two people and is unique per pair: starting it again gives
  the same conversation (and brings back whoever had left it). A group has a title, an owner (its
  creator, then the longest-standing member when the owner leaves) who adds members, and at most
  GROUP_MAX_MEMBERS members.
- a member sees the messages written since they joined (a newcomer to a group does not read what
  was said before them).
- a block stops the blocked person from writing in every conversation the blocker is in, from
  starting one with them and from adding them to a group (nor can the blocker add the person they
  blocked: unblock first). Blocks are one-way and private to the blocker.
- leaving: a member leaves; a conversation nobody is in any more is deleted with its messages. In
  a direct conversation the one who stays cannot write until it is started again.
"""
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from contracts import errors, events
from contracts.caller import RESIDENT, Caller
from services.feed import domain

DIRECT = "direct"
GROUP = "group"

GROUP_MAX_MEMBERS = 20
TITLE_MAX = 80
MESSAGE_MAX = 2000
ID_MAX = 64
# A neighbour writes a few messages a minute; a burst beyond this is a script or a spammer.
MESSAGES_PER_MINUTE = 30

VISIBLE = "visible"
HIDDEN = "hidden"  # by moderation (held or hidden); restored by a `content_restored`
ERASED = "erased"  # its author erased their account: a placeholder stays in the thread

CONTENT_KIND = "chat_message"


@dataclass(frozen=True)
class Conversation:
    id: str
    municipality_id: str
    kind: str
    title: str
    owner_id: str
    created_at: str
    last_message_at: str
    # user id -> when they (last) joined: they read messages from then on
    members: dict = field(default_factory=dict)

    @property
    def member_ids(self):
        return sorted(self.members)

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    author_id: str
    body: str
    created_at: str
    state: str = VISIBLE

    def to_dict(self):
        return asdict(self)


def new_id():
    return uuid.uuid4().hex


def direct_key(first, second):
    """The pair's key: the same two people always find the same direct conversation."""
    return ":".join(sorted((first, second)))


# -- who may chat -------------------------------------------------------------------------------

def require_chatter(caller: Caller):
    """Residents only; checked first by every chat entrypoint (see the module docstring)."""
    if caller.role in domain.CITY_ROLES:
        raise errors.forbidden("conversations are residents' own: the city has no access to them")
    if caller.role != RESIDENT or not caller.user_id:
        raise errors.forbidden("conversations are for residents")


def share_a_neighbourhood(mine, theirs):
    """Whether two residents' visible neighbourhoods meet."""
    return bool(set(mine or ()) & set(theirs or ()))


def require_reachable(caller: Caller, other: domain.Author, my_visible, their_visible):
    """`other` may be brought into a conversation by the caller. Someone the caller could not
    talk to is `not_found`: the answer does not reveal who has an account elsewhere."""
    if other is None or other.user_id == caller.user_id or other.role != RESIDENT \
            or other.municipality_id != caller.municipality_id \
            or not share_a_neighbourhood(my_visible, their_visible):
        raise errors.not_found("no resident you can chat with has this id")


def require_no_block(between):
    """`between`: [(blocker, blocked)] among the people a conversation would join."""
    if between:
        raise errors.forbidden("a block stands between you and this person")


# -- input --------------------------------------------------------------------------------------

def _user_id(value):
    return isinstance(value, str) and 0 < len(value) <= ID_MAX


def check_new_conversation(caller: Caller, request):
    """(kind, other member ids, title) from {member_ids, title?}: one other person and no title is
    a direct conversation; a title (or several people) makes a group, which needs a title."""
    if not isinstance(request, dict):
        raise errors.invalid("a conversation must be an object")
    problems = {}
    unknown = sorted(set(request) - {"member_ids", "title"})
    for name in unknown:
        problems[name] = "not a field of a conversation"
    members = request.get("member_ids")
    if not (isinstance(members, list) and members and all(_user_id(m) for m in members)):
        problems["member_ids"] = "a list of 1 to %d user ids" % (GROUP_MAX_MEMBERS - 1)
        members = []
    members = [m for m in dict.fromkeys(members) if m != caller.user_id]
    if not problems.get("member_ids"):
        if not members:
            problems["member_ids"] = "name someone other than yourself"
        elif len(members) > GROUP_MAX_MEMBERS - 1:
            problems["member_ids"] = "a group has at most %d members, you included" % (
                GROUP_MAX_MEMBERS)
    title = request.get("title")
    if title is not None:
        title = domain._text(title, "title", TITLE_MAX, problems)
    elif len(members) > 1:
        problems["title"] = "a group needs a title"
    if problems:
        raise errors.invalid("invalid conversation", problems)
    return (GROUP if title is not None else DIRECT), members, title or ""


def check_new_members(request_ids):
    if not (isinstance(request_ids, list) and request_ids
            and len(request_ids) <= GROUP_MAX_MEMBERS - 1
            and all(_user_id(m) for m in request_ids)):
        raise errors.invalid("invalid members", {
            "member_ids": "a list of 1 to %d user ids" % (GROUP_MAX_MEMBERS - 1)})
    return list(dict.fromkeys(request_ids))


def check_message(body):
    problems = {}
    text = domain._text(body, "body", MESSAGE_MAX, problems)
    if problems:
        raise errors.invalid("invalid message", problems)
    return text


def check_position(position):
    """A decoded conversation or message cursor: [instant text, id]."""
    return domain.check_position(position)


# -- conversations ------------------------------------------------------------------------------

def new_conversation(caller: Caller, kind, other_ids, title, now_text):
    members = {user_id: now_text for user_id in [caller.user_id] + list(other_ids)}
    return Conversation(
        id=new_id(), municipality_id=caller.municipality_id or "", kind=kind, title=title,
        owner_id=caller.user_id if kind == GROUP else "", created_at=now_text,
        last_message_at=now_text, members=members)


def require_member(caller: Caller, conversation: Conversation):
    if conversation is None or caller.user_id not in conversation.members:
        raise errors.not_found("conversation not found")
    return conversation


def require_owner(caller: Caller, conversation: Conversation):
    if conversation.kind != GROUP:
        raise errors.invalid("a direct conversation is between two people: start a group to "
                             "talk with more")
    if conversation.owner_id != caller.user_id:
        raise errors.forbidden("only the group's owner adds members")


def require_room(conversation: Conversation, new_ids):
    if len(set(conversation.members) | set(new_ids)) > GROUP_MAX_MEMBERS:
        raise errors.conflict("a group has at most %d members" % GROUP_MAX_MEMBERS, {
            "members": len(conversation.members), "max": GROUP_MAX_MEMBERS})


def next_owner(conversation: Conversation, leaving_id):
    """Who owns a group once `leaving_id` is gone: unchanged unless the owner leaves, then the
    longest-standing member (ties by id, so every instance picks the same one)."""
    if conversation.kind != GROUP or conversation.owner_id != leaving_id:
        return conversation.owner_id
    rest = sorted((joined, user_id) for user_id, joined in conversation.members.items()
                  if user_id != leaving_id)
    return rest[0][1] if rest else ""


def require_writable(sender_id, conversation: Conversation, blockers):
    """The sender may post here: nobody in the conversation blocked them, and a direct
    conversation still has both people."""
    if blockers:
        raise errors.DomainError(errors.FORBIDDEN, "you cannot write here: a member of this "
                                 "conversation has blocked you", {"reason": "blocked"})
    if conversation.kind == DIRECT and len(conversation.members) < 2:
        raise errors.conflict("the other person left this conversation; start it again to "
                              "write to them", {"reason": "left"})


def pace_window_start(now):
    return domain.timestamp(now - timedelta(minutes=1))


def require_pace(sent_in_the_last_minute):
    """At most MESSAGES_PER_MINUTE messages a minute per person, across conversations."""
    if sent_in_the_last_minute >= MESSAGES_PER_MINUTE:
        raise errors.DomainError(
            errors.RATE_LIMITED, "you are writing too fast: at most %d messages a minute"
            % MESSAGES_PER_MINUTE, {"retry_after_s": 60})


def new_message(sender: Caller, conversation: Conversation, body, now_text):
    return Message(id=new_id(), conversation_id=conversation.id, author_id=sender.user_id,
                   body=check_message(body), created_at=now_text)


def readable_message(caller: Caller, conversation: Conversation, message: Message):
    """The message if the caller (a member) could have read it: written in this conversation
    since they joined; anything else is not_found."""
    if message is None or message.conversation_id != conversation.id \
            or message.created_at < conversation.members.get(caller.user_id, "\uffff"):
        raise errors.not_found("message not found")
    return message


# -- views --------------------------------------------------------------------------------------

def person(user_id, authors, reader):
    """A chat member as the reader names them (full name at home, first name + initial
    outside: PRODUCT rule 2)."""
    author = authors.get(user_id)
    home = author.neighbourhood_id if author else ""
    view = domain.author_view(user_id, RESIDENT, home, author, reader)
    return {"id": user_id, "name": view["name"]}


def present_conversation(conversation: Conversation, reader: Caller, authors, unread=0):
    """`unread`: the reader's messages not read yet here (from their inbox)."""
    view = {
        "id": conversation.id,
        "kind": conversation.kind,
        "members": [person(m, authors, reader) for m in conversation.member_ids],
        "created_at": conversation.created_at,
        "last_message_at": conversation.last_message_at,
        "joined_at": conversation.members.get(reader.user_id),
        "unread": unread,
    }
    if conversation.kind == GROUP:
        view["title"] = conversation.title
        view["owner_id"] = conversation.owner_id or None
    return view


PLACEHOLDERS = {HIDDEN: "This message was hidden by moderation.",
                ERASED: "This message was deleted."}


def present_message(message: Message, reader: Caller, authors):
    """A hidden or erased message keeps its place in the thread as a placeholder without text
    (an erased one without its author either)."""
    view = {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "author": person(message.author_id, authors, reader) if message.author_id else None,
        "body": message.body if message.state == VISIBLE else None,
        "state": message.state,
        "created_at": message.created_at,
        "mine": bool(message.author_id) and message.author_id == reader.user_id,
    }
    if message.state != VISIBLE:
        view["placeholder"] = PLACEHOLDERS[message.state]
    return view


# -- reports ------------------------------------------------------------------------------------

def new_report(caller: Caller, conversation: Conversation, message: Message, reason, note,
               author: domain.Author, now_text):
    """A report of a message: its text is copied into the report, the one piece of chat content
    moderation may read (see `reported_message`)."""
    domain.check_report(reason, note, None)
    if message.author_id == caller.user_id:
        raise errors.invalid("you cannot report your own message")
    if message.state != VISIBLE:
        raise errors.conflict("this message is not shown any more")
    return {
        "message_id": message.id, "conversation_id": conversation.id,
        "reporter_id": caller.user_id, "reporter_household_id": caller.household_id or "",
        "author_id": message.author_id, "body": message.body, "sent_at": message.created_at,
        "reason": reason, "note": (note or "").strip(), "reported_at": now_text,
        "municipality_id": conversation.municipality_id,
        "neighbourhood_id": author.neighbourhood_id if author else "",
    }


def report_view(report):
    return {"content_kind": CONTENT_KIND, "content_id": report["message_id"],
            "conversation_id": report["conversation_id"], "reason": report["reason"],
            "reported_at": report["reported_at"]}


def require_moderation_reader(caller: Caller, municipality_id):
    """The reported text is for moderation: the moderation service (system) or the
    municipality's moderators and admins. City staff never read it."""
    if caller.is_system:
        return
    if caller.role not in ("moderator", "admin") or caller.municipality_id != municipality_id:
        raise errors.not_found("reported message not found")


def moderation_view(reports):
    first = reports[0]
    return {
        "content_kind": CONTENT_KIND, "content_id": first["message_id"],
        "author_id": first["author_id"], "body": first["body"], "sent_at": first["sent_at"],
        "municipality_id": first["municipality_id"],
        "reports": [{k: r[k] for k in ("reporter_id", "reason", "note", "reported_at")}
                    for r in reports],
    }


# -- events -------------------------------------------------------------------------------------

def message_sent(conversation: Conversation, message: Message):
    """Announces a message to the feed's own inbox (notifications for the other members); it
    carries no text."""
    recipients = [m for m in conversation.member_ids if m != message.author_id]
    return events.CHAT_MESSAGE_SENT, events.CHAT_MESSAGE_SENT.payload(
        "chat_message_sent:" + message.id, message_id=message.id,
        conversation_id=conversation.id, author_id=message.author_id,
        municipality_id=conversation.municipality_id, recipient_ids=recipients,
        sent_at=message.created_at)


def content_reported(report):
    """The feed's `content_reported`, for a chat message (no post: post_id is empty)."""
    return events.CONTENT_REPORTED, events.CONTENT_REPORTED.payload(
        "content_reported:%s:%s:%s" % (CONTENT_KIND, report["message_id"], report["reporter_id"]),
        content_id=report["message_id"], content_kind=CONTENT_KIND,
        reporter_id=report["reporter_id"], reason=report["reason"],
        municipality_id=report["municipality_id"], neighbourhood_id=report["neighbourhood_id"],
        reporter_household_id=report["reporter_household_id"], author_id=report["author_id"],
        post_id="", author_role=RESIDENT)  # chat is for residents only


def state_after_moderation(event_name):
    """A chat message's state after moderation's event: held or hidden → hidden; restored →
    visible."""
    if event_name == events.CONTENT_RESTORED.name:
        return VISIBLE
    return HIDDEN


# -- GDPR ---------------------------------------------------------------------------------------

def export(user_id, conversations, messages, blocks, reports):
    """The user's part of chat: the conversations they are in, the messages they wrote (in any
    conversation), their blocks and reports. Messages others wrote are those people's data."""
    return {
        "conversations": [{"id": c.id, "kind": c.kind, "title": c.title or None,
                           "joined_at": c.members.get(user_id),
                           "created_at": c.created_at} for c in conversations],
        "messages": [{"id": m.id, "conversation_id": m.conversation_id, "body": m.body,
                      "state": m.state, "created_at": m.created_at} for m in messages],
        "blocks": blocks,
        "message_reports": [{k: r[k] for k in ("message_id", "reason", "note", "reported_at")}
                            for r in reports],
    }

