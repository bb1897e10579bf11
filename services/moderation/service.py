"""Moderation: watched words, reports, queue, decisions, appeals, audit.

- `screen` answers the feed (and the calendar) before they store a post, comment or event:
  municipal rules + the commercial scorer (services/moderation/scoring.py), with reasons. A hold
  or flag opens a case for the content id the caller is about to store.
- reports (CONTENT_REPORTED from the feed) accumulate per case; from the municipality's threshold
  of distinct households the content is hidden pending review (CONTENT_HIDDEN; the feed acts).
- moderators decide; the author may appeal once; another moderator reviews the appeal. Every
  automatic and human step goes to the audit log.
Who may do what: services/moderation/domain.py's docstring."""
from dataclasses import replace
from datetime import datetime, timezone

from eventlet import tpool
from nameko.events import EventDispatcher

from contracts import errors, events, rpc, services
from contracts.caller import RESIDENT, Caller
from servicekit import metrics
from servicekit.nameko_extensions import (
    IdempotencyKeys, QuartierService, ServiceRpc, event_handler, rpc as entrypoint,
)
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from services.moderation import domain, erasure
from services.moderation.dependencies import Moderation
from services.moderation.scoring import BLOCK, FLAG, HOLD

# Reading a reported chat message's text from the feed: short, the handler is retried if it fails.
FEED_TIMEOUT = 3.0
# A case changed by someone else between our read and our write: read again, this many times.
CAS_ATTEMPTS = 5

METRIC_ACTION = {BLOCK: "blocked", HOLD: "held", FLAG: "flagged"}


def _now():
    return datetime.now(timezone.utc)


class ModerationService(QuartierService):
    name = services.MODERATION

    store = Moderation()
    idempotency = IdempotencyKeys()
    feed = ServiceRpc()
    dispatch = EventDispatcher()

    def _emit(self, case, produced):
        for event, extra in produced:
            fields = domain.content_event(event, case, extra)
            self.dispatch(event.name, event.payload(domain.new_id(), **fields))
            if event is events.CONTENT_HIDDEN:
                metrics.CONTENT_MODERATED.labels(case.municipality_id, "hidden").inc()

    def _case_for(self, caller, case_id):
        case = self.store.get_case(case_id) if isinstance(case_id, str) and \
            len(case_id) <= 200 else None
        if case is None:
            raise errors.not_found("case not found")
        return case

    def _moderated_case(self, caller, case_id):
        domain.require_moderator(caller)
        case = self._case_for(caller, case_id)
        domain.require_moderator(caller, case.municipality_id)
        return case

    # -- screening ----------------------------------------------------------------------------

    @entrypoint
    def screen(self, caller, municipality_id, content_kind, text, content_id=None,
               author_id=None, neighbourhood_id=None, post_id=None, language=None):
        """{action, reasons: [text], details: [signal]}. With `content_id` a hold or flag
        opens its case (the caller stores the content with that id right after; a hold must be
        stored held in that same write)."""
        caller = Caller.from_dict(caller)
        domain.require_system(caller)
        domain.check_screen_request(municipality_id, content_kind, text, language)
        rules = self.store.rules_of(municipality_id)
        # RE2 lets go of the interpreter while it matches: run in a native thread, the screening
        # of one municipality's post does not hold up the green threads answering another's.
        result = domain.for_kind(content_kind,
                                 tpool.execute(domain.screen, text, rules, language))
        action = result["action"]
        if action in METRIC_ACTION:
            metrics.CONTENT_MODERATED.labels(municipality_id, METRIC_ACTION[action]).inc()
        now = domain.now_text()
        if content_id:
            key = domain.case_id(content_kind, content_id)
            if action != BLOCK:
                self.store.remember_text(key, author_id or "", text, now)
            case = domain.screened_case(municipality_id, neighbourhood_id, content_kind,
                                        content_id, post_id, author_id, text, result, now)
            if case is not None and self.store.add_case(case):
                self.store.add_audit(domain.audit_entry(
                    case, "system", "screening:" + action, "; ".join(case.reasons), now))
        if action == BLOCK:
            # Nothing is stored for a refused text; the audit keeps that it happened and why.
            self.store.add_audit({
                "id": domain.new_id(), "municipality_id": municipality_id, "case_id": "",
                "content_kind": content_kind, "content_id": "", "author_id": author_id or "",
                "actor": "system", "action": "screening:block",
                "reason": "; ".join(domain.reason_texts(result["reasons"])), "at": now})
        return {"action": action, "reasons": domain.reason_texts(result["reasons"]),
                "details": result["reasons"], "score": result["score"]}

    # -- rules and settings ---------------------------------------------------------------------

    @entrypoint
    def list_rules(self, caller, municipality_id=None, cursor=None, limit=None):
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        limit = page_limit(limit)
        after = domain.check_position(decode_cursor(cursor))
        found = self.store.rules_of(municipality_id, after=after, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        last = found[-1] if found else None
        return {"items": [r.to_dict() for r in found],
                "next_cursor": encode_cursor([last.created_at, last.id]) if more else None}

    @entrypoint
    def create_rule(self, caller, rule, municipality_id=None, idempotency_key=None):
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)

        def create():
            existing = self.store.rules_of(municipality_id)
            created = domain.new_rule(caller, municipality_id, rule, len(existing),
                                      domain.now_text(),
                                      patterns_in_use=sum(r.kind == "regex" for r in existing))
            self.store.add_rule(created)
            self.store.add_audit({
                "id": domain.new_id(), "municipality_id": municipality_id, "case_id": "",
                "content_kind": "", "content_id": "", "author_id": "",
                "actor": caller.user_id or "system", "action": "rule:create",
                "reason": "%s %s \"%s\"" % (created.action, created.kind, created.pattern),
                "at": created.created_at, "rule_id": created.id})
            return created.to_dict()

        return self.idempotency.run(caller, "create_rule", idempotency_key, rule, create)

    @entrypoint
    def delete_rule(self, caller, rule_id, municipality_id=None):
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        if not isinstance(rule_id, str) or not self.store.delete_rule(municipality_id, rule_id):
            raise errors.not_found("rule not found")
        self.store.add_audit({
            "id": domain.new_id(), "municipality_id": municipality_id, "case_id": "",
            "content_kind": "", "content_id": "", "author_id": "",
            "actor": caller.user_id or "system", "action": "rule:delete", "reason": rule_id,
            "at": domain.now_text(), "rule_id": rule_id})
        return {"id": rule_id, "deleted": True}

    @entrypoint
    def get_settings(self, caller, municipality_id=None):
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        return {"municipality_id": municipality_id,
                "report_threshold": self.store.report_threshold(municipality_id)}

    @entrypoint
    def set_settings(self, caller, settings, municipality_id=None):
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        if not isinstance(settings, dict) or set(settings) != {"report_threshold"}:
            raise errors.invalid("invalid settings", {"report_threshold": "required, alone"})
        value = domain.check_threshold(settings["report_threshold"])
        self.store.set_report_threshold(municipality_id, value)
        self.store.add_audit({
            "id": domain.new_id(), "municipality_id": municipality_id, "case_id": "",
            "content_kind": "", "content_id": "", "author_id": "",
            "actor": caller.user_id or "system", "action": "settings:report_threshold",
            "reason": str(value), "at": domain.now_text()})
        return {"municipality_id": municipality_id, "report_threshold": value}

    # -- reports and auto-hide ----------------------------------------------------------------

    def _reported_text(self, payload):
        key = domain.case_id(payload["content_kind"], payload["content_id"])
        text = self.store.screened_text(key)
        if text or payload["content_kind"] != "chat_message":
            return text
        # The one chat text that ever leaves a conversation: the reported message itself.
        found = self.feed.call(rpc.feed.REPORTED_MESSAGE, timeout=FEED_TIMEOUT,
                               caller={"user_id": "system", "role": "system"},
                               message_id=payload["content_id"])
        return found.get("body") or found.get("text") or ""

    @event_handler(events.CONTENT_REPORTED)
    def on_content_reported(self, payload):
        """Count the report; from the threshold of distinct households, hide pending review.
        Idempotent: a report row per (case, household, reporter), the hide a compare-and-set."""
        if payload.get("content_kind") not in domain.CONTENT_KINDS:
            return
        key = domain.case_id(payload["content_kind"], payload["content_id"])
        now = domain.now_text()
        if self.store.get_case(key) is None:
            self.store.add_case(domain.reported_case(payload, self._reported_text(payload), now))
        household = payload.get("reporter_household_id") or "user:" + payload["reporter_id"]
        self.store.add_report(key, household, payload["reporter_id"], payload["reason"], now)
        city_content = domain.is_city_content(payload)
        for _ in range(CAS_ATTEMPTS):
            case = self.store.get_case(key)
            households, reasons = self.store.report_summary(key)
            threshold = self.store.report_threshold(case.municipality_id)
            hide = domain.should_auto_hide(case, households, threshold, city_content)
            sources = case.sources if "reported" in case.sources else case.sources + ("reported",)
            if hide and "auto_hidden" not in sources:
                sources += ("auto_hidden",)
            readable = case.reasons
            if hide:
                readable = tuple(domain.auto_hide_reasons(households, reasons))
            elif city_content and households >= threshold and case.status == domain.OPEN:
                readable = tuple(domain.city_content_reasons(households, reasons))
            changed = replace(
                case, report_count=households, report_reasons=reasons, sources=sources,
                content_state=domain.HIDDEN if hide else case.content_state,
                reasons=readable, updated_at=max(domain.now_text(), case.updated_at))
            if self.store.replace_case(changed, case.updated_at):
                break
        else:
            raise errors.conflict("case %s kept changing" % key)  # parked and retried
        if hide:
            self.store.add_audit(domain.audit_entry(
                changed, "system", "auto_hide", changed.reasons[0], changed.updated_at))
            self._emit(changed, [(events.CONTENT_HIDDEN, {"reasons": list(changed.reasons)})])

    # -- the queue, decisions, appeals --------------------------------------------------------

    @entrypoint
    def list_queue(self, caller, status=None, source=None, cursor=None, limit=None):
        """The caller's municipality's cases, newest first; open ones by default."""
        caller = Caller.from_dict(caller)
        domain.require_moderator(caller)
        domain.check_queue_filter(source, status)
        limit = page_limit(limit)
        before = domain.check_position(decode_cursor(cursor))
        found = self.store.queue(caller.municipality_id, before=before, limit=limit + 1,
                                 status=status or domain.OPEN, source=source)
        more = len(found) > limit
        found = found[:limit]
        last = found[-1] if found else None
        return {"items": [domain.present_case(c, caller) for c in found],
                "next_cursor": encode_cursor([last.opened_at, last.id]) if more else None}

    @entrypoint
    def get_case(self, caller, case_id):
        """Moderators of its municipality; the author sees the outcome of their own case."""
        caller = Caller.from_dict(caller)
        case = self._case_for(caller, case_id)
        if caller.role == RESIDENT and case.author_id == caller.user_id:
            return domain.present_case(case, caller)
        if caller.role == RESIDENT:
            raise errors.not_found("case not found")
        domain.require_moderator(caller, case.municipality_id)
        return domain.present_case(case, caller)

    def _change(self, caller, case_id, change):
        """Apply `change(case) → (case, produced, audit)` by compare-and-set."""
        for _ in range(CAS_ATTEMPTS):
            case = self._case_for(caller, case_id)
            changed, produced, audit = change(case)
            if self.store.replace_case(changed, case.updated_at):
                self.store.add_audit(audit)
                self._emit(changed, produced)
                return changed
        raise errors.conflict("the case is being changed by someone else; try again")

    @entrypoint
    def decide(self, caller, case_id, decision, idempotency_key=None):
        """approve / remove / warn / suspend (suspension_days), with a reason the author reads."""
        caller = Caller.from_dict(caller)
        self._moderated_case(caller, case_id)

        def run():
            changed = self._change(caller, case_id, lambda case: domain.decide(
                caller, case, decision, _now()))
            return domain.present_case(changed, caller)

        return self.idempotency.run(caller, "decide", idempotency_key,
                                    {"case_id": case_id, "decision": decision}, run)

    @entrypoint
    def appeal(self, caller, case_id, appeal, idempotency_key=None):
        """The author, once per decision."""
        caller = Caller.from_dict(caller)

        def run():
            def change(case):
                appealed, audit = domain.appeal(caller, case, appeal, _now())
                return appealed, [], audit
            return domain.present_case(self._change(caller, case_id, change), caller)

        return self.idempotency.run(caller, "appeal", idempotency_key,
                                    {"case_id": case_id, "appeal": appeal}, run)

    @entrypoint
    def decide_appeal(self, caller, case_id, decision, idempotency_key=None):
        """Another moderator than the one who decided: uphold or overturn."""
        caller = Caller.from_dict(caller)
        self._moderated_case(caller, case_id)

        def run():
            changed = self._change(caller, case_id, lambda case: domain.decide_appeal(
                caller, case, decision, _now()))
            return domain.present_case(changed, caller)

        return self.idempotency.run(caller, "decide_appeal", idempotency_key,
                                    {"case_id": case_id, "decision": decision}, run)

    @entrypoint
    def audit_log(self, caller, case_id=None, cursor=None, limit=None):
        """Every automatic and human decision of the caller's municipality, newest first."""
        caller = Caller.from_dict(caller)
        domain.require_moderator(caller)
        limit = page_limit(limit)
        before = domain.check_position(decode_cursor(cursor))
        if case_id is not None and not isinstance(case_id, str):
            raise errors.invalid("invalid case_id")
        found = self.store.audit_page(caller.municipality_id, before=before, limit=limit + 1,
                                      case_id=case_id)
        more = len(found) > limit
        found = found[:limit]
        last = found[-1] if found else None
        return {"items": found,
                "next_cursor": encode_cursor([last["at"], last["id"]]) if more else None}

    # -- suspensions ----------------------------------------------------------------------------

    @entrypoint
    def suspension(self, caller, user_id):
        """{user_id, suspended_until (null: not suspended)}: asked by the services that own the
        data before every write a suspended person may not make (servicekit/suspension.py), so
        moderation's cases stay the one record of who is suspended until when."""
        caller = Caller.from_dict(caller)
        if not caller.is_system:
            raise errors.forbidden("suspensions are asked by the platform's services")
        if not isinstance(user_id, str) or not user_id or len(user_id) > 200:
            raise errors.invalid("user_id: the person's id")
        return {"user_id": user_id,
                "suspended_until": domain.suspended_until(self.store.cases_by(user_id), _now())}

    # -- GDPR ---------------------------------------------------------------------------------

    @entrypoint
    def export_user(self, caller):
        """The cases about the caller's content, as the author sees them."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        return {"moderation_cases": [domain.present_case(c, Caller(
            user_id=caller.user_id, role=RESIDENT)) for c in self.store.cases_by(caller.user_id)]}

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        """What stays, and why: services.moderation.erasure."""
        self.store.erase_user(payload["user_id"], erasure.new_pseudonym())
        self.finish_erasure()
