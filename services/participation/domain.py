"""Participation's pure rules: surveys, participatory budgets, initiatives and incident reports.
No I/O: values in, values and events out. Records are plain JSON-able dicts (they are stored as
documents and returned over RPC as they are, minus what a caller may not see).

Who sees what (PRODUCT rules 2 and 3):
- Surveys are asked of the residents of their target neighbourhoods: a resident sees and answers
  a survey only when their home neighbourhood is targeted; for anyone else it does not exist
  (not_found). Staff of the municipality see its surveys, their results and participation, and
  the answers as an export: answers are given to the city, so they are shared with it.
- A budget is city-wide or for one neighbourhood. Residents see a city-wide budget, and a
  neighbourhood budget when they can see the neighbourhood (home, or followed). Who may vote
  depends on the budget's ballot unit (see `voter_for`).
- Initiatives belong to the proposer's home neighbourhood; its residents and followers see and
  support them. The city sees an initiative once it has escalated (its threshold of supports
  reached): before that it is a conversation among residents.
- An incident report is seen by its reporter and by the city (staff, and municipal systems
  over gRPC); nobody else.
"""
import hashlib
import hmac
import json
import math
import re
import secrets
import uuid
from datetime import datetime, timezone

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, MUNICIPAL_SYSTEM, RESIDENT, Caller
from contracts.errors import DomainError
from servicekit import disclosure
from servicekit import text as normalised

STAFF_ROLES = (CITY_STAFF, ADMIN)
# A municipality's own systems (gRPC, by API key) read results, statistics and incidents like its
# staff, and move incidents on; they run no surveys or budgets.
CITY_ROLES = (CITY_STAFF, MODERATOR, ADMIN, MUNICIPAL_SYSTEM)
INCIDENT_HANDLER_ROLES = STAFF_ROLES + (MUNICIPAL_SYSTEM,)

# Figures of fewer households than this are not shown (statistical disclosure control: a rate
# over 3 households could single out who answered); a municipality may set a higher threshold.
SMALL_CELL = disclosure.DEFAULT_THRESHOLD

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
TITLE_MAX = 200
TEXT_MAX = 4000
LABEL_MAX = 200
REASON_MAX = 1000
TRANSLATIONS_MAX = 20

# -- common ------------------------------------------------------------------------------------


def now_iso(now=None):
    return (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")


def new_id():
    return uuid.uuid4().hex


def parse_time(value, name):
    """An ISO 8601 date-time with a zone, normalised to UTC seconds (so strings sort as times)."""
    if not isinstance(value, str):
        raise errors.invalid("%s must be an ISO 8601 date-time" % name, {name: "required"})
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise errors.invalid("%s must be an ISO 8601 date-time" % name,
                             {name: "not a date-time"}) from None
    if parsed.tzinfo is None:
        raise errors.invalid("%s needs a time zone (e.g. Z or +01:00)" % name,
                             {name: "no time zone"})
    return parsed.astimezone(timezone.utc).isoformat(timespec="seconds")


def _text(value, name, maximum, required=True):
    if value is None and not required:
        return None
    # Titles and option labels follow names' rules (no control or bidi characters).
    kind = normalised.NAME if name.endswith(("title", "label")) else normalised.TEXT
    problem = normalised.text_problem(value, maximum, kind=kind)
    if problem:
        raise errors.invalid("%s: %s" % (name, problem), {name: problem})
    return value.strip()


def _translations(value, name, maximum=TEXT_MAX):
    """Author-supplied texts per language ({"nl": "...", "de": "..."}), kept as given so a
    reader gets the question in their language (machine translation comes later)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > TRANSLATIONS_MAX:
        raise errors.invalid("%s must map languages to texts" % name, {name: "object"})
    clean = {}
    for language, text in value.items():
        if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
            raise errors.invalid("%s: %r is not a language code" % (name, language),
                                 {name: "language codes like nl or fr"})
        clean[language] = _text(text, "%s.%s" % (name, language), maximum)
    return clean


def _identifier(value, name):
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise errors.invalid("%s must be 1-64 letters, digits, _ or -" % name,
                             {name: "identifier"})
    return value


def _integer(value, name, minimum, maximum):
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise errors.invalid("%s must be an integer from %d to %d" % (name, minimum, maximum),
                             {name: "integer %d-%d" % (minimum, maximum)})
    return value


def require_staff(caller: Caller, municipality_id=None):
    """The municipality a staff member (or the platform) acts in."""
    if caller.is_system:
        if not isinstance(municipality_id, str) or not municipality_id:
            raise errors.invalid("municipality_id is required")
        return municipality_id
    if caller.role not in STAFF_ROLES or not caller.municipality_id:
        raise errors.forbidden("city staff only")
    if municipality_id not in (None, caller.municipality_id):
        raise errors.not_found("municipality not found")
    return caller.municipality_id


def require_admin(caller: Caller):
    """The municipality an admin of it acts in."""
    if caller.role != ADMIN or not caller.municipality_id:
        raise errors.forbidden("administrators only")
    return caller.municipality_id


def small_cell_threshold(value):
    """A municipality's threshold: at least the platform's (a laxer one would undo it)."""
    return _integer(value, "small_cell_threshold", disclosure.DEFAULT_THRESHOLD,
                    disclosure.MAX_THRESHOLD)


def require_incident_handler(caller: Caller):
    """The municipality whose incidents a staff member or a municipal system moves on."""
    if caller.role not in INCIDENT_HANDLER_ROLES or not caller.municipality_id:
        raise errors.forbidden("city staff only")
    return caller.municipality_id


def require_city_reader(caller: Caller, municipality_id=None):
    """Staff, moderators, admins of the municipality, or the platform (statistics, incidents)."""
    if caller.is_system:
        return require_staff(caller, municipality_id)
    if caller.role not in CITY_ROLES or not caller.municipality_id:
        raise errors.forbidden("city accounts only")
    if municipality_id not in (None, caller.municipality_id):
        raise errors.not_found("municipality not found")
    return caller.municipality_id


def require_resident(caller: Caller):
    if caller.role != RESIDENT or not caller.user_id or not caller.municipality_id:
        raise errors.forbidden("residents only")
    if not caller.neighbourhood_id:
        raise errors.forbidden("your account has no home neighbourhood")
    return caller


def is_staff_of(caller: Caller, municipality_id):
    return caller.role in STAFF_ROLES and caller.municipality_id == municipality_id


def participation_cells(counts, limit=SMALL_CELL):
    """Participation per neighbourhood from [(neighbourhood id, registered households,
    participating households)]: the count of participating households and the rate are null
    (suppressed true) when either figure is under the threshold, a registered count under it is
    null too, and neither column ever hides exactly one cell (servicekit.disclosure), so no
    hidden figure comes back by subtraction from a survey's or budget's total."""
    registered = {n: r for n, r, _ in counts}
    participating = {n: p for n, _, p in counts}
    hidden_registered = disclosure.hidden_cells(registered, limit)
    below = {n for n, r, p in counts if r < limit or p < limit}
    hidden = disclosure.hidden_cells(participating, limit, below | hidden_registered)
    return [{
        "neighbourhood_id": n,
        "registered_households": None if n in hidden_registered else r,
        "participating_households": None if n in hidden else p,
        "rate": None if n in hidden or n in hidden_registered or not r else round(p / r, 4),
        "suppressed": n in hidden or n in hidden_registered,
    } for n, r, p in counts]


def participation_cell(neighbourhood_id, registered, participating, limit=SMALL_CELL):
    """One neighbourhood's participation on its own (see participation_cells)."""
    return participation_cells([(neighbourhood_id, registered, participating)], limit)[0]


# -- surveys -----------------------------------------------------------------------------------

SINGLE = "single_choice"
MULTIPLE = "multiple_choice"
SCALE = "scale"
RANKING = "ranking"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
MATRIX = "matrix"
QUESTION_TYPES = (SINGLE, MULTIPLE, SCALE, RANKING, SHORT_TEXT, LONG_TEXT, MATRIX)
CHOICE_TYPES = (SINGLE, MULTIPLE)
TEXT_LIMITS = {SHORT_TEXT: 280, LONG_TEXT: 5000}
PER_PERSON = "person"
PER_HOUSEHOLD = "household"
SURVEY_UNITS = (PER_PERSON, PER_HOUSEHOLD)
SURVEY_SCHEDULED, SURVEY_OPEN, SURVEY_CLOSED = "scheduled", "open", "closed"
MAX_SECTIONS = 20
MAX_QUESTIONS = 100
MAX_OPTIONS = 50
MAX_TARGETS = 100


def _options(raw, name, minimum=2):
    if not isinstance(raw, list) or not minimum <= len(raw) <= MAX_OPTIONS:
        raise errors.invalid("%s: between %d and %d options" % (name, minimum, MAX_OPTIONS),
                             {name: "%d-%d options" % (minimum, MAX_OPTIONS)})
    options, seen = [], set()
    for index, option in enumerate(raw):
        where = "%s.%d" % (name, index)
        if not isinstance(option, dict):
            raise errors.invalid("%s must be an object" % where, {where: "object"})
        option_id = _identifier(option.get("id"), where + ".id")
        if option_id in seen:
            raise errors.invalid("%s: option id %r appears twice" % (name, option_id),
                                 {where + ".id": "duplicate"})
        seen.add(option_id)
        options.append({"id": option_id, "label": _text(option.get("label"), where + ".label",
                                                        LABEL_MAX),
                        "translations": _translations(option.get("translations"),
                                                      where + ".translations", LABEL_MAX)})
    return options


def _question(raw, where, earlier):
    """A validated question; `earlier` maps the ids of the questions before it to themselves
    (a condition may only look back, so a respondent never answers in a loop)."""
    if not isinstance(raw, dict):
        raise errors.invalid("%s must be an object" % where, {where: "object"})
    kind = raw.get("type")
    if kind not in QUESTION_TYPES:
        raise errors.invalid("%s.type must be one of %s" % (where, ", ".join(QUESTION_TYPES)),
                             {where + ".type": "one of " + ", ".join(QUESTION_TYPES)})
    question = {
        "id": _identifier(raw.get("id"), where + ".id"),
        "type": kind,
        "text": _text(raw.get("text"), where + ".text", TEXT_MAX),
        "translations": _translations(raw.get("translations"), where + ".translations"),
        "required": bool(raw.get("required", True)),
    }
    if question["id"] in earlier:
        raise errors.invalid("question id %r appears twice" % question["id"],
                             {where + ".id": "duplicate"})
    if kind in (SINGLE, MULTIPLE, RANKING):
        question["options"] = _options(raw.get("options"), where + ".options")
    if kind == MULTIPLE:
        count = len(question["options"])
        low = raw.get("min_choices", 1)
        high = raw.get("max_choices", count)
        _integer(low, where + ".min_choices", 0, count)
        _integer(high, where + ".max_choices", max(low, 1), count)
        question["min_choices"], question["max_choices"] = low, high
    if kind == SCALE:
        question["min"] = _integer(raw.get("min", 1), where + ".min", 1, 10)
        question["max"] = _integer(raw.get("max", 10), where + ".max", question["min"] + 1, 10)
    if kind == MATRIX:
        question["rows"] = _options(raw.get("rows"), where + ".rows", minimum=1)
        question["columns"] = _options(raw.get("columns"), where + ".columns")
    condition = raw.get("show_if")
    if condition is not None:
        question["show_if"] = _condition(condition, where + ".show_if", earlier)
    return question


def _condition(raw, where, earlier):
    if not isinstance(raw, dict):
        raise errors.invalid("%s must be an object" % where, {where: "object"})
    source = earlier.get(raw.get("question_id"))
    if source is None or source["type"] not in CHOICE_TYPES:
        raise errors.invalid(
            "%s.question_id must name an earlier single or multiple choice question" % where,
            {where + ".question_id": "an earlier choice question"})
    any_of = raw.get("any_of")
    known = {o["id"] for o in source["options"]}
    if not _option_ids(any_of) or not any_of or not set(any_of) <= known:
        raise errors.invalid("%s.any_of must list options of %s" % (where, source["id"]),
                             {where + ".any_of": "options of " + source["id"]})
    return {"question_id": source["id"], "any_of": sorted(set(any_of))}


def new_survey(municipality_id, body, known_neighbourhood_ids, author_id, now=None):
    """A survey from staff input (validated: every question, condition and target)."""
    if not isinstance(body, dict):
        raise errors.invalid("the survey must be an object")
    targets = body.get("neighbourhood_ids")
    if not isinstance(targets, list) or not 1 <= len(targets) <= MAX_TARGETS:
        raise errors.invalid("neighbourhood_ids: the survey targets 1 to %d neighbourhoods"
                             % MAX_TARGETS, {"neighbourhood_ids": "1-%d ids" % MAX_TARGETS})
    unknown = sorted({t for t in targets if t not in set(known_neighbourhood_ids)}, key=str)
    if unknown:
        raise errors.invalid("unknown neighbourhoods: %s" % ", ".join(map(str, unknown)),
                             {"neighbourhood_ids": "not neighbourhoods of this municipality"})
    unit = body.get("response_unit", PER_PERSON)
    if unit not in SURVEY_UNITS:
        raise errors.invalid("response_unit must be person or household",
                             {"response_unit": "person or household"})
    created = now_iso(now)
    opens_at = parse_time(body["opens_at"], "opens_at") if body.get("opens_at") else created
    closes_at = parse_time(body.get("closes_at"), "closes_at")
    if closes_at <= opens_at:
        raise errors.invalid("closes_at must be after opens_at", {"closes_at": "after opens_at"})
    sections_raw = body.get("sections")
    if not isinstance(sections_raw, list) or not 1 <= len(sections_raw) <= MAX_SECTIONS:
        raise errors.invalid("sections: 1 to %d" % MAX_SECTIONS, {"sections": "1-%d sections"
                                                                  % MAX_SECTIONS})
    sections, earlier, section_ids = [], {}, set()
    for s_index, raw in enumerate(sections_raw):
        where = "sections.%d" % s_index
        if not isinstance(raw, dict):
            raise errors.invalid("%s must be an object" % where, {where: "object"})
        section_id = _identifier(raw.get("id", "s%d" % (s_index + 1)), where + ".id")
        if section_id in section_ids:
            raise errors.invalid("section id %r appears twice" % section_id,
                                 {where + ".id": "duplicate"})
        section_ids.add(section_id)
        questions_raw = raw.get("questions")
        if not isinstance(questions_raw, list) or not questions_raw:
            raise errors.invalid("%s.questions: at least one" % where,
                                 {where + ".questions": "at least one question"})
        questions = []
        for q_index, question_raw in enumerate(questions_raw):
            question = _question(question_raw, "%s.questions.%d" % (where, q_index), earlier)
            earlier[question["id"]] = question
            questions.append(question)
        sections.append({
            "id": section_id,
            "title": _text(raw.get("title"), where + ".title", TITLE_MAX, required=False),
            "translations": _translations(raw.get("translations"), where + ".translations",
                                          TITLE_MAX),
            "questions": questions,
        })
    if len(earlier) > MAX_QUESTIONS:
        raise errors.invalid("at most %d questions" % MAX_QUESTIONS,
                             {"sections": "at most %d questions" % MAX_QUESTIONS})
    return {
        "id": new_id(),
        "municipality_id": municipality_id,
        "title": _text(body.get("title"), "title", TITLE_MAX),
        "description": _text(body.get("description"), "description", TEXT_MAX, required=False),
        "translations": _translations(body.get("translations"), "translations"),
        "neighbourhood_ids": sorted(set(targets)),
        "response_unit": unit,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "closed_at": None,
        "sections": sections,
        "author_id": author_id,
        "created_at": created,
    }


def survey_published(survey):
    return events.SURVEY_PUBLISHED, events.SURVEY_PUBLISHED.payload(
        "survey_published:" + survey["id"], survey_id=survey["id"],
        municipality_id=survey["municipality_id"], neighbourhood_ids=survey["neighbourhood_ids"])


def survey_status(survey, now=None):
    current = now_iso(now)
    if survey.get("closed_at") or current >= survey["closes_at"]:
        return SURVEY_CLOSED
    if current < survey["opens_at"]:
        return SURVEY_SCHEDULED
    return SURVEY_OPEN


def survey_view(survey, now=None, responded=None):
    view = dict(survey, status=survey_status(survey, now))
    view.pop("author_id", None)
    if responded is not None:
        view["responded"] = responded
    return view


def require_survey_visible(caller: Caller, survey):
    """Residents of a target neighbourhood, and the municipality's city accounts; anyone else
    gets the answer an unknown id gets."""
    if survey is None:
        raise errors.not_found("survey not found")
    if caller.role == RESIDENT and caller.municipality_id == survey["municipality_id"] \
            and caller.neighbourhood_id in survey["neighbourhood_ids"]:
        return survey
    if caller.role in CITY_ROLES and caller.municipality_id == survey["municipality_id"]:
        return survey
    if caller.is_system:
        return survey
    raise errors.not_found("survey not found")


def questions_of(survey):
    return [q for section in survey["sections"] for q in section["questions"]]


def _shown(question, answers):
    condition = question.get("show_if")
    if not condition:
        return True
    given = answers.get(condition["question_id"])
    chosen = given if isinstance(given, list) else [given] if given is not None else []
    return bool(set(chosen) & set(condition["any_of"]))


def _option_ids(value):
    """A list of option ids: strings only (a nested list or object is no option, and would not
    even hash)."""
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _answer(question, value):
    """The answer normalised, or a reason it is not valid (every type mismatch is a reason,
    never an exception)."""
    kind = question["type"]
    if kind == SINGLE:
        if not isinstance(value, str) or value not in {o["id"] for o in question["options"]}:
            return None, "one of the options"
        return value, None
    if kind == MULTIPLE:
        known = {o["id"] for o in question["options"]}
        if not _option_ids(value) or len(set(value)) != len(value) or not set(value) <= known:
            return None, "a list of distinct options"
        if not question["min_choices"] <= len(value) <= question["max_choices"]:
            return None, "%d to %d options" % (question["min_choices"], question["max_choices"])
        return sorted(value), None
    if kind == SCALE:
        if isinstance(value, bool) or not isinstance(value, int) \
                or not question["min"] <= value <= question["max"]:
            return None, "an integer from %d to %d" % (question["min"], question["max"])
        return value, None
    if kind == RANKING:
        known = {o["id"] for o in question["options"]}
        if not _option_ids(value) or not value or len(set(value)) != len(value) \
                or not set(value) <= known:
            return None, "the options in your order of preference (each at most once)"
        return list(value), None
    if kind in TEXT_LIMITS:
        limit = TEXT_LIMITS[kind]
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            return None, "a text of at most %d characters" % limit
        return value.strip(), None
    # matrix: one column per row
    rows = {r["id"] for r in question["rows"]}
    columns = {c["id"] for c in question["columns"]}
    if not isinstance(value, dict) or not value or not set(value) <= rows \
            or not all(isinstance(v, str) and v in columns for v in value.values()):
        return None, "an object mapping rows to one column each"
    if question["required"] and set(value) != rows:
        return None, "a column for every row"
    return dict(sorted(value.items())), None


def validate_answers(survey, answers):
    """Answers keyed by question id, checked against the survey: every shown required question
    answered, no answer to a question that is hidden (its condition not met) or unknown."""
    if not isinstance(answers, dict):
        raise errors.invalid("answers must be an object keyed by question id",
                             {"answers": "object"})
    questions = questions_of(survey)
    known = {q["id"] for q in questions}
    problems = {"answers.%s" % k: "no such question" for k in answers if k not in known}
    clean = {}
    for question in questions:
        key = "answers.%s" % question["id"]
        given = answers.get(question["id"])
        if not _shown(question, clean):
            if given is not None:
                problems[key] = "not asked: its condition is not met"
            continue
        if given is None:
            if question["required"]:
                problems[key] = "required"
            continue
        value, problem = _answer(question, given)
        if problem:
            problems[key] = problem
        else:
            clean[question["id"]] = value
    if problems:
        raise errors.invalid("some answers are not valid", problems)
    return clean


def respondent_key(survey, caller: Caller):
    """One response per person, or per household when the survey says so."""
    if survey["response_unit"] == PER_HOUSEHOLD:
        if not caller.household_id:
            raise errors.forbidden("your account has no household")
        return "household:" + caller.household_id
    return "user:" + caller.user_id


def new_response(survey, caller: Caller, answers, now=None):
    status = survey_status(survey, now)
    if status != SURVEY_OPEN:
        raise errors.conflict("the survey is %s" % status, {"status": status})
    return {
        "id": new_id(),
        "survey_id": survey["id"],
        "respondent_key": respondent_key(survey, caller),
        "user_id": caller.user_id,
        "household_id": caller.household_id or "user:" + caller.user_id,
        "neighbourhood_id": caller.neighbourhood_id,
        "answers": validate_answers(survey, answers),
        "submitted_at": now_iso(now),
    }


class SurveyTally:
    """Results per question and option, counted one response at a time (a survey's responses
    are streamed from the store, never all held at once)."""

    def __init__(self, survey):
        self.survey = survey
        self.responses = 0
        self.households = {}  # neighbourhood id -> set of household ids
        self.counts = {}
        self.answered = {}
        for q in questions_of(survey):
            if q["type"] in (SINGLE, MULTIPLE):
                self.counts[q["id"]] = {o["id"]: 0 for o in q["options"]}
            elif q["type"] == SCALE:
                self.counts[q["id"]] = {str(v): 0 for v in range(q["min"], q["max"] + 1)}
            elif q["type"] == RANKING:
                self.counts[q["id"]] = {o["id"]: {"ranked": 0, "first": 0, "points": 0}
                                        for o in q["options"]}
            elif q["type"] == MATRIX:
                self.counts[q["id"]] = {r["id"]: {c["id"]: 0 for c in q["columns"]}
                                        for r in q["rows"]}
            self.answered[q["id"]] = 0

    def add(self, response):
        self.responses += 1
        self.households.setdefault(response["neighbourhood_id"], set()).add(
            response["household_id"])
        for q in questions_of(self.survey):
            value = response["answers"].get(q["id"])
            if value is None:
                continue
            self.answered[q["id"]] += 1
            counts = self.counts.get(q["id"])
            if q["type"] == SINGLE:
                counts[value] += 1
            elif q["type"] == MULTIPLE:
                for option in value:
                    counts[option] += 1
            elif q["type"] == SCALE:
                counts[str(value)] += 1
            elif q["type"] == RANKING:
                # Borda points: first of n options earns n, the next n-1 ...
                size = len(q["options"])
                for position, option in enumerate(value):
                    counts[option]["ranked"] += 1
                    counts[option]["points"] += size - position
                counts[value[0]]["first"] += 1
            elif q["type"] == MATRIX:
                for row, column in value.items():
                    counts[row][column] += 1

    def results(self, registered_households, limit=SMALL_CELL):
        """Totals per question and option, and participation per target neighbourhood, with
        every count under the small-cell threshold hidden (null, named in `suppressed`) and
        never a lone hidden cell in a question's counts (see `protect_counts`)."""
        questions = []
        for q in questions_of(self.survey):
            entry = {"question_id": q["id"], "type": q["type"], "text": q["text"],
                     "answered": self.answered[q["id"]]}
            counts = self.counts.get(q["id"])
            if q["type"] in (SINGLE, MULTIPLE):
                entry["options"] = [{"id": o, "count": n} for o, n in counts.items()]
                protect_counts(entry["options"], "count", limit)
            elif q["type"] == SCALE:
                total = sum(int(v) * n for v, n in counts.items())
                entry["values"] = [{"value": int(v), "count": n} for v, n in counts.items()]
                entry["mean"] = round(total / entry["answered"], 2) if entry["answered"] else None
                # With a count hidden, the mean is a second equation that solves the hidden ones.
                if protect_counts(entry["values"], "count", limit):
                    disclosure.hide(entry, "mean")
            elif q["type"] == RANKING:
                entry["options"] = [dict(id=o, **c) for o, c in counts.items()]
                hidden = protect_counts(entry["options"], "ranked", limit)
                protect_counts(entry["options"], "first", limit, also=hidden)
                protect_counts(entry["options"], "points", limit, also=hidden)
            elif q["type"] == MATRIX:
                entry["rows"] = [{"id": r, "columns": [{"id": c, "count": n}
                                                       for c, n in cols.items()]}
                                 for r, cols in counts.items()]
                for row in entry["rows"]:
                    protect_counts(row["columns"], "count", limit)
            if disclosure.is_small(entry["answered"], limit):
                disclosure.hide(entry, "answered")
            questions.append(entry)
        results = {
            "survey_id": self.survey["id"],
            "responses": self.responses,
            "questions": questions,
            "participation": participation_cells(
                [(n, registered_households.get(n, 0), len(self.households.get(n, ())))
                 for n in self.survey["neighbourhood_ids"]], limit),
        }
        if disclosure.is_small(self.responses, limit):
            disclosure.hide(results, "responses")
        return results

    def small_neighbourhoods(self, limit=SMALL_CELL):
        """Target neighbourhoods whose responding households are too few to be named in an
        export row (with a second one when only one would be: the rest would name it)."""
        return disclosure.hidden_cells(
            {n: len(self.households.get(n, ())) for n in self.survey["neighbourhood_ids"]},
            limit)


def protect_counts(entries, field, limit, also=()):
    """Hide `field` of the entries (options, values, matrix columns) under the threshold and
    never exactly one of them: the question's `answered` would give a lone one back. Returns
    the positions hidden."""
    hidden = disclosure.hidden_cells({i: e[field] for i, e in enumerate(entries)}, limit, also)
    for position in hidden:
        disclosure.hide(entries[position], field)
    return hidden


def export_columns(survey):
    return ["response_id", "neighbourhood_id", "submitted_on"] + [
        q["id"] for q in questions_of(survey)]


def export_row(survey, response, small_neighbourhoods=()):
    """A response as CSV cells: choices joined by ';', rankings by '>', matrix as row=column.
    The day only (UTC), never the time: with the neighbourhood, the minute a response arrived
    could tell whose it is. The neighbourhood is left empty where few households answered
    (`small_neighbourhoods`, see SurveyTally.small_neighbourhoods)."""
    neighbourhood = response["neighbourhood_id"]
    row = [response["id"], "" if neighbourhood in small_neighbourhoods else neighbourhood,
           response["submitted_at"][:10]]
    for q in questions_of(survey):
        value = response["answers"].get(q["id"])
        if value is None:
            row.append("")
        elif q["type"] == MULTIPLE:
            row.append(";".join(value))
        elif q["type"] == RANKING:
            row.append(">".join(value))
        elif q["type"] == MATRIX:
            row.append(";".join("%s=%s" % item for item in value.items()))
        else:
            row.append(value)
    return row


# -- participatory budgets ---------------------------------------------------------------------

PHASES = ("proposals", "review", "voting", "results")
UPCOMING = "upcoming"
KNAPSACK = "knapsack"
APPROVAL = "approval"
VOTING_STYLES = (KNAPSACK, APPROVAL)
BY_PERSON, BY_HOUSEHOLD, BY_RESIDENT = "person", "household", "resident"
BALLOT_UNITS = (BY_PERSON, BY_HOUSEHOLD, BY_RESIDENT)
PROPOSED, ACCEPTED, REJECTED = "proposed", "accepted", "rejected"
CAP_MAX = 10 ** 12
RULE_FIELDS = ("title", "description", "cap", "currency", "voting_style", "max_projects",
               "min_share", "ballot_unit", "schedule")
TIE_BREAK = ("most votes first; among equal votes the cheaper project first; then the lower "
             "project id. Projects are funded in that order while they fit in what is left of "
             "the cap; one that no longer fits is skipped and the next ones still get their "
             "chance.")
GENESIS = "0" * 64


def _schedule(raw):
    if not isinstance(raw, dict) or set(raw) != set(PHASES):
        raise errors.invalid("schedule needs the start of each phase: " + ", ".join(PHASES),
                             {"schedule": "proposals, review, voting, results"})
    schedule = {phase: parse_time(raw[phase], "schedule." + phase) for phase in PHASES}
    starts = [schedule[p] for p in PHASES]
    if starts != sorted(starts):
        raise errors.invalid("the phases must start in order: " + " <= ".join(PHASES),
                             {"schedule": "in order"})
    return schedule


def budget_rules(raw, current=None):
    """The rules of a budget from staff input, over the current ones when changing them."""
    rules = dict(current or {})
    if not isinstance(raw, dict):
        raise errors.invalid("the budget must be an object")
    unknown = set(raw) - set(RULE_FIELDS) - ({"neighbourhood_id"} if current is None else set())
    if unknown:
        raise errors.invalid("unknown fields: " + ", ".join(sorted(unknown)),
                             {f: "unknown" for f in unknown})
    rules.update({k: v for k, v in raw.items() if k in RULE_FIELDS})
    checked = {
        "title": _text(rules.get("title"), "title", TITLE_MAX),
        "description": _text(rules.get("description"), "description", TEXT_MAX,
                             required=False),
        "cap": _integer(rules.get("cap"), "cap", 1, CAP_MAX),
        "currency": rules.get("currency") or "EUR",
        "voting_style": rules.get("voting_style"),
        "max_projects": rules.get("max_projects"),
        "min_share": rules.get("min_share"),
        "ballot_unit": rules.get("ballot_unit", BY_PERSON),
        "schedule": _schedule(rules.get("schedule")),
    }
    if not isinstance(checked["currency"], str) or not re.match(r"^[A-Z]{3}$",
                                                                checked["currency"]):
        raise errors.invalid("currency must be an ISO 4217 code", {"currency": "e.g. EUR"})
    if checked["voting_style"] not in VOTING_STYLES:
        raise errors.invalid("voting_style must be knapsack or approval",
                             {"voting_style": "knapsack or approval"})
    if checked["ballot_unit"] not in BALLOT_UNITS:
        raise errors.invalid("ballot_unit must be person, household or resident",
                             {"ballot_unit": "person, household or resident"})
    if checked["voting_style"] == APPROVAL:
        _integer(checked["max_projects"], "max_projects", 1, 1000)
        checked["min_share"] = None
    else:
        checked["max_projects"] = None
        share = checked["min_share"]
        if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                                  or not 0 <= share <= 1):
            raise errors.invalid("min_share must be a number from 0 to 1",
                                 {"min_share": "0-1"})
    return checked


def new_budget(municipality_id, body, known_neighbourhood_ids, author_id, now=None):
    rules = budget_rules(body)
    neighbourhood_id = body.get("neighbourhood_id")
    if neighbourhood_id is not None and neighbourhood_id not in set(known_neighbourhood_ids):
        raise errors.invalid("unknown neighbourhood", {"neighbourhood_id": "not a neighbourhood "
                                                       "of this municipality"})
    return dict(rules, id=new_id(), municipality_id=municipality_id,
                neighbourhood_id=neighbourhood_id, frozen=False, author_id=author_id,
                created_at=now_iso(now))


def phase_of(budget, now=None):
    current = now_iso(now)
    started = [p for p in PHASES if budget["schedule"][p] <= current]
    return started[-1] if started else UPCOMING


def rules_of(budget):
    return {k: budget[k] for k in RULE_FIELDS + ("neighbourhood_id",)}


def change_rules(budget, changes):
    """New rules for an unfrozen budget; once a ballot is cast they are frozen (conflict)."""
    if budget["frozen"]:
        raise errors.conflict("the rules are frozen: ballots have been cast")
    return dict(budget, **budget_rules(changes, current=rules_of(budget)))


def advance_phase(budget, phase, now=None):
    """Start `phase` now (closing the ones before it). Only forward: a phase that has started
    cannot be re-opened, so voting cannot be reopened after results."""
    if phase not in PHASES:
        raise errors.invalid("phase must be one of " + ", ".join(PHASES),
                             {"phase": ", ".join(PHASES)})
    current = phase_of(budget, now)
    order = (UPCOMING,) + PHASES
    if order.index(phase) <= order.index(current):
        raise errors.conflict("the budget is already in its %s phase" % current,
                              {"phase": current})
    moment = now_iso(now)
    schedule = dict(budget["schedule"])
    for earlier in PHASES[:PHASES.index(phase) + 1]:
        schedule[earlier] = min(schedule[earlier], moment)
    schedule[phase] = moment
    return dict(budget, schedule=schedule)


def budget_phase_changed(budget, phase, head):
    """The announcement carries the log head published at this phase change."""
    return events.BUDGET_PHASE_CHANGED, events.BUDGET_PHASE_CHANGED.payload(
        "budget_phase_changed:%s:%s" % (budget["id"], phase), budget_id=budget["id"],
        municipality_id=budget["municipality_id"], phase=phase,
        log_entries=head["entries"], log_head=head["hash"])


def phase_announcement_due(budget, now=None):
    """The phase to announce (budget_phase_changed) when the schedule moved the budget into a
    phase not announced yet; None otherwise. A budget that skipped phases while nobody looked
    announces only the one it is in."""
    current = phase_of(budget, now)
    if current == UPCOMING or current == budget.get("announced_phase"):
        return None
    return current


def budget_view(budget, now=None):
    view = dict(budget, phase=phase_of(budget, now), tie_break=TIE_BREAK)
    view.pop("author_id", None)
    view.pop("announced_phase", None)
    return view


def require_budget_visible(caller: Caller, budget, visible_ids):
    """City accounts of the municipality; residents of it for a city-wide budget, or when they
    see the budget's neighbourhood (home or followed)."""
    if budget is None:
        raise errors.not_found("budget not found")
    same_town = caller.municipality_id == budget["municipality_id"]
    if caller.is_system or (caller.role in CITY_ROLES and same_town):
        return budget
    if caller.role == RESIDENT and same_town and (
            budget["neighbourhood_id"] is None or budget["neighbourhood_id"] in visible_ids):
        return budget
    raise errors.not_found("budget not found")


def in_area(budget, neighbourhood_id):
    return budget["neighbourhood_id"] is None or budget["neighbourhood_id"] == neighbourhood_id


def voter_for(budget, caller: Caller, registration=None):
    """(voter key, household id) for a ballot under the budget's unit:
    - person: one ballot per account of anyone who may see the budget (a neighbourhood budget
      is also open to residents who follow the neighbourhood);
    - household: one ballot per household living in the budget's area, whoever of its adults
      casts it (the others then see it and cannot cast another);
    - resident: one ballot per account whose registered address lies in the budget's area at
      voting time, checked against the registrations this service keeps from identity's events
      (`registration`), not against the access token, which may be up to 15 minutes old."""
    unit = budget["ballot_unit"]
    if unit == BY_PERSON:
        return "user:" + caller.user_id, caller.household_id
    if unit == BY_HOUSEHOLD:
        if not caller.household_id or not in_area(budget, caller.neighbourhood_id):
            raise errors.forbidden("this budget takes one ballot per household of its area")
        return "household:" + caller.household_id, caller.household_id
    if registration is None or registration["municipality_id"] != budget["municipality_id"] \
            or not in_area(budget, registration["neighbourhood_id"]):
        raise errors.forbidden("this budget takes one ballot per registered resident of its area")
    return "user:" + caller.user_id, registration["household_id"]


def new_budget_secret():
    """The key of a budget's pseudonyms: held by this service only (its own table), never in a
    view, an export, an event or a log line."""
    return secrets.token_hex(32)


def pseudonym(secret, budget_id, voter_key):
    """The voter as the public log shows them: HMAC-SHA256 under the budget's secret, so stable
    per budget, unlinkable across budgets, and not computable by a neighbour who knows the
    voter's user or household id (both are visible to neighbours)."""
    message = ("%s:%s" % (budget_id, voter_key)).encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()[:32]


def legacy_pseudonym(budget_id, voter_key):
    """The unkeyed pseudonym of ballots cast before budgets had a secret. Such a ballot is
    already in the hash chain under it, which cannot be rewritten without breaking every later
    hash: it is still found (and replaced) under that name."""
    return hashlib.sha256(("%s:%s" % (budget_id, voter_key)).encode()).hexdigest()[:32]


def new_project(budget, caller: Caller, body, now=None):
    if phase_of(budget, now) != "proposals":
        raise errors.conflict("projects are proposed during the proposals phase",
                              {"phase": phase_of(budget, now)})
    if not isinstance(body, dict):
        raise errors.invalid("the project must be an object")
    return {
        "id": new_id(),
        "budget_id": budget["id"],
        "title": _text(body.get("title"), "title", TITLE_MAX),
        "description": _text(body.get("description"), "description", TEXT_MAX, required=False),
        "cost": _integer(body.get("cost"), "cost", 1, budget["cap"]),
        "status": PROPOSED,
        "reason": None,
        "proposer_id": caller.user_id,
        "created_at": now_iso(now),
    }


def review_project(budget, project, decision, reason, now=None):
    if project is None or project["budget_id"] != budget["id"]:
        raise errors.not_found("project not found")
    if phase_of(budget, now) != "review":
        raise errors.conflict("projects are reviewed during the review phase",
                              {"phase": phase_of(budget, now)})
    if budget["frozen"]:
        raise errors.conflict("the rules are frozen: ballots have been cast")
    if decision not in (ACCEPTED, REJECTED):
        raise errors.invalid("decision must be accepted or rejected",
                             {"decision": "accepted or rejected"})
    reason = _text(reason, "reason", REASON_MAX, required=decision == REJECTED)
    return dict(project, status=decision, reason=reason)


def project_view(project, caller: Caller):
    view = dict(project)
    view["mine"] = project["proposer_id"] == caller.user_id
    view.pop("proposer_id")
    return view


def validate_ballot(budget, projects, project_ids):
    """The chosen projects, checked against the rules: accepted projects of this budget, each
    once; knapsack: their cost within the cap (and above the minimum share); approval: at most
    max_projects of them. Over a limit is unprocessable (422), naming the figures."""
    if not isinstance(project_ids, list) or not project_ids \
            or not all(isinstance(p, str) for p in project_ids):
        raise errors.invalid("project_ids must list at least one project",
                             {"project_ids": "non-empty list of project ids"})
    if len(set(project_ids)) != len(project_ids):
        raise errors.invalid("a project may be chosen once", {"project_ids": "duplicates"})
    accepted = {p["id"]: p for p in projects if p["status"] == ACCEPTED}
    unknown = [p for p in project_ids if p not in accepted]
    if unknown:
        raise errors.invalid("not projects on this ballot: " + ", ".join(unknown),
                             {"project_ids": "accepted projects of this budget"})
    if budget["voting_style"] == APPROVAL:
        if len(project_ids) > budget["max_projects"]:
            raise DomainError(
                errors.UNPROCESSABLE,
                "%d projects chosen; this ballot allows at most %d"
                % (len(project_ids), budget["max_projects"]),
                {"chosen": len(project_ids), "max_projects": budget["max_projects"]})
        return sorted(project_ids)
    total = sum(accepted[p]["cost"] for p in project_ids)
    if total > budget["cap"]:
        raise DomainError(
            errors.UNPROCESSABLE,
            "the chosen projects cost %d %s in all, more than the budget's cap of %d %s"
            % (total, budget["currency"], budget["cap"], budget["currency"]),
            {"sum": total, "cap": budget["cap"]})
    if budget.get("min_share"):
        minimum = math.ceil(budget["min_share"] * budget["cap"])
        if total < minimum:
            raise DomainError(
                errors.UNPROCESSABLE,
                "the chosen projects cost %d %s in all; choose at least %d %s"
                % (total, budget["currency"], minimum, budget["currency"]),
                {"sum": total, "minimum": minimum, "cap": budget["cap"]})
    return sorted(project_ids)


def new_ballot(budget, caller: Caller, voter, household_id, project_ids, previous,
               now=None):
    """`voter` is the caller's pseudonym; a replaced ballot keeps the one it was cast under."""
    if phase_of(budget, now) != "voting":
        raise errors.conflict("voting is not open", {"phase": phase_of(budget, now)})
    if previous is not None and previous["cast_by"] != caller.user_id:
        raise errors.conflict("your household has already voted; its ballot was cast by "
                              "another member and only they can change it")
    return {
        "budget_id": budget["id"],
        "voter": previous["voter"] if previous else voter,
        "cast_by": caller.user_id,
        "household_id": household_id,
        "neighbourhood_id": caller.neighbourhood_id,
        "project_ids": project_ids,
        "cast_at": previous["cast_at"] if previous else now_iso(now),
        "updated_at": now_iso(now),
    }


def ballot_view(ballot):
    return None if ballot is None else {k: ballot[k] for k in (
        "project_ids", "cast_at", "updated_at")}


def compute_results(budget, projects, ballots):
    """Deterministic allocation: rank accepted projects by votes (see TIE_BREAK), fund greedily
    while they fit in what is left of the cap."""
    votes = {p["id"]: 0 for p in projects if p["status"] == ACCEPTED}
    count = 0
    for ballot in ballots:
        count += 1
        for project_id in ballot["project_ids"]:
            if project_id in votes:
                votes[project_id] += 1
    ranked = sorted((p for p in projects if p["id"] in votes),
                    key=lambda p: (-votes[p["id"]], p["cost"], p["id"]))
    remaining = budget["cap"]
    rows = []
    for rank, project in enumerate(ranked, start=1):
        funded = project["cost"] <= remaining
        if funded:
            remaining -= project["cost"]
        rows.append({"rank": rank, "id": project["id"], "title": project["title"],
                     "cost": project["cost"], "votes": votes[project["id"]], "funded": funded})
    return {"budget_id": budget["id"], "cap": budget["cap"], "currency": budget["currency"],
            "ballots": count, "spent": budget["cap"] - remaining, "remaining": remaining,
            "projects": rows, "tie_break": TIE_BREAK}


# The log: entry n holds sha256(hash of entry n-1 + canonical JSON of entry n without its hash).
# Changing, removing or reordering any entry changes every later hash; the ballots the results
# are computed from must equal what the log says was cast last by each voter.

def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash, entry):
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


def log_entry(budget_id, previous, kind, data, now=None):
    """The entry following `previous` (None for the first)."""
    entry = {"budget_id": budget_id, "seq": previous["seq"] + 1 if previous else 1,
             "kind": kind, "at": now_iso(now), "data": data,
             "prev_hash": previous["hash"] if previous else GENESIS}
    entry["hash"] = entry_hash(entry["prev_hash"], entry)
    return entry


def rules_entry_data(budget):
    return {"rules": rules_of(budget)}


def ballot_entry_data(ballot):
    return {"voter": ballot["voter"], "project_ids": ballot["project_ids"]}


def log_head(entry):
    """Where the log stands: its entry count and the hash of its last entry (None: empty)."""
    return {"entries": entry["seq"] if entry else 0, "hash": entry["hash"] if entry else GENESIS}


def published_head(phase, entry, now=None):
    """The head as announced when the budget entered `phase`. Whoever kept it can tell a log
    rewritten later, even one recomputed consistently from the first entry on."""
    return dict(log_head(entry), phase=phase, published_at=now_iso(now))


def verify_chain(entries, heads=()):
    """Check a log as anyone holding it can: every hash recomputes, entries follow each other
    from the first, and the chain runs through every published head (entry number `entries`
    has hash `hash`): (valid, problems). Pure, so a resident can run it on a downloaded copy."""
    problems = []
    previous_hash, expected_seq = GENESIS, 1
    for entry in entries:
        if entry["seq"] != expected_seq:
            problems.append("entry %d: expected sequence number %d" % (entry["seq"],
                                                                       expected_seq))
        if entry["prev_hash"] != previous_hash:
            problems.append("entry %d: does not follow the previous entry" % entry["seq"])
        if entry_hash(entry["prev_hash"], entry) != entry["hash"]:
            problems.append("entry %d: its content does not match its hash" % entry["seq"])
        previous_hash, expected_seq = entry["hash"], entry["seq"] + 1
    for head in heads:
        count = head["entries"]
        if count == 0:
            continue
        if count > len(entries):
            problems.append("the head published at %s has %d entries; the log has %d"
                            % (head["phase"], count, len(entries)))
        elif entries[count - 1]["hash"] != head["hash"]:
            problems.append("entry %d: differs from the head published at %s"
                            % (count, head["phase"]))
    return not problems, problems


def verify_log(entries, ballots, heads=()):
    """Verify the chain (and its published heads) and replay its ballots against the stored
    ones: (valid, problems)."""
    _, problems = verify_chain(entries, heads)
    last_ballots = {}
    for entry in entries:
        if entry["kind"] == "ballot":
            last_ballots[entry["data"]["voter"]] = sorted(entry["data"]["project_ids"])
    stored = {b["voter"]: sorted(b["project_ids"]) for b in ballots}
    for voter in sorted(set(stored) | set(last_ballots)):
        if voter not in last_ballots:
            problems.append("ballot of voter %s is not in the log" % voter)
        elif voter not in stored:
            problems.append("ballot of voter %s is in the log but not stored" % voter)
        elif stored[voter] != last_ballots[voter]:
            problems.append("ballot of voter %s differs from the log" % voter)
    return not problems, problems


# -- initiatives -------------------------------------------------------------------------------

OPEN, ESCALATED, ANSWERED = "open", "escalated", "answered"
DEFAULT_INITIATIVE_THRESHOLD = 50


def new_initiative(caller: Caller, body, threshold, now=None):
    require_resident(caller)
    if not isinstance(body, dict):
        raise errors.invalid("the initiative must be an object")
    return {
        "id": new_id(),
        "municipality_id": caller.municipality_id,
        "neighbourhood_id": caller.neighbourhood_id,
        "title": _text(body.get("title"), "title", TITLE_MAX),
        "text": _text(body.get("text"), "text", TEXT_MAX),
        "proposer_id": caller.user_id,
        "threshold": threshold,
        "supports": 0,
        "status": OPEN,
        "escalated_at": None,
        "city_response": None,
        "created_at": now_iso(now),
    }


def require_initiative_visible(caller: Caller, initiative, visible_ids):
    if initiative is None:
        raise errors.not_found("initiative not found")
    same_town = caller.municipality_id == initiative["municipality_id"]
    if caller.role == RESIDENT and same_town and initiative["neighbourhood_id"] in visible_ids:
        return initiative
    if (caller.role in CITY_ROLES and same_town or caller.is_system) \
            and initiative["status"] != OPEN:
        return initiative
    raise errors.not_found("initiative not found")


def check_support(caller: Caller, initiative):
    require_resident(caller)
    if initiative["proposer_id"] == caller.user_id:
        raise errors.conflict("you proposed this initiative; others support it")
    if initiative["status"] == ANSWERED:
        raise errors.conflict("the city has answered this initiative")


def escalation_due(initiative):
    return initiative["status"] == OPEN and initiative["supports"] >= initiative["threshold"]


def initiative_escalated(initiative):
    return events.INITIATIVE_ESCALATED, events.INITIATIVE_ESCALATED.payload(
        "initiative_escalated:" + initiative["id"], initiative_id=initiative["id"],
        municipality_id=initiative["municipality_id"],
        neighbourhood_id=initiative["neighbourhood_id"], supports=initiative["supports"])


def initiative_view(initiative, caller: Caller, supported=None):
    view = dict(initiative)
    view["mine"] = initiative["proposer_id"] == caller.user_id
    view.pop("proposer_id")
    if supported is not None:
        view["supported"] = supported
    return view


def answer_initiative(initiative, response, now=None):
    if initiative["status"] != ESCALATED:
        raise errors.conflict("only an escalated initiative can be answered",
                              {"status": initiative["status"]})
    return dict(initiative, status=ANSWERED,
                city_response={"text": _text(response, "response", TEXT_MAX),
                               "at": now_iso(now)})


def initiative_threshold(value):
    return _integer(value, "initiative_threshold", 2, 1_000_000)


# -- incident reports --------------------------------------------------------------------------

RECEIVED, IN_PROGRESS, RESOLVED, NOT_OURS = "received", "in_progress", "resolved", "not_ours"
INCIDENT_STATUSES = (RECEIVED, IN_PROGRESS, RESOLVED, NOT_OURS)
INCIDENT_CATEGORIES = ("road", "pavement", "lighting", "waste", "graffiti", "green_space",
                       "water", "noise", "traffic", "vandalism", "other")
# resolved and not_ours are final; work may pause back to received (e.g. reassigned).
TRANSITIONS = {
    RECEIVED: {IN_PROGRESS, RESOLVED, NOT_OURS},
    IN_PROGRESS: {RECEIVED, RESOLVED, NOT_OURS},
    RESOLVED: set(),
    NOT_OURS: set(),
}


def _location(raw):
    if not isinstance(raw, dict):
        raise errors.invalid("location must be {latitude, longitude}", {"location": "object"})
    lat, lon = raw.get("latitude"), raw.get("longitude")
    for name, value, bound in (("latitude", lat, 90), ("longitude", lon, 180)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not -bound <= value <= bound:
            raise errors.invalid("location.%s must be a number from -%d to %d"
                                 % (name, bound, bound), {"location." + name: "number"})
    return {"latitude": float(lat), "longitude": float(lon),
            "description": _text(raw.get("description"), "location.description", LABEL_MAX,
                                 required=False)}


def new_incident(caller: Caller, body, now=None):
    require_resident(caller)
    if not isinstance(body, dict):
        raise errors.invalid("the report must be an object")
    category = body.get("category")
    if category not in INCIDENT_CATEGORIES:
        raise errors.invalid("category must be one of " + ", ".join(INCIDENT_CATEGORIES),
                             {"category": ", ".join(INCIDENT_CATEGORIES)})
    created = now_iso(now)
    return {
        "id": new_id(),
        "municipality_id": caller.municipality_id,
        "neighbourhood_id": caller.neighbourhood_id,
        "reporter_id": caller.user_id,
        "category": category,
        "location": _location(body.get("location")),
        "text": _text(body.get("text"), "text", TEXT_MAX),
        "status": RECEIVED,
        "reason": None,
        "history": [{"status": RECEIVED, "reason": None, "at": created}],
        "created_at": created,
        "updated_at": created,
    }


def require_incident_visible(caller: Caller, incident):
    if incident is None:
        raise errors.not_found("incident not found")
    if caller.role == RESIDENT and incident["reporter_id"] == caller.user_id:
        return incident
    if caller.role in CITY_ROLES and caller.municipality_id == incident["municipality_id"]:
        return incident
    if caller.is_system:
        return incident
    raise errors.not_found("incident not found")


def change_incident_status(incident, status, reason, now=None):
    """The incident with its new status; the same status again changes nothing (None)."""
    if status not in INCIDENT_STATUSES:
        raise errors.invalid("status must be one of " + ", ".join(INCIDENT_STATUSES),
                             {"status": ", ".join(INCIDENT_STATUSES)})
    reason = _text(reason, "reason", REASON_MAX, required=status == NOT_OURS)
    if status == incident["status"] and reason == incident["reason"]:
        return None
    if status not in TRANSITIONS[incident["status"]]:
        raise errors.conflict("an incident that is %s cannot become %s"
                              % (incident["status"], status), {"status": incident["status"]})
    at = now_iso(now)
    return dict(incident, status=status, reason=reason, updated_at=at,
                history=incident["history"] + [{"status": status, "reason": reason, "at": at}])


def incident_reported(incident):
    return events.INCIDENT_REPORTED, events.INCIDENT_REPORTED.payload(
        "incident_reported:" + incident["id"], incident_id=incident["id"],
        municipality_id=incident["municipality_id"], category=incident["category"])


def incident_status_changed(incident):
    return events.INCIDENT_STATUS_CHANGED, events.INCIDENT_STATUS_CHANGED.payload(
        "incident_status_changed:%s:%d" % (incident["id"], len(incident["history"])),
        incident_id=incident["id"], municipality_id=incident["municipality_id"],
        status=incident["status"])


def incident_view(incident, caller: Caller):
    """The reporter sees their report; the city sees it without who reported it."""
    view = dict(incident)
    if caller.user_id != incident["reporter_id"]:
        view.pop("reporter_id")
    return view


# -- registrations (a projection of identity's events) ------------------------------------------

def registration_from(payload):
    """The resident a user_registered event announces, or None for staff accounts."""
    if payload.get("role") != RESIDENT or not payload.get("neighbourhood_id"):
        return None
    return {"user_id": payload["user_id"], "municipality_id": payload["municipality_id"],
            "neighbourhood_id": payload["neighbourhood_id"],
            "household_id": payload.get("household_id") or "user:" + payload["user_id"]}


def erased_marker():
    """What replaces an erased user's id in the records that must stay countable: random, so
    nothing links them to the person or to each other across erasures."""
    return "erased-" + new_id()


def export(data):
    """Everything this service holds about a user (GDPR art. 15/20)."""
    return {
        "registration": data["registration"] and {
            k: data["registration"][k] for k in ("neighbourhood_id", "household_id")},
        "survey_responses": [{k: r[k] for k in ("survey_id", "answers", "submitted_at")}
                             for r in data["responses"]],
        "ballots": [{k: b[k] for k in ("budget_id", "project_ids", "cast_at", "updated_at")}
                    for b in data["ballots"]],
        "proposed_projects": [{k: p[k] for k in ("id", "budget_id", "title", "description",
                                                 "cost", "status", "reason", "created_at")}
                              for p in data["projects"]],
        "initiatives": [{k: i[k] for k in ("id", "title", "text", "status", "created_at")}
                        for i in data["initiatives"]],
        "supported_initiatives": data["supports"],
        "incident_reports": [{k: i[k] for k in ("id", "category", "location", "text", "status",
                                                "reason", "history", "created_at")}
                             for i in data["incidents"]],
    }
