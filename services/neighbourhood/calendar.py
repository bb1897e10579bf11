"""The neighbourhood calendar's pure rules: what an event is, who may create, read, change and
answer it, the commercial-event rule, and the views. No I/O: values in, values out.

Who sees what (PRODUCT rule 2: "a neighbourhood's messages, calendar and neighbour list are visible
to its members only, and to residents of adjacent neighbourhoods who follow it"):
- a resident reads the calendar of their home neighbourhood and of the adjacent ones they follow,
  and answers (RSVP) there; any other event or calendar answers `not_found`, as an unknown id does;
- a resident creates events in their home neighbourhood only; the organiser alone edits or
  cancels an event (another reader gets `forbidden`);
- the city reads no calendar (it is residents' content, never shared with the city): the list of a
  neighbourhood the city knows answers `forbidden`, an event by id `not_found`.

Times: `starts_at` / `ends_at` must carry their UTC offset ("2026-12-05T18:00:00+01:00"); an
event is served back in the offset it was given (the local time people read on the poster), and
ordered by the UTC instant.
"""
import re
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT
from servicekit import text as normalised

SCHEDULED = "scheduled"
CANCELLED = "cancelled"

GOING = "going"
MAYBE = "maybe"
NOT_GOING = "not_going"
RSVP_RESPONSES = (GOING, MAYBE, NOT_GOING)

TITLE_MIN, TITLE_MAX = 3, 120
DESCRIPTION_MAX = 4000
PLACE_MAX = 200
# A neighbourhood event lasts hours or a weekend, not a season. The bound also lets the upcoming
# list start its range scan at (now - MAX_DURATION) instead of at the beginning of time.
MAX_DURATION = timedelta(days=14)
# Far enough for next summer's street party, near enough that the calendar is not a noticeboard
# for events nobody can plan for yet.
MAX_AHEAD = timedelta(days=2 * 366)
# An event being written while it starts (a clock a little off, a form left open) is still fine.
START_GRACE = timedelta(minutes=15)
# Upcoming (not yet ended) events one resident may organise at once: a neighbour's calendar, not a
# venue's programme.
MAX_UPCOMING_PER_ORGANISER = 10
# The "small fee" flag covers a contribution to costs (coffee and cake, a shared barbecue); a
# higher entrance fee makes it a commercial event (PRODUCT rule 4).
SMALL_FEE_MAX_EUR = 10

EDITABLE = ("title", "description", "starts_at", "ends_at", "place", "point", "small_fee")
CITY_ROLES = (CITY_STAFF, MODERATOR, ADMIN)


@dataclass(frozen=True)
class CalendarEvent:
    id: str
    municipality_id: str
    neighbourhood_id: str
    organiser_id: str
    organiser_first_name: str
    title: str
    description: str
    starts_at: str  # as given, with its offset
    ends_at: str
    starts_at_utc: str  # sort keys: fixed-width UTC, so strings order like instants
    ends_at_utc: str
    place: str
    point: tuple = None  # (lon, lat) or None
    small_fee: bool = False
    status: str = SCHEDULED
    created_at: str = ""
    updated_at: str = ""
    cancelled_at: str = ""

    def to_dict(self):
        data = asdict(self)
        data["point"] = list(self.point) if self.point else None
        return data

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["point"] = tuple(known["point"]) if known.get("point") else None
        known["small_fee"] = bool(known.get("small_fee"))
        return cls(**known)


# -- time ------------------------------------------------------------------------------------------

def utc_key(moment):
    """The fixed-width UTC text both stores order by ("2026-12-05T17:00:00Z")."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc(now=None):
    return now or datetime.now(timezone.utc)


def _parse_moment(value, name, problems):
    if not isinstance(value, str) or len(value) > 40:
        problems[name] = "an ISO 8601 date and time with its UTC offset, e.g. " \
                         "2026-12-05T18:00:00+01:00"
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        problems[name] = "not an ISO 8601 date and time (e.g. 2026-12-05T18:00:00+01:00)"
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A bare local time is ambiguous for readers in another time zone and across DST.
        problems[name] = "the time zone is missing: add the UTC offset (e.g. +01:00)"
        return None
    return moment.replace(microsecond=0)


# -- input -----------------------------------------------------------------------------------------

def _text(value, name, problems, minimum, maximum, required=True):
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not minimum <= len(value.strip()) <= maximum:
        problems[name] = ("%d to %d characters" % (minimum, maximum)) if minimum \
            else "at most %d characters of text" % maximum
        return None
    # Titles and places follow names' rules (no control or bidi characters, not invisible).
    kind = normalised.NAME if name in ("title", "place") else normalised.TEXT
    return normalised.check_text(value, name, maximum, problems, minimum=minimum,
                                 required=required, kind=kind)


def read_point(value, name="point", problems=None):
    """[lon, lat] in WGS 84 → (lon, lat); None stays None. Problems go to `problems` when given,
    else raise `invalid`."""
    if value is None:
        return None
    valid = (isinstance(value, (list, tuple)) and len(value) == 2
             and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                     and v == v and abs(v) != float("inf") for v in value)
             and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)
    if not valid:
        message = "expected [longitude, latitude] in WGS 84"
        if problems is None:
            raise errors.invalid("invalid %s" % name, details={name: message})
        problems[name] = message
        return None
    return (float(value[0]), float(value[1]))


def _read_fields(fields, problems, partial):
    """Validate the fields present in `fields` (all required ones unless `partial`)."""
    if not isinstance(fields, dict):
        raise errors.invalid("the event must be an object")
    unknown = sorted(set(fields) - set(EDITABLE))
    for name in unknown:
        problems[name] = "unknown field"
    read = {}
    if "title" in fields or not partial:
        read["title"] = _text(fields.get("title"), "title", problems, TITLE_MIN, TITLE_MAX)
    if "description" in fields or not partial:
        read["description"] = _text(fields.get("description"), "description", problems, 0,
                                    DESCRIPTION_MAX, required=False)
    if "place" in fields or not partial:
        read["place"] = _text(fields.get("place"), "place", problems, 1, PLACE_MAX)
    if "point" in fields or not partial:
        read["point"] = read_point(fields.get("point"), "point", problems)
    if "small_fee" in fields or not partial:
        fee = fields.get("small_fee", False)
        if not isinstance(fee, bool):
            problems["small_fee"] = "true or false"
        read["small_fee"] = fee is True
    for name in ("starts_at", "ends_at"):
        if name in fields or not partial:
            read[name] = _parse_moment(fields.get(name), name, problems)
    return read


def _check_times(starts, ends, problems, now, check_start):
    if starts is None or ends is None:
        return
    if ends <= starts:
        problems["ends_at"] = "must be after starts_at"
    elif ends - starts > MAX_DURATION:
        problems["ends_at"] = "an event lasts at most %d days" % MAX_DURATION.days
    if check_start and starts < now - START_GRACE:
        problems["starts_at"] = "must not be in the past"
    if starts > now + MAX_AHEAD:
        problems["starts_at"] = "at most two years ahead"


def new_event(caller, home, first_name, fields, now=None, new_id=None):
    """A CalendarEvent for a resident's home neighbourhood, or `invalid` with every problem."""
    now = now_utc(now)
    problems = {}
    read = _read_fields(fields, problems, partial=False)
    _check_times(read["starts_at"], read["ends_at"], problems, now, check_start=True)
    if problems:
        raise errors.invalid("invalid event", details=problems)
    refuse_commercial(read["title"], read["description"], read["small_fee"])
    stamp = now.isoformat(timespec="seconds")
    return CalendarEvent(
        id=(new_id or _new_id)(), municipality_id=home.municipality_id,
        neighbourhood_id=home.id, organiser_id=caller.user_id,
        organiser_first_name=first_name or "", title=read["title"],
        description=read["description"], starts_at=read["starts_at"].isoformat(),
        ends_at=read["ends_at"].isoformat(), starts_at_utc=utc_key(read["starts_at"]),
        ends_at_utc=utc_key(read["ends_at"]), place=read["place"], point=read["point"],
        small_fee=read["small_fee"], created_at=stamp, updated_at=stamp)


def edited_event(event, changes, now=None):
    """The event with the organiser's changes applied and checked as a whole."""
    now = now_utc(now)
    problems = {}
    read = _read_fields(changes, problems, partial=True)
    if not changes:
        problems["(root)"] = "nothing to change"
    starts = read.get("starts_at") or datetime.fromisoformat(event.starts_at)
    ends = read.get("ends_at") or datetime.fromisoformat(event.ends_at)
    # A start already past may stay as it is; a moved one must not go into the past.
    _check_times(starts, ends, problems, now, check_start="starts_at" in read)
    if problems:
        raise errors.invalid("invalid event", details=problems)
    updated = replace(event, updated_at=now.isoformat(timespec="seconds"))
    for name in ("title", "description", "place", "small_fee"):
        if name in read:
            updated = replace(updated, **{name: read[name]})
    if "point" in read:
        updated = replace(updated, point=read["point"])
    updated = replace(updated, starts_at=starts.isoformat(), ends_at=ends.isoformat(),
                      starts_at_utc=utc_key(starts), ends_at_utc=utc_key(ends))
    refuse_commercial(updated.title, updated.description, updated.small_fee)
    return updated


def check_point_near(point, located_id, neighbourhood):
    """An event's optional map point lies in its neighbourhood or one adjacent to it (the party in
    the park across the boundary street), never across town. `located_id`: the neighbourhood of
    the municipality holding the point, or None."""
    if point is None:
        return
    if located_id is None or (located_id != neighbourhood.id
                              and located_id not in neighbourhood.adjacent_ids):
        raise errors.invalid("invalid event", details={
            "point": "must lie in the event's neighbourhood or one adjacent to it"})


def _new_id():
    return uuid.uuid4().hex


# -- the commercial-event rule ---------------------------------------------------------------------
# PRODUCT rule 4: a business may introduce itself, not advertise. The moderation service's
# per-municipality watched words come later; until then one rule anyone can understand:
#   1. a price together with a sales word ("-20 %", "promo", "Rabatt", "korting"...) is
#      advertising;
#   2. any amount of money asks for the small-fee flag, and no amount may exceed the small fee.
# Free events ("gratuit", "0 €") pass. The reasons name the rule and the words that matched.

# Amounts as people write them: 5, 2,50, 12.5, 1.000, 1 000,00.
_AMOUNT = r"(\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d{1,7}(?:[.,]\d{1,2})?)"
# Symbols anywhere; codes and words as whole words only ("Fleur 5" is not a price).
_CURRENCY = r"(€|\$|£|\b(?:eur|euros?|chf|usd|gbp)\b)"
_PRICE_PATTERNS = (
    re.compile(_CURRENCY + r"\s?" + _AMOUNT, re.IGNORECASE),
    re.compile(_AMOUNT + r"\s?" + _CURRENCY, re.IGNORECASE),
)
_DECIMALS = re.compile(r"(.*?)(?:[.,](\d{1,2}))?")


def _amount(text):
    """"1.000,50" → 1000.5: a separator followed by one or two final digits marks the decimals,
    every other separator groups thousands."""
    whole, decimals = _DECIMALS.fullmatch(text).groups()
    digits = re.sub(r"\D", "", whole)
    return float("%s.%s" % (digits or "0", decimals or "0"))


# Words that sell, in the languages of the Benelux and Luxembourg's neighbours. A flea market or a
# garage sale among neighbours is not advertising: "sale" alone is not here, "on sale" is.
SALES_WORDS = (
    # en
    "discount", "promo", "promotion", "special offer", "limited offer", "on sale", "buy now",
    "order now", "shop now", "best price", "bargain", "coupon", "voucher",
    # fr
    "réduction", "remise", "soldes", "offre spéciale", "offre limitée", "achetez", "commandez",
    "meilleur prix", "bon de réduction", "prix cassés", "promotionnel",
    # de / lb
    "rabatt", "angebot", "sonderangebot", "jetzt kaufen", "bestellen", "gutschein",
    "schnäppchen", "ausverkauf",
    # nl
    "korting", "aanbieding", "actieprijs", "koop nu", "bestel nu", "uitverkoop",
    # it / pt (large communities in Luxembourg)
    "sconto", "offerta", "desconto", "promoção",
)
_SALES = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(SALES_WORDS, key=len, reverse=True))
    + r")(?!\w)|(-\s?\d{1,2}\s?%)|(\d{1,2}\s?%\s?(?:off|de réduction|rabatt|korting))",
    re.IGNORECASE)


def prices_in(text):
    """[(the text matched, amount in its currency)] for every amount of money in `text`."""
    found = []
    for pattern in _PRICE_PATTERNS:
        for match in pattern.finditer(text or ""):
            amount = next(g for g in match.groups() if g and g[0].isdigit())
            found.append((match.group(0).strip(), _amount(amount)))
    return found


def sales_words_in(text):
    return [match.group(0).strip() for match in _SALES.finditer(text or "")]


def commercial_reasons(title, description, small_fee):
    """Why an event reads as commercial: [{"rule", "message", "matched"}], empty when it does not.
    Pure, so the moderation service can later show the same reasons."""
    text = "%s\n%s" % (title or "", description or "")
    prices = prices_in(text)
    charged = [(matched, amount) for matched, amount in prices if amount > 0]
    sales = sales_words_in(text)
    reasons = []
    if charged and sales:
        reasons.append({
            "rule": "price_with_sales_words",
            "message": "a price together with sales words reads as advertising; neighbourhood "
                       "events are not adverts",
            "matched": sorted({m for m, _ in charged}) + sorted(set(sales)),
        })
    over = [matched for matched, amount in charged if amount > SMALL_FEE_MAX_EUR]
    if over:
        reasons.append({
            "rule": "fee_above_small_fee",
            "message": "an entrance fee above %d € makes it a commercial event; the small-fee "
                       "flag covers a contribution of at most %d €" % (SMALL_FEE_MAX_EUR,
                                                                      SMALL_FEE_MAX_EUR),
            "matched": sorted(set(over)),
        })
    elif charged and not small_fee:
        reasons.append({
            "rule": "fee_without_small_fee_flag",
            "message": "the event asks for money: set small_fee (a contribution of at most "
                       "%d €) or remove the amount" % SMALL_FEE_MAX_EUR,
            "matched": sorted({m for m, _ in charged}),
        })
    return reasons


def refuse_commercial(title, description, small_fee):
    reasons = commercial_reasons(title, description, small_fee)
    if reasons:
        raise errors.DomainError(
            errors.UNPROCESSABLE,
            "commercial events are not allowed in the neighbourhood calendar: "
            + "; ".join(r["message"] for r in reasons),
            details={"reasons": reasons})


# -- authorization ---------------------------------------------------------------------------------

def require_calendar_access(caller, neighbourhood, visible):
    """The calendar of a neighbourhood: its residents and followers (`visible`: can_see for this
    caller). The city knows the neighbourhood exists, so it is told no rather than not found."""
    if neighbourhood is None or (caller.role not in CITY_ROLES and not visible):
        raise errors.not_found("neighbourhood not found")
    if caller.role in CITY_ROLES:
        if not caller.belongs_to(neighbourhood.municipality_id):
            raise errors.not_found("neighbourhood not found")
        raise errors.forbidden("neighbourhood calendars are for residents; the city sees none")
    if caller.role != RESIDENT:
        raise errors.not_found("neighbourhood not found")
    return neighbourhood


def require_visible_event(caller, event, visible_ids):
    """An event the caller may read; else not_found (never revealing that it exists). Its
    organiser always may: a household moved to another neighbourhood by a register correction
    can still change or cancel what it announced."""
    if event is None or caller.role != RESIDENT:
        raise errors.not_found("event not found")
    if event.neighbourhood_id not in visible_ids and event.organiser_id != caller.user_id:
        raise errors.not_found("event not found")
    return event


def require_home(caller, home, neighbourhood_id, visible_ids):
    """Events are created in one's home neighbourhood: a followed one is forbidden (the resident
    sees it), an invisible or unknown one not found."""
    if caller.role in CITY_ROLES:
        raise errors.forbidden("events are created by residents")
    if caller.role != RESIDENT or neighbourhood_id not in visible_ids:
        raise errors.not_found("neighbourhood not found")
    if home is None or home.id != neighbourhood_id:
        raise errors.forbidden("events are created in your home neighbourhood")
    return home


def require_organiser(caller, event):
    if event.organiser_id != caller.user_id:
        raise errors.forbidden("only the organiser changes or cancels an event")
    return event


def require_open(event, now=None, doing="changed"):
    """Cancelled and ended events are history: they are no longer changed or answered."""
    if event.status == CANCELLED:
        raise errors.conflict("the event is cancelled and can no longer be %s" % doing)
    if event.ends_at_utc <= utc_key(now_utc(now)):
        raise errors.conflict("the event has ended and can no longer be %s" % doing)
    return event


def read_rsvp(response):
    if response not in RSVP_RESPONSES:
        raise errors.invalid("invalid answer", details={
            "response": "one of %s" % ", ".join(RSVP_RESPONSES)})
    return response


def upcoming_after(cursor_position, now=None):
    """The (starts_at_utc, id) the upcoming list starts after: the cursor's, but never earlier than
    the oldest start an event still running can have (now - MAX_DURATION)."""
    floor = (utc_key(now_utc(now) - MAX_DURATION), "")
    if cursor_position is None:
        return floor
    if not (isinstance(cursor_position, list) and len(cursor_position) == 2
            and all(isinstance(part, str) for part in cursor_position)):
        raise errors.invalid("malformed cursor")
    return max(tuple(cursor_position), floor)


# -- views -----------------------------------------------------------------------------------------

def empty_counts():
    return {response: 0 for response in RSVP_RESPONSES}


def view(event, counts=None, my_response=None, caller_id=None):
    """An event as residents read it: local times, the organiser's first name only, exact RSVP
    counts, and the caller's own answer."""
    return {
        "id": event.id,
        "neighbourhood_id": event.neighbourhood_id,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "point": list(event.point) if event.point else None,
        "small_fee": event.small_fee,
        "status": event.status,
        "organiser": {"user_id": event.organiser_id, "first_name": event.organiser_first_name},
        "organised_by_me": caller_id is not None and event.organiser_id == caller_id,
        "rsvp_counts": dict(empty_counts(), **(counts or {})),
        "my_rsvp": my_response,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def export(organised, answers):
    """The calendar part of a user's GDPR export: events they organise and their answers."""
    return {
        "events_organised": [
            {k: v for k, v in event.to_dict().items()
             if k not in ("starts_at_utc", "ends_at_utc", "municipality_id")}
            for event in organised
        ],
        "rsvps": [{"event_id": event_id, "response": response, "answered_at": at}
                  for event_id, response, at in answers],
    }
