"""Moderation: the municipality's watched words and patterns, its queue of held, flagged,
auto-hidden and reported content, decisions, the author's one appeal, and the audit log.

The moderation service decides who may do what (moderators and admins of the municipality; a case
of another municipality is 404; residents and city staff are refused the queue, rules and audit
with 403; only the author appeals); the roles here refuse the obvious cases before any call."""
from contracts import rpc
from contracts.caller import ADMIN, MODERATOR, RESIDENT
from gateway.http.api import api

TAG = "moderation"
MODERATING = (MODERATOR, ADMIN)
ID = {"type": "string", "maxLength": 200}
PAGING = {"cursor": {"type": "string", "maxLength": 512},
          "limit": {"type": "integer", "minimum": 1, "maximum": 100}}
LANGUAGES = ["fr", "de", "en", "nl", "pt", "lb", "it", "es", "pl", "ar", "tr"]
REASONS = {"type": "array", "items": {"type": "string"},
           "description": "human-readable: each rule or signal that matched, and what it saw"}

RULE_FIELDS = {
    "kind": {"type": "string", "enum": ["word", "regex"],
             "description": "word: whole words, case, accents, invisible characters and "
                            "look-alike letters ignored; regex: an RE2 regular expression "
                            "(linear time: no backreferences or lookarounds), case-insensitive, "
                            "on the text with accents and invisible characters removed"},
    "pattern": {"type": "string", "minLength": 1, "maxLength": 200},
    "action": {"type": "string", "enum": ["block", "hold", "flag"],
               "description": "block: refused at creation with the reason; hold: stored, "
                              "invisible to others until approved; flag: visible, queued"},
    "languages": {"type": "array", "items": {"type": "string", "enum": LANGUAGES},
                  "maxItems": len(LANGUAGES),
                  "description": "applies to text in these languages (and of unknown "
                                 "language); empty: all"},
    "note": {"type": "string", "maxLength": 300},
}
RULE = {"type": "object", "properties": dict(
    RULE_FIELDS, id=ID, municipality_id=ID, created_by=ID, created_at={"type": "string"})}
CASE = {
    "type": "object",
    "properties": {
        "id": dict(ID, description="<content_kind>_<content_id>"),
        "content_kind": {"type": "string",
                         "enum": ["post", "comment", "calendar_event", "chat_message"]},
        "content_id": ID, "post_id": ID, "author_id": ID, "neighbourhood_id": ID,
        "text": {"type": "string", "description": "moderators only"},
        "sources": {"type": "array", "items": {
            "type": "string", "enum": ["held", "flagged", "auto_hidden", "reported"]}},
        "status": {"type": "string", "enum": ["open", "decided", "appealed", "appeal_decided"]},
        "content_state": {"type": "string", "enum": ["visible", "held", "hidden", "removed"]},
        "reasons": REASONS,
        "report_count": {"type": "integer", "description": "distinct households"},
        "report_reasons": {"type": "object"},
        "decision": {"type": ["object", "null"]},
        "appeal": {"type": ["object", "null"]},
        "opened_at": {"type": "string"}, "updated_at": {"type": "string"},
    },
}
PAGE = {"type": "object", "properties": {"items": {"type": "array", "items": CASE},
                                         "next_cursor": {"type": ["string", "null"]}}}
AUDIT_ENTRY = {"type": "object", "properties": {
    "id": ID, "case_id": ID, "content_kind": {"type": "string"}, "content_id": ID,
    "author_id": ID, "actor": dict(ID, description="a moderator's user id, or system"),
    "action": {"type": "string", "description": "screening:<action>, auto_hide, "
               "decision:<decision>, appeal, appeal:<outcome>, rule:create, rule:delete, "
               "settings:report_threshold"},
    "reason": {"type": "string"}, "at": {"type": "string"}, "until": {"type": "string"}}}


@api.operation(
    "GET", "/api/v1/moderation/queue", tag=TAG, roles=MODERATING,
    summary="Your municipality's moderation queue",
    query=dict(PAGING, status={"type": "string",
                               "enum": ["open", "decided", "appealed", "appeal_decided"]},
               source={"type": "string",
                       "enum": ["held", "flagged", "auto_hidden", "reported"]}),
    response=PAGE, errors=(403,),
)
def list_queue(ctx):
    """Newest first; open cases unless `status` says otherwise (appealed: appeals waiting for a
    second moderator). Residents and city staff: 403."""
    return ctx.call(rpc.moderation.LIST_QUEUE, status=ctx.query.get("status"),
                    source=ctx.query.get("source"), cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation("GET", "/api/v1/moderation/cases/{case_id}", tag=TAG,
               summary="A moderation case", response=CASE, errors=(403, 404))
def get_case(ctx, case_id):
    """Moderators of its municipality; the author of the content sees its outcome (not who
    decided, nor the reports)."""
    return ctx.call(rpc.moderation.GET_CASE, case_id=case_id)


@api.operation(
    "POST", "/api/v1/moderation/cases/{case_id}/decision", tag=TAG, roles=MODERATING,
    summary="Decide a case: approve, remove, warn or suspend",
    body={"type": "object", "required": ["decision", "reason"], "additionalProperties": False,
          "properties": {
              "decision": {"type": "string", "enum": ["approve", "remove", "warn", "suspend"]},
              "reason": {"type": "string", "minLength": 1, "maxLength": 500,
                         "description": "told to the author"},
              "suspension_days": {"type": "integer", "minimum": 1, "maximum": 365,
                                  "description": "with suspend only"}}},
    response=CASE, errors=(403, 404, 409), idempotent=True,
)
def decide(ctx, case_id):
    """approve: the content is (again) visible; remove and warn: hidden, the author is told the
    reason; suspend: hidden too, and its author cannot post or comment for `suspension_days`.
    A case is decided once (409 after); a change goes through the author's appeal."""
    return ctx.call(rpc.moderation.DECIDE, case_id=case_id, decision=ctx.body,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "POST", "/api/v1/moderation/cases/{case_id}/appeal", tag=TAG, roles=(RESIDENT,),
    summary="Appeal the decision on your content (once)",
    body={"type": "object", "required": ["reason"], "additionalProperties": False,
          "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
    response=CASE, errors=(403, 404, 409), idempotent=True,
)
def appeal(ctx, case_id):
    """The author only (anyone else: 404), once per decision (again: 409). The case id is
    "<content_kind>_<content_id>", as in the moderation notification."""
    return ctx.call(rpc.moderation.APPEAL, case_id=case_id, appeal=ctx.body,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "POST", "/api/v1/moderation/cases/{case_id}/appeal/decision", tag=TAG, roles=MODERATING,
    summary="Review an appeal (another moderator than the one who decided)",
    body={"type": "object", "required": ["outcome", "reason"], "additionalProperties": False,
          "properties": {"outcome": {"type": "string", "enum": ["uphold", "overturn"]},
                         "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
    response=CASE, errors=(403, 404, 409), idempotent=True,
)
def decide_appeal(ctx, case_id):
    """overturn restores the content and ends a suspension now; the moderator who decided
    cannot review the appeal (403)."""
    return ctx.call(rpc.moderation.DECIDE_APPEAL, case_id=case_id, decision=ctx.body,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "GET", "/api/v1/moderation/rules", tag=TAG, roles=MODERATING,
    summary="Your municipality's watched words and patterns", query=PAGING,
    response={"type": "object", "properties": {"items": {"type": "array", "items": RULE},
                                               "next_cursor": {"type": ["string", "null"]}}},
    errors=(403,),
)
def list_rules(ctx):
    """Oldest first. They apply together with the default multilingual commercial filter."""
    return ctx.call(rpc.moderation.LIST_RULES, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation(
    "POST", "/api/v1/moderation/rules", tag=TAG, roles=MODERATING,
    summary="Add a watched word or pattern", status=201,
    body={"type": "object", "required": ["pattern", "action"], "additionalProperties": False,
          "properties": RULE_FIELDS},
    response=RULE, errors=(403, 409), idempotent=True,
)
def create_rule(ctx):
    """At most 500 rules per municipality, 30 of them patterns (409). A pattern RE2 cannot
    compile (backreferences, lookarounds) or too large once compiled is 400 `invalid` with the
    reason under details.pattern."""
    return ctx.call(rpc.moderation.CREATE_RULE, rule=ctx.body,
                    idempotency_key=ctx.idempotency_key)


@api.operation(
    "DELETE", "/api/v1/moderation/rules/{rule_id}", tag=TAG, roles=MODERATING,
    summary="Remove a rule", errors=(403, 404),
    response={"type": "object", "properties": {"id": ID, "deleted": {"type": "boolean"}}},
)
def delete_rule(ctx, rule_id):
    return ctx.call(rpc.moderation.DELETE_RULE, rule_id=rule_id)


@api.operation(
    "GET", "/api/v1/moderation/settings", tag=TAG, roles=MODERATING,
    summary="Your municipality's report threshold", errors=(403,),
    response={"type": "object", "properties": {"municipality_id": ID,
                                               "report_threshold": {"type": "integer"}}},
)
def get_settings(ctx):
    return ctx.call(rpc.moderation.GET_SETTINGS)


@api.operation(
    "PUT", "/api/v1/moderation/settings", tag=TAG, roles=MODERATING,
    summary="Set how many households' reports hide content pending review",
    body={"type": "object", "required": ["report_threshold"], "additionalProperties": False,
          "properties": {"report_threshold": {"type": "integer", "minimum": 1,
                                              "maximum": 50}}},
    response={"type": "object", "properties": {"municipality_id": ID,
                                               "report_threshold": {"type": "integer"}}},
    errors=(403,),
)
def set_settings(ctx):
    """Default 3."""
    return ctx.call(rpc.moderation.SET_SETTINGS, settings=ctx.body)


@api.operation(
    "GET", "/api/v1/moderation/audit", tag=TAG, roles=MODERATING,
    summary="Every automatic and human moderation decision (who, what, why, when)",
    query=dict(PAGING, case_id=ID),
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": AUDIT_ENTRY},
        "next_cursor": {"type": ["string", "null"]}}},
    errors=(403,),
)
def audit_log(ctx):
    """Newest first, for moderators and admins of the municipality; `case_id` narrows it."""
    return ctx.call(rpc.moderation.AUDIT_LOG, case_id=ctx.query.get("case_id"),
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))
