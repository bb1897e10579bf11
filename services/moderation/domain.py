"""Moderation's pure rules: municipal watched words and patterns, screening before publication,
cases (held, flagged, auto-hidden, reported), decisions, appeals and the audit entries each of
them writes. No I/O: values in, values out (and the events to dispatch).

Who may do what:
- moderators and admins of a municipality manage its rules, read its queue and audit log, and
  decide its cases; a case of another municipality is `not_found` for them, as an unknown id is.
  Residents and city staff get `forbidden` on all of it (the queue holds residents' content the
  city must not read).
- the author of the content (and only they) appeals a decision, once; the appeal is reviewed by a
  moderator other than the one who decided.
- the feed (a system caller) asks `screen` before it stores a post or comment.

Case ids are "<content_kind>_<content_id>": one case per piece of content, and the author can name
it from the notification the feed gives them (which carries content_kind and content_id).
"""
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, MUNICIPAL_SYSTEM, Caller
from services.moderation import patterns, scoring
from services.moderation.scoring import ALLOW, BLOCK, FLAG, HOLD, SEVERITY

CONTENT_KINDS = ("post", "comment", "calendar_event", "chat_message")
# What screening looks at (reported chat messages are read through the feed instead).
SCREENED_KINDS = ("post", "comment", "calendar_event")
RULE_KINDS = ("word", "regex")
RULE_ACTIONS = (BLOCK, HOLD, FLAG)
LANGUAGES = ("fr", "de", "en", "nl", "pt", "lb", "it", "es", "pl", "ar", "tr")
PATTERN_MAX = 200
NOTE_MAX = 300
RULES_MAX = 500  # per municipality: a watched-word list, not a dictionary
# Patterns cost more than words (see patterns.py): at most this many per municipality, so the
# screening time one municipality's rules can take stays bounded (bench/moderation_rules.py).
PATTERNS_MAX = 30
# Seconds one screening may spend on a municipality's watched patterns. RE2 is linear, but a
# pattern built to defeat its DFA on a text built for it costs up to ~70 ms on a 5,000-character
# post (bench/moderation_rules.py): past this budget the remaining patterns are not run and the
# text is held for a moderator, so no set of rules can make screening slow for long.
PATTERN_TIME_BUDGET = 0.25
TEXT_MAX = 12000
REASON_MAX = 500
REPORT_THRESHOLD_DEFAULT = 3
REPORT_THRESHOLD_MAX = 50
SUSPENSION_DAYS_MAX = 365

# Case status: open (in the queue) → decided → (appealed → appeal_decided).
OPEN, DECIDED, APPEALED, APPEAL_DECIDED = "open", "decided", "appealed", "appeal_decided"
STATUSES = (OPEN, DECIDED, APPEALED, APPEAL_DECIDED)
# Why a case is in the queue.
SOURCES = ("held", "flagged", "auto_hidden", "reported")
# Where the content stands for readers.
VISIBLE, HELD, HIDDEN, REMOVED = "visible", "held", "hidden", "removed"

APPROVE, REMOVE, WARN, SUSPEND = "approve", "remove", "warn", "suspend"
DECISIONS = (APPROVE, REMOVE, WARN, SUSPEND)
UPHOLD, OVERTURN = "uphold", "overturn"
APPEAL_OUTCOMES = (UPHOLD, OVERTURN)
MODERATING_ROLES = (MODERATOR, ADMIN)



def now_text(moment=None):
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id():
    return uuid.uuid4().hex


def case_id(content_kind, content_id):
    return "%s_%s" % (content_kind, content_id)


# -- who --------------------------------------------------------------------------------------

def require_moderator(caller: Caller, municipality_id=None):
    """Moderators and admins of the municipality (system callers too)."""
    if caller.is_system:
        return
    if caller.role not in MODERATING_ROLES or not caller.municipality_id:
        raise errors.forbidden("moderation is for the municipality's moderators and admins")
    if municipality_id is not None and municipality_id != caller.municipality_id:
        raise errors.not_found("not found")


def require_system(caller: Caller):
    if not caller.is_system:
        raise errors.forbidden("screening is asked by the platform's services")


def municipality_of(caller: Caller, municipality_id):
    """The municipality a moderator works on: their own (a system caller names one)."""
    if caller.is_system:
        if not isinstance(municipality_id, str) or not municipality_id:
            raise errors.invalid("municipality_id is required")
        return municipality_id
    require_moderator(caller)
    if municipality_id not in (None, caller.municipality_id):
        raise errors.not_found("municipality not found")
    return caller.municipality_id


# -- rules ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    id: str
    municipality_id: str
    kind: str  # word | regex
    pattern: str
    action: str  # block | hold | flag
    languages: tuple = ()
    note: str = ""
    created_by: str = ""
    created_at: str = ""

    def to_dict(self):
        data = asdict(self)
        data["languages"] = list(self.languages)
        return data

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["languages"] = tuple(known.get("languages") or ())
        return cls(**known)

    def compiled(self):
        """The rule's RE2 program (patterns.PatternError if RE2 cannot run it)."""
        return patterns.compiled(self.kind, self.pattern)


def check_rule(request):
    problems = {}
    if not isinstance(request, dict):
        raise errors.invalid("invalid rule", {"rule": "an object"})
    unknown = set(request) - {"kind", "pattern", "action", "languages", "note"}
    if unknown:
        problems["unknown"] = "unknown fields: %s" % ", ".join(sorted(unknown))
    kind = request.get("kind", "word")
    if kind not in RULE_KINDS:
        problems["kind"] = "one of %s" % ", ".join(RULE_KINDS)
    pattern = request.get("pattern")
    if not isinstance(pattern, str) or not pattern.strip() or len(pattern) > PATTERN_MAX:
        problems["pattern"] = "1 to %d characters" % PATTERN_MAX
    elif kind in RULE_KINDS:
        try:
            patterns.compiled(kind, pattern.strip())
        except patterns.PatternError as exc:
            problems["pattern"] = str(exc)
    action = request.get("action")
    if action not in RULE_ACTIONS:
        problems["action"] = "one of %s" % ", ".join(RULE_ACTIONS)
    languages = request.get("languages", [])
    if not isinstance(languages, list) or any(lang not in LANGUAGES for lang in languages) \
            or len(languages) > len(LANGUAGES):
        problems["languages"] = "a list of language tags among %s" % ", ".join(LANGUAGES)
    note = request.get("note", "")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        problems["note"] = "at most %d characters" % NOTE_MAX
    if problems:
        raise errors.invalid("invalid rule", problems)
    return {"kind": kind, "pattern": pattern.strip(), "action": action,
            "languages": sorted(set(languages)), "note": note.strip()}


def new_rule(caller: Caller, municipality_id, request, count, now, patterns_in_use=0):
    """`count`: the municipality's rules; `patterns_in_use`: how many of them are patterns."""
    checked = check_rule(request)
    if count >= RULES_MAX:
        raise errors.conflict("a municipality has at most %d rules" % RULES_MAX)
    if checked["kind"] == "regex" and patterns_in_use >= PATTERNS_MAX:
        raise errors.conflict("a municipality has at most %d watched patterns (watched words "
                              "are cheaper: up to %d rules in all)" % (PATTERNS_MAX, RULES_MAX))
    return Rule(id=new_id(), municipality_id=municipality_id, kind=checked["kind"],
                pattern=checked["pattern"], action=checked["action"],
                languages=tuple(checked["languages"]), note=checked["note"],
                created_by=caller.user_id or "", created_at=now)


# -- screening --------------------------------------------------------------------------------

def check_screen_request(municipality_id, content_kind, text, language):
    problems = {}
    if not isinstance(municipality_id, str) or not municipality_id:
        problems["municipality_id"] = "required"
    if content_kind not in SCREENED_KINDS:
        problems["content_kind"] = "one of %s" % ", ".join(SCREENED_KINDS)
    if not isinstance(text, str) or len(text) > TEXT_MAX:
        problems["text"] = "a text of at most %d characters" % TEXT_MAX
    if language is not None and not isinstance(language, str):
        problems["language"] = "a language tag"
    if problems:
        raise errors.invalid("invalid screening request", problems)


def screen(text, rules, language=None, budget=PATTERN_TIME_BUDGET, clock=time.monotonic):
    """{"action", "reasons", "score"}: the most severe of the municipality's rules that match and
    the commercial filter (scoring.assess: the trained model and the hand-written signals; its
    probability is the score). A rule with language tags applies to text in those languages (or
    of unknown language: an untagged post must not slip past a rule). Patterns left unrun past the
    time budget hold the text for a moderator (`clock` is injectable for tests)."""
    prepared = patterns.Screened(text)
    reasons = []
    action = ALLOW
    # The bounds hold even for rules stored before they existed: the oldest ones run.
    patterns_run = 0
    not_run = 0
    started = clock()
    for rule in rules[:RULES_MAX]:
        if rule.kind == "regex":
            patterns_run += 1
            if patterns_run > PATTERNS_MAX:
                continue
            if clock() - started > budget:
                not_run += 1
                continue
        if rule.languages and language and language not in rule.languages:
            continue
        try:
            matched = prepared.find(rule.kind, rule.pattern)
        except patterns.PatternError:
            # A rule stored before RE2 was the engine and that RE2 refuses: it cannot match
            # (the moderator sees why when they recreate it).
            continue
        if matched is None:
            continue
        reasons.append({
            "signal": "rule", "rule_id": rule.id, "action": rule.action,
            "matched": [matched],
            "message": "matches the municipality's watched %s \"%s\"%s" % (
                "word" if rule.kind == "word" else "pattern", rule.pattern,
                " (%s)" % rule.note if rule.note else "")})
        if SEVERITY[rule.action] > SEVERITY[action]:
            action = rule.action
    if not_run:
        reasons.append({
            "signal": "patterns_over_time", "action": HOLD, "matched": [],
            "message": "the municipality's watched patterns took too long on this text (%d not "
                       "run): a moderator reviews it" % not_run})
        if SEVERITY[HOLD] > SEVERITY[action]:
            action = HOLD
    assessed = scoring.assess(text)
    reasons.extend(assessed["reasons"])
    if SEVERITY[assessed["action"]] > SEVERITY[action]:
        action = assessed["action"]
    # "score": the trained model's probability that the text is advertising (0..1).
    return {"action": action, "reasons": reasons, "score": assessed["probability"]}


def for_kind(content_kind, result):
    """The calendar keeps no content waiting for review: what would be held is refused there,
    with its reasons (the organiser may rewrite it), so no case waits for an event never
    stored."""
    if content_kind == "calendar_event" and result["action"] == HOLD:
        reasons = result["reasons"] + [{
            "signal": "no_review_for_events", "points": 0, "matched": [],
            "message": "calendar events cannot wait for a moderator's review"}]
        return dict(result, action=BLOCK, reasons=reasons)
    return result


def reason_texts(reasons):
    return [r["message"] for r in reasons]


# -- cases ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    municipality_id: str
    neighbourhood_id: str
    content_kind: str
    content_id: str
    post_id: str  # the post a comment belongs to ("" otherwise)
    author_id: str
    text: str
    sources: tuple = ()
    status: str = OPEN
    content_state: str = VISIBLE
    reasons: tuple = ()  # readable reasons the case was opened for
    report_count: int = 0
    report_reasons: dict = field(default_factory=dict)
    decision: dict = None
    appeal: dict = None
    opened_at: str = ""
    updated_at: str = ""

    def to_dict(self):
        data = asdict(self)
        data["sources"] = list(self.sources)
        data["reasons"] = list(self.reasons)
        return data

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["sources"] = tuple(known.get("sources") or ())
        known["reasons"] = tuple(known.get("reasons") or ())
        known["report_reasons"] = dict(known.get("report_reasons") or {})
        return cls(**known)


def screened_case(municipality_id, neighbourhood_id, content_kind, content_id, post_id,
                  author_id, text, result, now):
    """The case a hold or flag opens (None for allow and block: nothing stored)."""
    if result["action"] not in (HOLD, FLAG):
        return None
    held = result["action"] == HOLD
    return Case(
        id=case_id(content_kind, content_id), municipality_id=municipality_id,
        neighbourhood_id=neighbourhood_id or "", content_kind=content_kind,
        content_id=content_id, post_id=post_id or "", author_id=author_id or "",
        text=text[:TEXT_MAX], sources=("held" if held else "flagged",),
        content_state=HELD if held else VISIBLE,
        reasons=tuple(reason_texts(result["reasons"])), opened_at=now, updated_at=now)


def reported_case(payload, text, now):
    """A new case for content first heard of through a report."""
    return Case(
        id=case_id(payload["content_kind"], payload["content_id"]),
        municipality_id=payload["municipality_id"],
        neighbourhood_id=payload.get("neighbourhood_id") or "",
        content_kind=payload["content_kind"], content_id=payload["content_id"],
        post_id=payload.get("post_id") or "", author_id=payload.get("author_id") or "",
        text=text or "", sources=("reported",), opened_at=now, updated_at=now)


# Who writes the municipality's own content (announcements, replies on its posts).
CITY_AUTHOR_ROLES = (CITY_STAFF, MODERATOR, ADMIN, MUNICIPAL_SYSTEM)


def is_city_content(report_payload):
    """Reported content the municipality wrote. Three households must not be able to take an
    urgent announcement (a boil-water notice, an evacuation) off every resident's feed: such
    content waits in the queue for a moderator instead."""
    return report_payload.get("author_role") in CITY_AUTHOR_ROLES


def should_auto_hide(case: Case, distinct_households, threshold, city_content=False):
    return not city_content and distinct_households >= threshold \
        and case.content_state == VISIBLE and case.status == OPEN


def auto_hide_reasons(distinct_households, report_reasons):
    named = ", ".join("%s ×%d" % (k, v) for k, v in sorted(report_reasons.items()))
    return ["hidden pending review after reports from %d different households (%s)"
            % (distinct_households, named)]


def city_content_reasons(distinct_households, report_reasons):
    named = ", ".join("%s ×%d" % (k, v) for k, v in sorted(report_reasons.items()))
    return ["reported by %d different households (%s); the municipality's own content stays "
            "visible until a moderator decides" % (distinct_households, named)]


def check_threshold(value):
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= REPORT_THRESHOLD_MAX:
        raise errors.invalid("invalid report threshold", {
            "report_threshold": "an integer from 1 to %d" % REPORT_THRESHOLD_MAX})
    return value


def check_decision(request):
    problems = {}
    if not isinstance(request, dict):
        raise errors.invalid("invalid decision", {"decision": "an object"})
    unknown = set(request) - {"decision", "reason", "suspension_days"}
    if unknown:
        problems["unknown"] = "unknown fields: %s" % ", ".join(sorted(unknown))
    decision = request.get("decision")
    if decision not in DECISIONS:
        problems["decision"] = "one of %s" % ", ".join(DECISIONS)
    reason = request.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX:
        problems["reason"] = "1 to %d characters: the author is told it" % REASON_MAX
    days = request.get("suspension_days")
    if decision == SUSPEND:
        if isinstance(days, bool) or not isinstance(days, int) \
                or not 1 <= days <= SUSPENSION_DAYS_MAX:
            problems["suspension_days"] = "an integer from 1 to %d" % SUSPENSION_DAYS_MAX
    elif days is not None:
        problems["suspension_days"] = "only with the decision suspend"
    if problems:
        raise errors.invalid("invalid decision", problems)
    return decision, reason.strip(), days


def decide(caller: Caller, case: Case, request, now: datetime):
    """(decided case, [(event, fields)], audit entry). Only an open case is decided; a decided
    one is changed through its appeal."""
    decision, reason, days = check_decision(request)
    if case.status != OPEN:
        raise errors.conflict("this case was already decided", {"status": case.status})
    stamp = now_text(now)
    record = {"decision": decision, "reason": reason, "by": caller.user_id, "at": stamp}
    produced = []
    state = case.content_state
    if decision == APPROVE:
        if case.content_state in (HELD, HIDDEN):
            produced.append((events.CONTENT_RESTORED, {}))
        state = VISIBLE
    else:
        label = {REMOVE: "removed by a moderator", WARN: "removed with a warning",
                 SUSPEND: "removed; the author is suspended"}[decision]
        produced.append((events.CONTENT_HIDDEN, {"reasons": ["%s: %s" % (label, reason)]}))
        state = REMOVED
        if decision == SUSPEND:
            until = now_text(now + timedelta(days=days))
            record["suspension_days"] = days
            record["until"] = until
            produced.append((events.USER_SUSPENDED, {"until": until, "reason": reason}))
    decided = replace(case, status=DECIDED, content_state=state, decision=record,
                      updated_at=stamp)
    return decided, produced, audit_entry(case, caller.user_id, "decision:" + decision, reason,
                                          stamp, {"until": record.get("until")})


def check_appeal(request):
    if not isinstance(request, dict) or set(request) - {"reason"}:
        raise errors.invalid("invalid appeal", {"reason": "the only field"})
    reason = request.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX:
        raise errors.invalid("invalid appeal", {"reason": "1 to %d characters" % REASON_MAX})
    return reason.strip()


def appeal(caller: Caller, case: Case, request, now: datetime):
    """The author appeals the decision on their content, once."""
    reason = check_appeal(request)
    if case.author_id != caller.user_id or not caller.user_id:
        raise errors.not_found("case not found")
    if case.appeal is not None:
        raise errors.conflict("this decision was already appealed; one appeal per decision")
    if case.status != DECIDED or case.decision["decision"] == APPROVE:
        raise errors.conflict("only a decision against your content can be appealed")
    stamp = now_text(now)
    appealed = replace(case, status=APPEALED, updated_at=stamp,
                       appeal={"reason": reason, "by": caller.user_id, "at": stamp})
    return appealed, audit_entry(case, caller.user_id, "appeal", reason, stamp)


def check_appeal_decision(request):
    problems = {}
    if not isinstance(request, dict):
        raise errors.invalid("invalid appeal decision", {"outcome": "an object"})
    if set(request) - {"outcome", "reason"}:
        problems["unknown"] = "only outcome and reason"
    if request.get("outcome") not in APPEAL_OUTCOMES:
        problems["outcome"] = "one of %s" % ", ".join(APPEAL_OUTCOMES)
    reason = request.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX:
        problems["reason"] = "1 to %d characters" % REASON_MAX
    if problems:
        raise errors.invalid("invalid appeal decision", problems)
    return request["outcome"], reason.strip()


def decide_appeal(caller: Caller, case: Case, request, now: datetime):
    """Another moderator upholds or overturns. Overturning restores the content and ends a
    suspension at once (a USER_SUSPENDED whose `until` is now)."""
    outcome, reason = check_appeal_decision(request)
    if case.status != APPEALED:
        raise errors.conflict("this case has no appeal waiting")
    if case.decision and case.decision.get("by") == caller.user_id:
        raise errors.forbidden("an appeal is reviewed by another moderator than the one "
                               "who decided")
    stamp = now_text(now)
    produced = []
    state = case.content_state
    if outcome == OVERTURN:
        produced.append((events.CONTENT_RESTORED, {}))
        state = VISIBLE
        if case.decision.get("decision") == SUSPEND:
            produced.append((events.USER_SUSPENDED, {
                "until": stamp, "reason": "suspension lifted on appeal: %s" % reason}))
    appeal_record = dict(case.appeal, outcome=outcome, outcome_reason=reason,
                         reviewed_by=caller.user_id, reviewed_at=stamp)
    decided = replace(case, status=APPEAL_DECIDED, content_state=state, appeal=appeal_record,
                      updated_at=stamp)
    return decided, produced, audit_entry(case, caller.user_id, "appeal:" + outcome, reason,
                                          stamp)


def suspended_until(cases, now: datetime):
    """When the person's running suspension ends, or None: the latest end among their
    suspension decisions still in the future. One overturned on appeal no longer counts (its
    USER_SUSPENDED "until now" told the others so); one upheld or still under appeal does. Read
    from the cases themselves, so two suspensions and the lifting of one of them give the right
    answer whatever order their events were delivered in."""
    stamp = now_text(now)
    ends = [case.decision["until"] for case in cases
            if case.decision and case.decision.get("decision") == SUSPEND
            and case.decision.get("until")
            and not (case.appeal and case.appeal.get("outcome") == OVERTURN)]
    running = [end for end in ends if end > stamp]
    return max(running) if running else None


def content_event(event, case: Case, extra):
    """The fields of a moderation event about the case's content (author_id: whom the feed
    tells)."""
    if event is events.USER_SUSPENDED:
        return {"user_id": case.author_id, **extra}
    fields = {"content_id": case.content_id, "content_kind": case.content_kind,
              "author_id": case.author_id}
    if event is not events.CONTENT_RESTORED:
        fields["reasons"] = extra.get("reasons") or list(case.reasons)
    return fields


# -- audit ------------------------------------------------------------------------------------

def audit_entry(case: Case, actor, action, reason, at, extra=None):
    """Who, what, why, when. `actor` "system" for automatic decisions."""
    return {
        "id": new_id(), "municipality_id": case.municipality_id, "case_id": case.id,
        "content_kind": case.content_kind, "content_id": case.content_id,
        "author_id": case.author_id, "actor": actor or "system", "action": action,
        "reason": reason, "at": at,
        **{k: v for k, v in (extra or {}).items() if v is not None},
    }


# -- views ------------------------------------------------------------------------------------

def present_case(case: Case, reader: Caller):
    view = case.to_dict()
    if not (reader.is_system or reader.role in MODERATING_ROLES):
        # The author sees the outcome, not who decided nor what others reported.
        view = {k: view[k] for k in ("id", "content_kind", "content_id", "status",
                                     "content_state", "reasons", "decision", "appeal")}
        for key in ("decision", "appeal"):
            if view[key]:
                view[key] = {k: v for k, v in view[key].items()
                             if k not in ("by", "reviewed_by")}
    return view


def check_queue_filter(source, status):
    if source is not None and source not in SOURCES:
        raise errors.invalid("invalid source", {"source": "one of %s" % ", ".join(SOURCES)})
    if status is not None and status not in STATUSES:
        raise errors.invalid("invalid status", {"status": "one of %s" % ", ".join(STATUSES)})


def check_position(position):
    if position is None:
        return None
    if not (isinstance(position, list) and len(position) == 2
            and all(isinstance(p, str) for p in position)):
        raise errors.invalid("malformed cursor")
    return tuple(position)
