"""Feed's pure rules: typed posts and their limits, who sees and does what, the feed's order and
cursor, how authors are named, announcements, and the events each change produces. No I/O.

Who sees what (PRODUCT rules 1-3):
- a post goes to an audience: the author's home neighbourhood, or home plus followed adjacent
  ones (checked against the neighbourhood service's visible ids). A resident reads a post when one
  of its audience neighbourhoods is among their visible ones; anything else is `not_found`, as an
  unknown id would be.
- city staff, moderators and admins read only what the city may read: posts their authors shared
  with the city, the city's own announcements, and their own posts. A resident post that is not
  shared is `not_found` for them, exactly like a post that does not exist.
- the city reads the comments under its own posts only: sharing a post does not share the
  comments others wrote under it.
- only the author edits, deletes, marks solved and shares a post.
- the feed is strictly newest first by publication time (no ranking); a scheduled announcement is
  invisible until its publication time.
- outside their own neighbourhood a resident author shows as first name + initial ("Marie D.");
  city authors show as themselves, flagged as the city.
"""
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, MUNICIPAL_SYSTEM, RESIDENT, Caller
from servicekit import disclosure
from servicekit import text as normalised

MESSAGE = "message"
CLASSIFIED = "classified"
PET = "pet"
RECOMMENDATION = "recommendation"
HELP = "help"
EVENT = "event"
SAFETY = "safety"
ANNOUNCEMENT = "announcement"
# What residents publish; announcements come from the city only (their own route).
RESIDENT_CATEGORIES = (MESSAGE, CLASSIFIED, PET, RECOMMENDATION, HELP, EVENT, SAFETY)
CATEGORIES = RESIDENT_CATEGORIES + (ANNOUNCEMENT,)
CLASSIFIED_KINDS = ("give", "lend", "borrow", "sell")
PET_STATUSES = ("lost", "found")
REACTION_KINDS = ("thanks",)
REPORT_REASONS = ("spam_commercial", "offensive", "off_topic", "other")
SUPPORTED_LANGUAGES = ("fr", "de", "en", "pt", "nl", "it", "es", "lb", "pl", "ar", "tr")

AUDIENCE_HOME = "home"
AUDIENCE_HOME_AND_FOLLOWED = "home_and_followed"
ALL_NEIGHBOURHOODS = "all"

TITLE_MAX = 120
BODY_MAX = 5000
COMMENT_MAX = 2000
REPORT_NOTE_MAX = 500
ANIMAL_MAX = 40
PLACE_MAX = 200
ANNOUNCEMENT_TARGETS_MAX = 100
# Shown for an author the feed has not heard of (their registration event is still on its way).
UNKNOWN_AUTHOR = "Neighbour"
# The city speaks as the municipality (its name from municipality_created); this when unknown.
UNKNOWN_CITY = "City"

# A municipality's own systems (gRPC, by API key) announce and read like its staff, and speak
# as the municipality; like staff they never reach chats or posts not shared with the city.
CITY_ROLES = (CITY_STAFF, MODERATOR, ADMIN, MUNICIPAL_SYSTEM)
ANNOUNCING_ROLES = (CITY_STAFF, ADMIN, MUNICIPAL_SYSTEM)

# Fields each category takes besides title and body (and whether they are required at creation).
CATEGORY_FIELDS = {
    MESSAGE: {},
    CLASSIFIED: {"kind": True},
    PET: {"pet_status": True, "animal": False},
    RECOMMENDATION: {},
    HELP: {},  # `solved` is set afterwards by the author (PATCH)
    EVENT: {"starts_at": True, "place": False},
    SAFETY: {},
    ANNOUNCEMENT: {},
}


def timestamp(moment=None):
    """Fixed-width UTC text with microseconds: sorts like the instant it names, in both stores."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(value, name):
    """An ISO 8601 date-time with an offset → our fixed-width UTC text; anything else is invalid
    (a time without a zone is ambiguous for a scheduled publication)."""
    if not isinstance(value, str) or len(value) > 40:
        raise errors.invalid("invalid %s" % name, {name: "an ISO 8601 date-time with offset"})
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise errors.invalid("invalid %s" % name,
                             {name: "an ISO 8601 date-time with offset"}) from None
    if parsed.tzinfo is None:
        raise errors.invalid("invalid %s" % name, {name: "needs a time zone offset"})
    return timestamp(parsed)


def iso_week(instant):
    """'2026-W47' for a timestamp(): the statistics' week bucket, computed once at write time."""
    year, week, _ = datetime.strptime(instant[:10], "%Y-%m-%d").isocalendar()
    return "%04d-W%02d" % (year, week)


def new_id():
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Post:
    id: str
    municipality_id: str
    # The author's home neighbourhood when posting ("" for the city's announcements): decides
    # whether a reader sees the author's full name.
    neighbourhood_id: str
    audience: tuple  # the neighbourhoods whose feeds show it
    author_id: str
    author_role: str
    category: str
    title: str
    body: str
    details: dict = field(default_factory=dict)
    language: str = ""
    translations: dict = field(default_factory=dict)  # lang -> {"title", "body"} by the author
    shared_with_city: bool = False
    urgent: bool = False
    published_at: str = ""  # the feed's sort key; later than created_at when scheduled
    created_at: str = ""
    updated_at: str = ""
    week: str = ""
    comment_count: int = 0
    thanks_count: int = 0
    # Moderation's hold on it: "" (none), "held" (waiting for review), "hidden" (after reports
    # or a moderator's decision). Held or hidden, only its author reads it (see may_read).
    moderation: str = ""

    def to_dict(self):
        data = asdict(self)
        data["audience"] = list(self.audience)
        return data

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["audience"] = tuple(known.get("audience") or ())
        known["details"] = dict(known.get("details") or {})
        known["translations"] = dict(known.get("translations") or {})
        return cls(**known)

    @property
    def is_announcement(self):
        return self.category == ANNOUNCEMENT


@dataclass(frozen=True)
class Comment:
    id: str
    post_id: str
    municipality_id: str
    neighbourhood_id: str  # the post's home neighbourhood, for statistics
    author_id: str
    author_role: str
    author_neighbourhood_id: str
    body: str
    created_at: str
    week: str
    moderation: str = ""  # as a post's: "", "held" or "hidden"

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Author:
    """What the feed keeps of an account, from identity's events: enough to name an author."""

    user_id: str
    municipality_id: str
    neighbourhood_id: str
    role: str
    display_name: str

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data.get(k) or "" for k in cls.__dataclass_fields__})


# -- validation ---------------------------------------------------------------------------------

# One-line fields shown as a heading or label: names' rules (no control or bidi characters).
_LINE_FIELDS = ("title", "animal", "place")


def _text(value, name, maximum, problems, required=True):
    kind = normalised.NAME if name in _LINE_FIELDS else normalised.TEXT
    return normalised.check_text(value, name, maximum, problems, required=required, kind=kind)


def _category_details(category, given, problems, creating=True):
    """The category's own fields from `given`, checked; unknown fields are refused."""
    allowed = CATEGORY_FIELDS[category]
    details = {}
    for name, required in allowed.items():
        if name not in given:
            if required and creating:
                problems[name] = "required for a %s post" % category
            continue
        value = given[name]
        if name == "kind":
            if value not in CLASSIFIED_KINDS:
                problems[name] = "one of %s" % ", ".join(CLASSIFIED_KINDS)
                continue
        elif name == "pet_status":
            if value not in PET_STATUSES:
                problems[name] = "one of %s" % ", ".join(PET_STATUSES)
                continue
        elif name == "animal":
            value = _text(value, name, ANIMAL_MAX, problems)
        elif name == "place":
            value = _text(value, name, PLACE_MAX, problems)
        elif name == "starts_at":
            try:
                value = parse_instant(value, name)
            except errors.DomainError as exc:
                problems.update(exc.details or {name: exc.message})
                continue
        if value is not None:
            details[name] = value
    return details


POST_FIELDS = ("category", "title", "body", "audience", "language")


def check_new_post(request):
    """Validate a resident's post request: (category, title, body, details, audience, language).
    Every problem is reported at once, keyed by field."""
    if not isinstance(request, dict):
        raise errors.invalid("a post must be an object")
    problems = {}
    category = request.get("category")
    if category not in RESIDENT_CATEGORIES:
        problems["category"] = "one of %s" % ", ".join(RESIDENT_CATEGORIES)
        category = None
    title = _text(request.get("title"), "title", TITLE_MAX, problems)
    body = _text(request.get("body"), "body", BODY_MAX, problems)
    language = request.get("language") or ""
    if language and language not in SUPPORTED_LANGUAGES:
        problems["language"] = "one of %s" % ", ".join(SUPPORTED_LANGUAGES)
    details = {}
    if category:
        extra = {k: v for k, v in request.items() if k not in POST_FIELDS}
        unknown = sorted(set(extra) - set(CATEGORY_FIELDS[category]))
        for name in unknown:
            problems[name] = "not a field of a %s post" % category
        details = _category_details(category, extra, problems)
    audience = request.get("audience", AUDIENCE_HOME)
    if not (audience in (AUDIENCE_HOME, AUDIENCE_HOME_AND_FOLLOWED) or (
            isinstance(audience, list) and 0 < len(audience) <= ANNOUNCEMENT_TARGETS_MAX
            and all(isinstance(n, str) for n in audience))):
        problems["audience"] = ('"home", "home_and_followed" or a list of neighbourhood ids '
                                "(home and followed ones)")
    if problems:
        raise errors.invalid("invalid post", problems)
    return category, title, body, details, audience, language


def resolve_audience(caller: Caller, audience, visible_ids):
    """The neighbourhoods a resident's post goes to: home, home + followed, or a chosen list
    that includes home and only neighbourhoods they may see."""
    home = caller.neighbourhood_id
    if not home or home not in visible_ids:
        raise errors.forbidden("only a resident with a home neighbourhood can post")
    if audience == AUDIENCE_HOME:
        return (home,)
    if audience == AUDIENCE_HOME_AND_FOLLOWED:
        return (home,) + tuple(n for n in visible_ids if n != home)
    chosen = list(dict.fromkeys(audience))
    outside = [n for n in chosen if n not in visible_ids]
    if outside or home not in chosen:
        raise errors.invalid("invalid audience", {
            "audience": "your home neighbourhood plus followed ones only"})
    return (home,) + tuple(n for n in chosen if n != home)


def require_resident(caller: Caller):
    if caller.role != RESIDENT or not caller.user_id:
        if caller.role in CITY_ROLES:
            raise errors.forbidden("city accounts publish announcements, not posts")
        raise errors.forbidden("residents only")


def new_post(caller: Caller, request, visible_ids, now):
    category, title, body, details, audience, language = check_new_post(request)
    require_resident(caller)
    targets = resolve_audience(caller, audience, visible_ids)
    if category == HELP:
        details["solved"] = False
    instant = timestamp(now)
    return Post(
        id=new_id(), municipality_id=caller.municipality_id or "",
        neighbourhood_id=caller.neighbourhood_id, audience=targets, author_id=caller.user_id,
        author_role=caller.role, category=category, title=title, body=body, details=details,
        language=language, published_at=instant, created_at=instant, updated_at=instant,
        week=iso_week(instant))


EDITABLE = ("title", "body", "solved", "kind", "pet_status", "animal", "starts_at", "place",
            "translations")


def edit_post(caller: Caller, post: Post, changes, now):
    """The author's edit: title, body, the category's own fields, `solved` on a help request.
    Category and audience stay (a different post is a new post). All or nothing."""
    require_author(caller, post)
    if not isinstance(changes, dict) or not changes:
        raise errors.invalid("nothing to change")
    problems = {}
    unknown = sorted(set(changes) - set(EDITABLE))
    for name in unknown:
        problems[name] = "cannot be changed"
    updates = {}
    if "title" in changes:
        updates["title"] = _text(changes["title"], "title", TITLE_MAX, problems)
    if "body" in changes:
        updates["body"] = _text(changes["body"], "body", BODY_MAX, problems)
    details = dict(post.details)
    if "solved" in changes:
        if post.category != HELP:
            problems["solved"] = "only a help request can be marked solved"
        elif not isinstance(changes["solved"], bool):
            problems["solved"] = "true or false"
        else:
            details["solved"] = changes["solved"]
    own = {k: v for k, v in changes.items() if k in CATEGORY_FIELDS[post.category]}
    for name in set(changes) - set(own) - {"title", "body", "solved", "translations"} - set(
            unknown):
        problems[name] = "not a field of a %s post" % post.category
    details.update(_category_details(post.category, own, problems, creating=False))
    if "translations" in changes:
        if not post.is_announcement:
            problems["translations"] = "only announcements carry translations"
        else:
            updates["translations"] = check_translations(changes["translations"], problems)
    if problems:
        raise errors.invalid("invalid change", problems)
    updates["details"] = details
    updates["updated_at"] = timestamp(now)
    return replace(post, **updates)


def check_translations(translations, problems):
    if translations is None:
        return {}
    if not isinstance(translations, dict) or len(translations) > len(SUPPORTED_LANGUAGES):
        problems["translations"] = "an object of language → {title, body}"
        return {}
    checked = {}
    for language, text in translations.items():
        where = "translations.%s" % language
        if language not in SUPPORTED_LANGUAGES:
            problems[where] = "one of %s" % ", ".join(SUPPORTED_LANGUAGES)
            continue
        if not isinstance(text, dict) or set(text) - {"title", "body"}:
            problems[where] = "an object with title and body"
            continue
        sub = {}
        title = _text(text.get("title"), "title", TITLE_MAX, sub)
        body = _text(text.get("body"), "body", BODY_MAX, sub)
        for name, problem in sub.items():
            problems["%s.%s" % (where, name)] = problem
        if not sub:
            checked[language] = {"title": title, "body": body}
    return checked


# -- announcements ------------------------------------------------------------------------------

def require_announcer(caller: Caller):
    if caller.role not in ANNOUNCING_ROLES or not caller.municipality_id or not caller.user_id:
        raise errors.forbidden("announcements are for city staff and admins")


def new_announcement(caller: Caller, request, municipality_ids, now):
    """An announcement from the city to one, several or all (`"all"`) neighbourhoods of the
    caller's municipality; `publish_at` schedules it (invisible before), `urgent` flags it."""
    require_announcer(caller)
    if not isinstance(request, dict):
        raise errors.invalid("an announcement must be an object")
    problems = {}
    unknown = sorted(set(request) - {"title", "body", "neighbourhood_ids", "urgent", "publish_at",
                                     "language", "translations"})
    for name in unknown:
        problems[name] = "not a field of an announcement"
    title = _text(request.get("title"), "title", TITLE_MAX, problems)
    body = _text(request.get("body"), "body", BODY_MAX, problems)
    targets = request.get("neighbourhood_ids")
    if targets == ALL_NEIGHBOURHOODS:
        targets = list(municipality_ids)
        if not targets:
            problems["neighbourhood_ids"] = "your municipality has no neighbourhoods yet"
    elif not (isinstance(targets, list) and 0 < len(targets) <= ANNOUNCEMENT_TARGETS_MAX
              and all(isinstance(n, str) for n in targets)):
        problems["neighbourhood_ids"] = '"all" or a list of neighbourhood ids'
        targets = []
    else:
        outside = [n for n in targets if n not in municipality_ids]
        if outside:
            problems["neighbourhood_ids"] = "not neighbourhoods of your municipality: %s" % (
                ", ".join(outside[:5]))
    urgent = request.get("urgent", False)
    if not isinstance(urgent, bool):
        problems["urgent"] = "true or false"
    language = request.get("language") or ""
    if language and language not in SUPPORTED_LANGUAGES:
        problems["language"] = "one of %s" % ", ".join(SUPPORTED_LANGUAGES)
    translations = check_translations(request.get("translations"), problems)
    created = timestamp(now)
    published = created
    if request.get("publish_at") is not None:
        try:
            published = max(created, parse_instant(request["publish_at"], "publish_at"))
        except errors.DomainError as exc:
            problems.update(exc.details or {"publish_at": exc.message})
    if problems:
        raise errors.invalid("invalid announcement", problems)
    return Post(
        id=new_id(), municipality_id=caller.municipality_id, neighbourhood_id="",
        audience=tuple(dict.fromkeys(targets)), author_id=caller.user_id,
        author_role=caller.role, category=ANNOUNCEMENT, title=title, body=body, details={},
        language=language, translations=translations, urgent=urgent, published_at=published,
        created_at=created, updated_at=created, week=iso_week(published))


# -- reading ------------------------------------------------------------------------------------

def is_city(caller: Caller):
    return caller.role in CITY_ROLES


def may_read(caller: Caller, post: Post, visible_ids, now_text):
    """Whether the caller may read the post (see the module docstring)."""
    if post is None:
        return False
    if post.author_id == caller.user_id and caller.user_id:
        return True
    if post.moderation:
        return False  # held or hidden by moderation: its author alone still reads it
    if post.published_at > now_text:
        return False
    if is_city(caller):
        return post.municipality_id == caller.municipality_id and (
            post.shared_with_city or post.is_announcement)
    if caller.role != RESIDENT:
        return False
    return any(n in visible_ids for n in post.audience)


def require_readable(caller, post, visible_ids, now_text):
    if not may_read(caller, post, visible_ids, now_text):
        raise errors.not_found("post not found")
    return post


def require_author(caller: Caller, post: Post):
    if post.author_id != caller.user_id or not caller.user_id:
        raise errors.forbidden("only the author can do this")


def require_participant(caller: Caller, post: Post):
    """Comment, thank or report: residents who can read the post; the city only on its own."""
    if caller.role == RESIDENT:
        return
    if is_city(caller) and post.author_id == caller.user_id:
        return
    raise errors.forbidden("the city reads shared posts; it answers only on its own posts")


def require_comment_reader(caller: Caller, post: Post):
    """A post shared with the city does not share its comments: their authors did not opt in.
    The city reads the replies to its own posts (announcements) only."""
    if is_city(caller) and not (post.is_announcement or post.author_id == caller.user_id):
        raise errors.forbidden("comments of residents' posts are not shared with the city")


def short_name(display_name):
    """First name + initial of the last name: "Marie Dupont" → "Marie D."."""
    parts = (display_name or "").split()
    if not parts:
        return UNKNOWN_AUTHOR
    if len(parts) == 1:
        return parts[0]
    return "%s %s." % (parts[0], parts[-1][0].upper())


def author_view(author_id, author_role, author_home, author: Author, reader: Caller,
                city_name=None):
    """How an author is named for this reader (PRODUCT rule 2). The city's accounts speak as
    the municipality: announcements are the city's word, not a clerk's."""
    if author_role in CITY_ROLES:
        return {"id": author_id, "name": city_name or UNKNOWN_CITY, "city": True}
    name = author.display_name if author and author.display_name else None
    if name is None:
        name = UNKNOWN_AUTHOR
    elif author_id != reader.user_id and not (
            reader.role == RESIDENT and reader.neighbourhood_id
            and reader.neighbourhood_id == author_home):
        name = short_name(name)
    return {"id": author_id, "name": name, "city": False}


def present_post(post: Post, reader: Caller, authors, mine=(), city_names=None):
    """The post as a reader sees it. Whether it is shared with the city is the author's business
    (and the city's, which only ever sees shared ones)."""
    view = {
        "id": post.id,
        "category": post.category,
        "title": post.title,
        "body": post.body,
        **post.details,
        "neighbourhood_ids": list(post.audience),
        "author": author_view(post.author_id, post.author_role, post.neighbourhood_id,
                              authors.get(post.author_id), reader,
                              (city_names or {}).get(post.municipality_id)),
        "language": post.language or None,
        "translations": sorted(post.translations),
        "published_at": post.published_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "comment_count": post.comment_count,
        "reactions": {"thanks": post.thanks_count},
        "my_reactions": sorted(mine),
    }
    if post.is_announcement:
        view["urgent"] = post.urgent
    if post.author_id == reader.user_id or is_city(reader):
        view["shared_with_city"] = post.shared_with_city
    if post.moderation:
        view["moderation"] = MODERATION_VIEW[post.moderation]
    return view


def present_comment(comment: Comment, reader: Caller, authors, city_names=None):
    view = {
        "id": comment.id,
        "post_id": comment.post_id,
        "body": comment.body,
        "author": author_view(comment.author_id, comment.author_role,
                              comment.author_neighbourhood_id, authors.get(comment.author_id),
                              reader, (city_names or {}).get(comment.municipality_id)),
        "created_at": comment.created_at,
    }
    if comment.moderation:
        view["moderation"] = MODERATION_VIEW[comment.moderation]
        if comment.author_id != reader.user_id:
            # A placeholder keeps the thread's order readable; neither text nor author shows.
            view["body"] = None
            view["author"] = None
    return view


# == moderation (issue 5) ========================================================================
# Before a post or comment is stored the feed asks moderation to screen it (block: refused with
# the reasons; hold: stored held in the same write; flag: published, queued for moderators).
# Moderation's events later hold, hide or restore it. Whether a person is suspended is
# moderation's answer too, asked before each write (servicekit/suspension.py).

HELD = "held"
HIDDEN = "hidden"
# How the author sees their content's state.
MODERATION_VIEW = {HELD: "pending", HIDDEN: "hidden"}
MODERATION_STATES = {
    events.CONTENT_HELD.name: HELD, events.CONTENT_HIDDEN.name: HIDDEN,
    events.CONTENT_RESTORED.name: "",
}


def screening_text(title, body):
    return "%s\n%s" % (title or "", body or "")


def after_screening(result):
    """The state a screened text is stored in: "" (allow, flag) or HELD; block is refused with
    moderation's reasons (nothing is stored)."""
    action = result.get("action")
    if action == "block":
        reasons = list(result.get("reasons") or [])
        raise errors.DomainError(
            errors.UNPROCESSABLE,
            "refused by moderation: %s" % "; ".join(reasons), {"reasons": reasons})
    if action == "hold":
        return HELD
    if action in ("allow", "flag"):
        return ""
    raise errors.DomainError(errors.UNAVAILABLE, "moderation gave no usable answer")


def after_edit_screening(current, screened):
    """The state an edited post is stored in: one held or hidden stays so (only a moderator
    restores it); otherwise the edit's own screening ("" or HELD)."""
    return current or screened


def translation(post: Post, language):
    """The author's own text in `language` (an announcement's translation, or the original when
    the author declared it in that language), with the original beside it. None when there is
    none: the translation service answers those (and refuses languages it does not offer)."""
    supplied = post.translations.get(language)
    if supplied is None and post.language == language:
        supplied = {"title": post.title, "body": post.body}
    if supplied is None:
        return None
    return {"post_id": post.id, "lang": language, "title": supplied["title"],
            "body": supplied["body"], "machine": False, "source": post.language or None,
            "original": {"lang": post.language or None, "title": post.title,
                         "body": post.body}}


def translatable(post: Post):
    """What the translation service needs of a post: its text and the author's declared
    language (which wins over detection)."""
    return {"kind": "post", "id": post.id, "title": post.title, "body": post.body,
            "language": post.language or None, "author_id": post.author_id}


def announcement_text(post: Post):
    """What the notification service tells residents of an announcement (never a resident's
    post: only the city's announcements are sent outside the app)."""
    return {"id": post.id, "title": post.title, "body": post.body,
            "language": post.language or None, "translations": dict(post.translations),
            "urgent": post.urgent, "municipality_id": post.municipality_id,
            "audience": list(post.audience), "published_at": post.published_at}


def translatable_comment(comment: Comment):
    # The author goes along so that translation can forget their words when they are erased.
    return {"kind": "comment", "id": comment.id, "title": "", "body": comment.body,
            "language": None, "author_id": comment.author_id}


# -- cursors ------------------------------------------------------------------------------------

def check_position(position):
    """A decoded feed/comment cursor: [instant text, id]."""
    if position is None:
        return None
    if not (isinstance(position, list) and len(position) == 2
            and all(isinstance(part, str) and 0 < len(part) <= 64 for part in position)):
        raise errors.invalid("malformed cursor")
    return tuple(position)


# -- comments, reactions, reports ---------------------------------------------------------------

def new_comment(caller: Caller, post: Post, body, now):
    require_participant(caller, post)
    problems = {}
    text = _text(body, "body", COMMENT_MAX, problems)
    if problems:
        raise errors.invalid("invalid comment", problems)
    instant = timestamp(now)
    return Comment(
        id=new_id(), post_id=post.id, municipality_id=post.municipality_id,
        neighbourhood_id=post.neighbourhood_id or (post.audience[0] if post.audience else ""),
        author_id=caller.user_id, author_role=caller.role,
        author_neighbourhood_id=caller.neighbourhood_id or "", body=text, created_at=instant,
        week=iso_week(instant))


def check_reaction_kind(kind):
    if kind not in REACTION_KINDS:
        raise errors.not_found("reaction kind not found")
    return kind


def check_report(reason, note, comment_id):
    problems = {}
    if reason not in REPORT_REASONS:
        problems["reason"] = "one of %s" % ", ".join(REPORT_REASONS)
    if note is not None:
        _text(note, "note", REPORT_NOTE_MAX, problems)
    if comment_id is not None and not (isinstance(comment_id, str) and 0 < len(comment_id) <= 64):
        problems["comment_id"] = "a comment id"
    if problems:
        raise errors.invalid("invalid report", problems)


# -- events -------------------------------------------------------------------------------------

def post_created(post: Post):
    return events.POST_CREATED, events.POST_CREATED.payload(
        "post_created:" + post.id, post_id=post.id, neighbourhood_id=post.neighbourhood_id,
        author_id=post.author_id, municipality_id=post.municipality_id,
        neighbourhood_ids=list(post.audience), category=post.category,
        published_at=post.published_at)


def post_updated(post: Post):
    return events.POST_UPDATED, events.POST_UPDATED.payload(
        "post_updated:%s:%s" % (post.id, post.updated_at), post_id=post.id,
        neighbourhood_id=post.neighbourhood_id, author_id=post.author_id,
        municipality_id=post.municipality_id, category=post.category)


def post_deleted(post: Post):
    return events.POST_DELETED, events.POST_DELETED.payload(
        "post_deleted:" + post.id, post_id=post.id, neighbourhood_id=post.neighbourhood_id,
        municipality_id=post.municipality_id)


def comment_created(comment: Comment, post: Post):
    return events.COMMENT_CREATED, events.COMMENT_CREATED.payload(
        "comment_created:" + comment.id, comment_id=comment.id, post_id=post.id,
        neighbourhood_id=comment.neighbourhood_id, author_id=comment.author_id,
        municipality_id=comment.municipality_id, post_author_id=post.author_id)


def content_reported(report):
    return events.CONTENT_REPORTED, events.CONTENT_REPORTED.payload(
        "content_reported:%s:%s:%s" % (report["content_kind"], report["content_id"],
                                      report["reporter_id"]),
        content_id=report["content_id"], content_kind=report["content_kind"],
        reporter_id=report["reporter_id"], reason=report["reason"],
        municipality_id=report["municipality_id"], neighbourhood_id=report["neighbourhood_id"],
        reporter_household_id=report["reporter_household_id"], author_id=report["author_id"],
        post_id=report["post_id"], author_role=report.get("author_role") or RESIDENT)


# -- identity's events --------------------------------------------------------------------------

def author_from_registration(payload):
    return Author(user_id=payload["user_id"], municipality_id=payload.get("municipality_id") or "",
                  neighbourhood_id=payload.get("neighbourhood_id") or "",
                  role=payload.get("role") or RESIDENT,
                  display_name=(payload.get("display_name") or "").strip())


def author_changes(changes):
    """The parts of a user_updated change the feed keeps."""
    if not isinstance(changes, dict):
        return {}
    return {k: v for k, v in changes.items()
            if k in ("display_name", "neighbourhood_id") and isinstance(v, str)}


# -- statistics and export ----------------------------------------------------------------------

def require_statistics_reader(caller: Caller, municipality_id):
    if caller.is_system:
        return
    if caller.role not in CITY_ROLES or caller.municipality_id != municipality_id:
        raise errors.forbidden("statistics are for the municipality's staff")


ACTIVITY_FIELDS = ("posts", "comments", "reactions")


def statistics_view(counts, limit):
    """The counts with every figure under the small-cell threshold hidden (null, and named in
    the neighbourhood's or week's `suppressed`, or in `categories_suppressed`), each figure
    protected across neighbourhoods, across weeks and across categories so that none comes back
    by subtraction from a total (servicekit.disclosure)."""
    view = {"neighbourhoods": {k: dict(v) for k, v in counts["neighbourhoods"].items()},
            "weeks": {k: dict(v) for k, v in counts["weeks"].items()}}
    for table in (view["neighbourhoods"], view["weeks"]):
        for field_name in ACTIVITY_FIELDS:
            cells = {key: figures.get(field_name) or 0 for key, figures in table.items()}
            for key in disclosure.hidden_cells(cells, limit):
                disclosure.hide(table[key], field_name)
    categories, hidden, _ = disclosure.suppress_row(dict(counts["categories"]), limit)
    view["categories"] = categories
    view["categories_suppressed"] = sorted(hidden)
    return view


def export(posts, comments, reactions, reports):
    """Feed's part of a GDPR art. 15/20 export: everything the user wrote or did here."""
    return {
        "posts": [{k: v for k, v in p.to_dict().items()
                   if k not in ("comment_count", "thanks_count", "week")} for p in posts],
        "comments": [{k: v for k, v in c.to_dict().items() if k != "week"} for c in comments],
        "reactions": reactions,
        "reports": reports,
    }
