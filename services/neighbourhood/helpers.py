"""Helpers: skill profiles, the text analysis the embedded search relies on, and city call-outs.

Pure: no store, no broker. Who sees what:
- A resident manages their own profile (in their home neighbourhood) and searches the helpers of
  their home and followed neighbourhoods only; search results show first name, skills, languages,
  availability, free text and the volunteer flag, never a street or an e-mail.
- City staff (and admins) of the municipality create call-outs: "N helpers with skill X in
  neighbourhood Y". Matching volunteer helpers get an invitation; the city sees counts (notified,
  accepted, declined) and the first name of a helper only once that helper accepted.
- Statistics: helpers and volunteers per skill and neighbourhood, counts only.
"""
import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, RESIDENT
from servicekit import disclosure
from servicekit import text as normalised
from services.neighbourhood.skill_catalogue import LANGUAGES, SKILLS, SKILLS_BY_ID

MAX_SKILLS = 20
MAX_FREE_TEXT = 1000
MAX_LANGUAGES = 10
MAX_AVAILABILITY_NOTE = 200
AVAILABILITY_SLOTS = ("weekday_mornings", "weekday_afternoons", "weekday_evenings",
                      "weekends")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
MAX_QUERY = 200

CALLOUT_MAX_WANTED = 50
CALLOUT_MAX_MESSAGE = 1000
# A call-out invites at most this many matching volunteers (the first by how long they have been
# helpers): enough to fill any request, few enough that nobody is asked for nothing.
CALLOUT_MAX_NOTIFIED = 200
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
ANSWERS = (ACCEPTED, DECLINED)
CALLOUT_ROLES = (CITY_STAFF, ADMIN)


def now_iso(now=None):
    return (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")


# -- text analysis (used by the embedded index; Elasticsearch does the same with its analyzers) --

# Words that carry no skill: articles and prepositions of the supported languages. Dropped from
# queries and documents alike, so "cours de français" does not match every "de".
STOPWORDS = frozenset("""
a à au aux d de des du en et l la le les un une pour par avec sur
the of and for to in with an on at by
der die das den dem des ein eine und mit für von zu im am beim
de het een en van voor met bij aan op te
o os as um uma e do da dos das no na com para por em
an den d' vun mat fir op
il lo gli i di del della dei delle con per e
el los las y del con para por en
""".split())

_WORD_GROUP = re.compile(r"[^\W_]+(?:[-'’‐‑][^\W_]+)*", re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# A light, language-agnostic suffix stripper (longest suffix first), applied to documents and
# queries alike: "jardinage", "jardinier", "jardins" → "jardin"; "gardening", "gardener" →
# "garden"; "lessons" → "lesson"; "Übersetzung" → "ubersetz". It over-stems now and then; both
# sides over-stem the same way, and exact words score above stems.
_SUFFIXES = sorted("""
ements ement ments ment ations ation ages age euses euse eurs eur ieres iere iers ier
ings ing ungen ung eries erie ers er es s en e ies
""".split(), key=len, reverse=True)
MIN_STEM = 4


def fold(text):
    """Lowercase with accents removed: "Français" → "francais", "Straße" → "strasse". The
    platform's fold (servicekit/text.py, as moderation reads text): invisible characters
    and compatibility forms do not split or hide a word from search either."""
    return normalised.fold(text)


def stem(token):
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= MIN_STEM:
            return token[:-len(suffix)]
    return token


def words(text):
    """The folded words of a text, hyphenated and apostrophed compounds also joined:
    "baby-sitting" → baby, sitting, babysitting; "garde d'enfants" → garde, enfants, denfants.
    Stopwords dropped (but kept inside a joined compound)."""
    found = []
    for group in _WORD_GROUP.findall(fold(text or "")):
        parts = _WORD.findall(group)
        found.extend(p for p in parts if p not in STOPWORDS)
        if len(parts) > 1:
            found.append("".join(parts))
    return found


def analyse(text):
    """Index terms of a text: every word and its stem."""
    terms = []
    for word in words(text):
        terms.append(word)
        stemmed = stem(word)
        if stemmed != word:
            terms.append(stemmed)
    return terms


def query_words(text):
    """A query's words, plus each pair of neighbours joined ("baby sitting" → babysitting), so a
    compound written apart finds the one written together."""
    found = words(text)
    plain = [w for w in _WORD.findall(fold(text or "")) if w not in STOPWORDS]
    found.extend(a + b for a, b in zip(plain, plain[1:]))
    unique = []
    for word in found:
        if word not in unique:
            unique.append(word)
    return unique


def skill_texts(skill_ids):
    """Every label (all languages) and synonym of the given skills: what a helper is found by."""
    texts = []
    for skill_id in skill_ids:
        skill = SKILLS_BY_ID.get(skill_id)
        if skill is not None:
            texts.extend(skill["labels"].values())
            texts.extend(skill["synonyms"])
    return texts


# -- the skill catalogue for readers ----------------------------------------------------------


def reader_language(language):
    if language is None or language == "":
        return "en"
    if language not in LANGUAGES:
        raise errors.invalid("language must be one of %s" % ", ".join(LANGUAGES),
                             {"language": language})
    return language


def catalogue(language):
    """The catalogue in the reader's language, ordered by category then label."""
    language = reader_language(language)
    items = [{"id": s["id"], "category": s["category"], "label": s["labels"][language]}
             for s in SKILLS]
    return sorted(items, key=lambda s: (s["category"], fold(s["label"]), s["id"]))


def skill_label(skill_id, language="en"):
    skill = SKILLS_BY_ID.get(skill_id)
    return skill["labels"].get(language, skill["labels"]["en"]) if skill else skill_id


def read_skill(skill):
    if not isinstance(skill, str) or skill not in SKILLS_BY_ID:
        raise errors.invalid("unknown skill; GET /api/v1/helpers/skills lists them",
                             {"skill": skill if isinstance(skill, str) else None})
    return skill


# -- profiles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelperProfile:
    user_id: str
    municipality_id: str
    neighbourhood_id: str
    first_name: str
    skills: list
    free_text: str = ""
    languages: list = field(default_factory=list)
    availability: list = field(default_factory=list)
    availability_note: str = ""
    volunteer: bool = False
    created_at: str = ""
    updated_at: str = ""

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


PROFILE_FIELDS = ("skills", "free_text", "languages", "availability", "availability_note",
                  "volunteer")


def read_profile(body):
    """Validate a PUT body: every problem listed in `details.fields`, nothing stored."""
    if not isinstance(body, dict):
        raise errors.invalid("the profile must be an object")
    problems = {}
    unknown = sorted(set(body) - set(PROFILE_FIELDS))
    for name in unknown:
        problems[name] = "unknown field"
    skills = body.get("skills")
    if not isinstance(skills, list) or not skills:
        problems["skills"] = "a list of 1 to %d skill ids from the catalogue" % MAX_SKILLS
    elif len(skills) > MAX_SKILLS:
        problems["skills"] = "at most %d skills" % MAX_SKILLS
    else:
        bad = [s for s in skills if not isinstance(s, str) or s not in SKILLS_BY_ID]
        if bad:
            problems["skills"] = "unknown skills: %s" % ", ".join(map(str, bad[:5]))
    free_text = body.get("free_text", "")
    if not isinstance(free_text, str) or len(free_text) > MAX_FREE_TEXT:
        problems["free_text"] = "text of at most %d characters" % MAX_FREE_TEXT
    languages = body.get("languages", [])
    if (not isinstance(languages, list) or len(languages) > MAX_LANGUAGES
            or not all(isinstance(l, str) and LANGUAGE_CODE.match(l) for l in languages)):
        problems["languages"] = "at most %d ISO 639 codes such as \"fr\"" % MAX_LANGUAGES
    availability = body.get("availability", [])
    if (not isinstance(availability, list)
            or not all(a in AVAILABILITY_SLOTS for a in availability if isinstance(a, str))
            or not all(isinstance(a, str) for a in availability)):
        problems["availability"] = "a list from %s" % ", ".join(AVAILABILITY_SLOTS)
    note = body.get("availability_note", "")
    if not isinstance(note, str) or len(note) > MAX_AVAILABILITY_NOTE:
        problems["availability_note"] = "text of at most %d characters" % MAX_AVAILABILITY_NOTE
    volunteer = body.get("volunteer", False)
    if not isinstance(volunteer, bool):
        problems["volunteer"] = "true or false"
    if problems:
        raise errors.invalid("the helper profile is not valid", {"fields": problems})
    return {
        "skills": list(dict.fromkeys(skills)),
        "free_text": free_text.strip(),
        "languages": list(dict.fromkeys(languages)),
        "availability": [a for a in AVAILABILITY_SLOTS if a in availability],
        "availability_note": note.strip(),
        "volunteer": volunteer,
    }


def require_resident_home(caller, member):
    if caller.role != RESIDENT or not caller.user_id:
        raise errors.forbidden("helper profiles are for residents")
    if member is None or member.municipality_id != caller.municipality_id:
        raise errors.forbidden("you have no home neighbourhood yet")
    return member


def new_profile(member, fields, existing=None, now=None):
    at = now_iso(now)
    return HelperProfile(
        user_id=member.user_id, municipality_id=member.municipality_id,
        neighbourhood_id=member.neighbourhood_id, first_name=member.first_name,
        created_at=existing.created_at if existing else at, updated_at=at, **fields)


def profile_view(profile, language="en"):
    data = profile.to_dict()
    data.pop("municipality_id")
    data["skill_labels"] = [skill_label(s, language) for s in profile.skills]
    return data


def search_view(profile, score, language="en"):
    """What a searcher sees of a helper: no street, no e-mail."""
    return {
        "user_id": profile.user_id, "first_name": profile.first_name,
        "neighbourhood_id": profile.neighbourhood_id, "skills": profile.skills,
        "skill_labels": [skill_label(s, language) for s in profile.skills],
        "free_text": profile.free_text, "languages": profile.languages,
        "availability": profile.availability, "availability_note": profile.availability_note,
        "volunteer": profile.volunteer, "score": round(score, 4),
    }


def profile_updated(profile):
    # A fresh id per change: two changes within one second are two events (the handler reads the
    # current profile anyway, so their order does not matter). A redelivery keeps its id and is
    # dropped by the inbox.
    event_id = "helper-updated:%s:%s" % (profile.user_id, uuid.uuid4().hex)
    return events.HELPER_PROFILE_UPDATED, events.HELPER_PROFILE_UPDATED.payload(
        event_id, user_id=profile.user_id, neighbourhood_id=profile.neighbourhood_id)


def profile_removed(profile):
    event_id = "helper-removed:%s:%s" % (profile.user_id, uuid.uuid4().hex)
    return events.HELPER_PROFILE_REMOVED, events.HELPER_PROFILE_REMOVED.payload(
        event_id, user_id=profile.user_id, neighbourhood_id=profile.neighbourhood_id)


def index_document(profile):
    """The search projection of a profile (the same for every engine: each analyses it its own
    way). The document id is the user id, so writing it twice leaves one document."""
    return {
        "user_id": profile.user_id, "municipality_id": profile.municipality_id,
        "neighbourhood_id": profile.neighbourhood_id, "skills": list(profile.skills),
        "languages": list(profile.languages), "volunteer": bool(profile.volunteer),
        "skill_texts": skill_texts(profile.skills), "free_text": profile.free_text or "",
    }


def read_search(q, skill, language, volunteer):
    """Validated search parameters: (text, skill, language, volunteer)."""
    if q is not None and (not isinstance(q, str) or len(q) > MAX_QUERY):
        raise errors.invalid("q must be text of at most %d characters" % MAX_QUERY)
    if skill not in (None, ""):
        read_skill(skill)
    else:
        skill = None
    if language not in (None, ""):
        if not isinstance(language, str) or not LANGUAGE_CODE.match(language):
            raise errors.invalid("language must be an ISO 639 code such as \"fr\"")
    else:
        language = None
    if isinstance(volunteer, str):
        if volunteer not in ("true", "false"):
            raise errors.invalid("volunteer must be true or false")
        volunteer = volunteer == "true"
    if volunteer is not None and not isinstance(volunteer, bool):
        raise errors.invalid("volunteer must be true or false")
    return (q or "").strip(), skill, language, volunteer


def search_position(position):
    """A search cursor holds (score, user_id) of the last result seen."""
    if position is None:
        return None
    if (not isinstance(position, list) or len(position) != 2
            or not isinstance(position[0], (int, float)) or isinstance(position[0], bool)
            or not isinstance(position[1], str)):
        raise errors.invalid("malformed cursor")
    return float(position[0]), position[1]


# -- call-outs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Callout:
    id: str
    municipality_id: str
    neighbourhood_id: str
    skill: str
    wanted: int
    message: str
    created_by: str
    created_at: str
    accepted: int = 0  # seats taken: kept with the call-out so a last seat goes to one helper

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Invitation:
    callout_id: str
    user_id: str
    municipality_id: str
    neighbourhood_id: str
    skill: str
    status: str = PENDING
    notified_at: str = ""
    answered_at: str = ""
    first_name: str = ""  # recorded only when the helper accepts: the city learns it then

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def authorize_city(caller, municipality_id=None):
    if caller.role not in CALLOUT_ROLES or not caller.municipality_id:
        raise errors.forbidden("call-outs are for city staff")
    if municipality_id is not None and municipality_id != caller.municipality_id:
        raise errors.not_found("neighbourhood not found")
    return caller.municipality_id


def read_callout(body):
    if not isinstance(body, dict):
        raise errors.invalid("the call-out must be an object")
    problems = {}
    for name in sorted(set(body) - {"neighbourhood_id", "skill", "wanted", "message"}):
        problems[name] = "unknown field"
    if not isinstance(body.get("neighbourhood_id"), str) or not body.get("neighbourhood_id"):
        problems["neighbourhood_id"] = "required"
    if body.get("skill") not in SKILLS_BY_ID:
        problems["skill"] = "a skill id from the catalogue"
    wanted = body.get("wanted")
    if isinstance(wanted, bool) or not isinstance(wanted, int) or not (
            1 <= wanted <= CALLOUT_MAX_WANTED):
        problems["wanted"] = "an integer from 1 to %d" % CALLOUT_MAX_WANTED
    message = body.get("message", "")
    if not isinstance(message, str) or len(message) > CALLOUT_MAX_MESSAGE:
        problems["message"] = "text of at most %d characters" % CALLOUT_MAX_MESSAGE
    if problems:
        raise errors.invalid("the call-out is not valid", {"fields": problems})
    return {"neighbourhood_id": body["neighbourhood_id"], "skill": body["skill"],
            "wanted": wanted, "message": message.strip()}


def new_callout(caller, municipality_id, fields, now=None):
    return Callout(id=uuid.uuid4().hex, municipality_id=municipality_id,
                   created_by=caller.user_id, created_at=now_iso(now), **fields)


def invitations_for(callout, profiles, now=None):
    at = now_iso(now)
    return [Invitation(callout_id=callout.id, user_id=p.user_id,
                       municipality_id=callout.municipality_id,
                       neighbourhood_id=callout.neighbourhood_id, skill=callout.skill,
                       notified_at=at) for p in profiles]


def callout_issued(callout, helper_ids):
    """The helpers invited, announced so the feed can put the call-out in their inboxes."""
    return events.CALLOUT_ISSUED, events.CALLOUT_ISSUED.payload(
        "callout_issued:" + callout.id,
        callout_id=callout.id, municipality_id=callout.municipality_id,
        neighbourhood_id=callout.neighbourhood_id, skill=callout.skill,
        skill_label=skill_label(callout.skill), message=callout.message,
        helper_ids=list(helper_ids))


def city_view(callout, counts, accepted):
    """The city's view: counts, and the first names of those who accepted, nobody else's."""
    return {
        "id": callout.id, "neighbourhood_id": callout.neighbourhood_id,
        "skill": callout.skill, "skill_label": skill_label(callout.skill),
        "wanted": callout.wanted, "message": callout.message, "created_at": callout.created_at,
        "counts": {"notified": sum(counts.values()), "accepted": counts.get(ACCEPTED, 0),
                   "declined": counts.get(DECLINED, 0), "pending": counts.get(PENDING, 0)},
        "filled": counts.get(ACCEPTED, 0) >= callout.wanted,
        "accepted_helpers": [{"user_id": i.user_id, "display_name": i.first_name}
                             for i in accepted],
    }


def helper_view(invitation, callout):
    return {
        "callout_id": invitation.callout_id, "skill": invitation.skill,
        "skill_label": skill_label(invitation.skill),
        "neighbourhood_id": invitation.neighbourhood_id,
        "message": callout.message if callout else "",
        "wanted": callout.wanted if callout else None,
        "status": invitation.status, "notified_at": invitation.notified_at,
        "answered_at": invitation.answered_at or None,
    }


def read_answer(answer):
    if answer not in ANSWERS:
        raise errors.invalid("answer must be accepted or declined", {"answer": answer})
    return answer


def replace_profile(profile, **changes):
    return replace(profile, **changes)


# -- statistics -------------------------------------------------------------------------------

def helper_statistics_view(neighbourhoods, people, skill_rows, limit):
    """Helpers and volunteers per neighbourhood, for the whole municipality, and per skill
    (municipality-wide), with every count under the small-cell threshold hidden and no hidden
    count recoverable from a total (servicekit.disclosure): `neighbourhoods` [(id, name)],
    `people` {neighbourhood id: (helpers, volunteers)}, `skill_rows` per neighbourhood and
    skill as the store counts them."""
    rows = [{"neighbourhood_id": n_id, "name": name, "helpers": people.get(n_id, (0, 0))[0],
             "volunteers": people.get(n_id, (0, 0))[1]} for n_id, name in neighbourhoods]
    totals = {}
    for field_name in ("helpers", "volunteers"):
        cells = {row["neighbourhood_id"]: row[field_name] for row in rows}
        _, hidden, total = disclosure.suppress_row(cells, limit, sum(cells.values()))
        for row in rows:
            if row["neighbourhood_id"] in hidden:
                disclosure.hide(row, field_name)
        totals[field_name] = total
    by_skill = {}
    for row in skill_rows:
        counts = by_skill.setdefault(row["skill"], [0, 0])
        counts[0] += int(row.get("helpers") or 0)
        counts[1] += int(row.get("volunteers") or 0)
    # A helper may list several skills, so skills do not add up to a total; still, each
    # figure is protected across skills as if it did.
    skills = [{"skill": skill, "skill_label": skill_label(skill), "helpers": h, "volunteers": v}
              for skill, (h, v) in sorted(by_skill.items())]
    for field_name in ("helpers", "volunteers"):
        disclosure.suppress_column(skills, field_name, limit, key="skill")
    return {"neighbourhoods": rows, "helpers": totals["helpers"],
            "volunteers": totals["volunteers"],
            "suppressed": [f for f in ("helpers", "volunteers") if totals[f] is None],
            "skills": skills}
