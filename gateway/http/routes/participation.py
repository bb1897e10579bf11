"""Participation: surveys, participatory budgets, initiatives and incident reports, for residents
and for the city's staff (`/api/v1/city/...`).

The participation service decides who sees what (a survey outside your neighbourhood, a budget of
a neighbourhood you cannot see, someone else's incident: 404); the roles declared here are the
gateway's second line. Bodies are checked for shape here and for meaning in the service."""
import csv
import io

from flask import Response

from contracts import rpc
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT
from gateway.http.api import api

TAG_SURVEYS = "surveys"
TAG_BUDGETS = "participatory budgets"
TAG_INITIATIVES = "initiatives"
TAG_INCIDENTS = "incident reports"
STAFF = (CITY_STAFF, ADMIN)
CITY = (CITY_STAFF, MODERATOR, ADMIN)
RESIDENTS = (RESIDENT,)
# A survey of 100 questions with translations into eleven languages is well past the 64 KiB
# default; the service bounds sections, questions and options itself.
SURVEY_MAX_BODY_BYTES = 1024 * 1024

ID = {"type": "string", "maxLength": 64}
TEXT = {"type": "string", "minLength": 1, "maxLength": 4000}
PAGING = {"cursor": {"type": "string", "maxLength": 512},
          "limit": {"type": "integer", "minimum": 1, "maximum": 100}}
OBJECT = {"type": "object"}
PAGE = {"type": "object", "properties": {"items": {"type": "array", "items": OBJECT},
                                         "next_cursor": {"type": ["string", "null"]}}}
DATE_TIME = {"type": "string", "format": "date-time", "maxLength": 40}
TRANSLATIONS = {"type": "object", "maxProperties": 20,
                "description": "author-supplied texts per language code, e.g. {\"nl\": \"...\"}",
                "additionalProperties": {"type": "string", "maxLength": 4000}}
OPTION = {"type": "object", "required": ["id", "label"],
          "properties": {"id": ID, "label": {"type": "string", "maxLength": 200},
                         "translations": TRANSLATIONS}}
QUESTION = {
    "type": "object",
    "required": ["id", "type", "text"],
    "properties": {
        "id": ID,
        "type": {"enum": ["single_choice", "multiple_choice", "scale", "ranking", "short_text",
                          "long_text", "matrix"]},
        "text": TEXT,
        "translations": TRANSLATIONS,
        "required": {"type": "boolean", "description": "default true"},
        "options": {"type": "array", "maxItems": 50, "items": OPTION,
                    "description": "single, multiple choice and ranking"},
        "min_choices": {"type": "integer"}, "max_choices": {"type": "integer"},
        "min": {"type": "integer", "description": "scale: lowest value (1-10, default 1)"},
        "max": {"type": "integer", "description": "scale: highest value (default 10)"},
        "rows": {"type": "array", "maxItems": 50, "items": OPTION, "description": "matrix"},
        "columns": {"type": "array", "maxItems": 50, "items": OPTION,
                    "description": "matrix: one column is chosen per row"},
        "show_if": {"type": "object", "required": ["question_id", "any_of"],
                    "description": "ask only when an earlier choice question was answered "
                                   "with one of these options",
                    "properties": {"question_id": ID,
                                   "any_of": {"type": "array", "items": ID, "minItems": 1}}},
    },
    "additionalProperties": False,
}
SURVEY_BODY = {
    "type": "object",
    "required": ["title", "neighbourhood_ids", "closes_at", "sections"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": TEXT,
        "translations": TRANSLATIONS,
        "neighbourhood_ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 100},
        "response_unit": {"enum": ["person", "household"],
                          "description": "one response per person (default) or per household"},
        "opens_at": DATE_TIME,
        "closes_at": DATE_TIME,
        "sections": {"type": "array", "minItems": 1, "maxItems": 20, "items": {
            "type": "object", "required": ["questions"],
            "properties": {"id": ID, "title": {"type": "string", "maxLength": 200},
                           "translations": TRANSLATIONS,
                           "questions": {"type": "array", "minItems": 1, "maxItems": 100,
                                         "items": QUESTION}},
            "additionalProperties": False}},
    },
    "additionalProperties": False,
}
SCHEDULE = {"type": "object", "required": ["proposals", "review", "voting", "results"],
            "description": "when each phase starts (in this order)",
            "properties": {p: DATE_TIME for p in ("proposals", "review", "voting", "results")},
            "additionalProperties": False}
RULES = {
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": TEXT,
    "cap": {"type": "integer", "minimum": 1, "description": "the amount to allocate"},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "voting_style": {"enum": ["knapsack", "approval"],
                     "description": "knapsack: chosen costs add up to at most the cap; "
                                    "approval: at most max_projects projects"},
    "max_projects": {"type": "integer", "minimum": 1},
    "min_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                  "description": "knapsack: a ballot spends at least this share of the cap"},
    "ballot_unit": {"enum": ["person", "household", "resident"],
                    "description": "one ballot per person, per household, or per registered "
                                   "resident of the budget's area (docs/participation.md)"},
    "schedule": SCHEDULE,
}
BUDGET_BODY = {"type": "object", "required": ["title", "cap", "voting_style", "schedule"],
               "properties": dict(RULES, neighbourhood_id={
                   "type": ["string", "null"], "maxLength": 64,
                   "description": "null or absent: a city-wide budget"}),
               "additionalProperties": False}
PROJECT_BODY = {"type": "object", "required": ["title", "cost"], "additionalProperties": False,
                "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200},
                               "description": TEXT, "cost": {"type": "integer", "minimum": 1}}}
CSV_TYPE = "text/csv"


def _csv_cell(value):
    """Spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_response(columns, rows, filename, next_cursor=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype=CSV_TYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="%s"' % filename
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return response


# -- surveys (residents) ---------------------------------------------------------------------------

@api.operation("GET", "/api/v1/surveys", tag=TAG_SURVEYS, roles=RESIDENTS, query=PAGING,
               summary="Surveys asked of your neighbourhood", response=PAGE)
def list_surveys(ctx):
    """Newest first, with their status (scheduled, open, closed) and whether you (or your
    household, for a per-household survey) already answered."""
    return ctx.call(rpc.participation.LIST_SURVEYS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation("GET", "/api/v1/surveys/{survey_id}", tag=TAG_SURVEYS, roles=RESIDENTS + CITY,
               summary="A survey with its sections and questions", response=OBJECT)
def get_survey(ctx, survey_id):
    """Question texts come with the author's `translations`. A survey not asked of your
    neighbourhood is 404."""
    return ctx.call(rpc.participation.GET_SURVEY, survey_id=survey_id)


@api.operation(
    "POST", "/api/v1/surveys/{survey_id}/responses", tag=TAG_SURVEYS, roles=RESIDENTS,
    summary="Answer a survey", status=201, idempotent=True, errors=(409,),
    body={"type": "object", "required": ["answers"], "additionalProperties": False,
          "properties": {"answers": {
              "type": "object", "maxProperties": 100,
              "description": "by question id: an option id (single choice), option ids "
                             "(multiple choice; ranking, in your order), an integer (scale), "
                             "a text, or {row id: column id} (matrix). Questions whose "
                             "condition is not met are left out."}}},
    response={"type": "object", "properties": {"id": ID, "survey_id": ID,
                                               "submitted_at": DATE_TIME}},
)
def submit_response(ctx, survey_id):
    """Once per person, or once per household when the survey says so: a second answer is 409.
    An invalid answer is 400 with the problem per question, and nothing is stored."""
    return ctx.call(rpc.participation.SUBMIT_RESPONSE, survey_id=survey_id,
                    answers=ctx.body["answers"], idempotency_key=ctx.idempotency_key), 201


# -- surveys (staff) -------------------------------------------------------------------------------

@api.operation("POST", "/api/v1/city/surveys", tag=TAG_SURVEYS, roles=STAFF, status=201,
               summary="Publish a survey to chosen neighbourhoods", body=SURVEY_BODY,
               response=OBJECT, idempotent=True, max_body_bytes=SURVEY_MAX_BODY_BYTES)
def create_survey(ctx):
    """Question types: single_choice, multiple_choice, scale (1-10), ranking, short_text,
    long_text, matrix. `show_if` makes a question conditional on an earlier choice question.
    Published at once (residents of the target neighbourhoods see it from `opens_at`)."""
    return ctx.call(rpc.participation.CREATE_SURVEY, survey=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation("GET", "/api/v1/city/surveys", tag=TAG_SURVEYS, roles=CITY, query=PAGING,
               summary="The municipality's surveys", response=PAGE)
def list_city_surveys(ctx):
    return ctx.call(rpc.participation.LIST_SURVEYS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation("POST", "/api/v1/city/surveys/{survey_id}/close", tag=TAG_SURVEYS, roles=STAFF,
               summary="Close a survey now", response=OBJECT)
def close_survey(ctx, survey_id):
    return ctx.call(rpc.participation.CLOSE_SURVEY, survey_id=survey_id)


# Small cells: a count under the municipality's small-cell threshold (10 households unless it is
# stricter), or one that would give such a count back by subtraction, is null and its field is
# named in the `suppressed` array of the object holding it.
COUNT = {"type": ["integer", "null"], "minimum": 0}
SUPPRESSED = {"type": "array", "items": {"type": "string"},
              "description": "fields of this object that are null as small cells"}
PARTICIPATION_CELL = {"type": "object", "properties": {
    "neighbourhood_id": ID, "registered_households": COUNT,
    "participating_households": COUNT, "rate": {"type": ["number", "null"]},
    "suppressed": {"type": "boolean", "description": "true: a figure of this cell is null"}}}
OPTION_COUNT = {"type": "object", "properties": {
    "id": ID, "count": COUNT, "ranked": COUNT, "first": COUNT, "points": COUNT,
    "suppressed": SUPPRESSED}}
QUESTION_RESULT = {"type": "object", "properties": {
    "question_id": ID, "type": {"type": "string"}, "text": {"type": "string"},
    "answered": COUNT, "suppressed": SUPPRESSED,
    "options": {"type": "array", "items": OPTION_COUNT,
                "description": "choice questions: count; ranking: ranked, first, points"},
    "values": {"type": "array", "items": {"type": "object", "properties": {
        "value": {"type": "integer"}, "count": COUNT, "suppressed": SUPPRESSED}}},
    "mean": {"type": ["number", "null"],
             "description": "scale: null when any of its counts is (it would solve them)"},
    "rows": {"type": "array", "items": {"type": "object", "properties": {
        "id": ID, "columns": {"type": "array", "items": OPTION_COUNT}}}}}}


@api.operation(
    "GET", "/api/v1/city/surveys/{survey_id}/results", tag=TAG_SURVEYS, roles=CITY,
    summary="Totals per question and option; participation per neighbourhood",
    response={"type": "object", "properties": {
        "survey_id": ID, "status": {"type": "string"},
        "responses": COUNT, "suppressed": SUPPRESSED,
        "questions": {"type": "array", "items": QUESTION_RESULT},
        "participation": {"type": "array", "items": PARTICIPATION_CELL}}},
)
def survey_results(ctx, survey_id):
    """Participation rate = responding households / registered households of each target
    neighbourhood. Totals are per option (a multiple-choice answer counts once for each option
    chosen), never per combination. Every count under the municipality's small-cell threshold
    is null and named in `suppressed`, and a question never hides just one count (its
    `answered` would give it back): the next smallest is hidden with it."""
    return ctx.call(rpc.participation.SURVEY_RESULTS, survey_id=survey_id)


@api.operation(
    "GET", "/api/v1/city/surveys/{survey_id}/export.csv", tag=TAG_SURVEYS, roles=STAFF,
    summary="The responses as CSV (5,000 rows a page; next page's cursor in X-Next-Cursor)",
    query={"cursor": {"type": "string", "maxLength": 512},
           "limit": {"type": "integer", "minimum": 1, "maximum": 5000}},
    media_types=(CSV_TYPE,),
)
def export_survey(ctx, survey_id):
    """One row per response: id, neighbourhood, the day it was given (`submitted_on`, UTC; never
    the time), then one column per question (choices joined by ';', rankings by '>', matrix
    answers as row=column). The neighbourhood is empty where fewer households than the
    small-cell threshold answered (and in a second neighbourhood when only one would be)."""
    page = ctx.call(rpc.participation.EXPORT_SURVEY, survey_id=survey_id,
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))
    return csv_response(page["columns"], page["rows"], "survey-%s.csv" % survey_id,
                        page.get("next_cursor"))


# -- participatory budgets -------------------------------------------------------------------------

@api.operation("GET", "/api/v1/budgets", tag=TAG_BUDGETS, roles=RESIDENTS, query=PAGING,
               summary="Budgets you can take part in", response=PAGE)
def list_budgets(ctx):
    """City-wide budgets, and those of the neighbourhoods you see, newest first."""
    return ctx.call(rpc.participation.LIST_BUDGETS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation("GET", "/api/v1/budgets/{budget_id}", tag=TAG_BUDGETS, roles=RESIDENTS + CITY,
               summary="A budget: rules, phase, projects and your ballot", response=OBJECT)
def get_budget(ctx, budget_id):
    return ctx.call(rpc.participation.GET_BUDGET, budget_id=budget_id)


@api.operation("POST", "/api/v1/budgets/{budget_id}/projects", tag=TAG_BUDGETS,
               roles=RESIDENTS, status=201, body=PROJECT_BODY, response=OBJECT,
               idempotent=True, errors=(409,),
               summary="Propose a project (during the proposals phase)")
def propose_project(ctx, budget_id):
    """Its cost may not exceed the budget's cap. Outside the proposals phase: 409.
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.participation.PROPOSE_PROJECT, budget_id=budget_id, project=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation(
    "PUT", "/api/v1/budgets/{budget_id}/ballot", tag=TAG_BUDGETS, roles=RESIDENTS,
    summary="Cast or change your ballot (while voting is open)",
    body={"type": "object", "required": ["project_ids"], "additionalProperties": False,
          "properties": {"project_ids": {"type": "array", "minItems": 1, "maxItems": 1000,
                                         "items": ID}}},
    response={"type": "object", "properties": {
        "project_ids": {"type": "array", "items": ID}, "cast_at": DATE_TIME,
        "updated_at": DATE_TIME}},
    errors=(403, 409, 422),
)
def cast_ballot(ctx, budget_id):
    """A PUT replaces your ballot (so repeating it is harmless). Knapsack: the chosen costs
    add up to at most the cap (else 422 stating the sum and the cap); approval: at most
    `max_projects` projects (else 422). Under the household unit one adult casts the
    household's ballot and only they can change it (the others get 409)."""
    return ctx.call(rpc.participation.CAST_BALLOT, budget_id=budget_id,
                    project_ids=ctx.body["project_ids"])


@api.operation("GET", "/api/v1/budgets/{budget_id}/results", tag=TAG_BUDGETS,
               roles=RESIDENTS + CITY, response=OBJECT, errors=(409,),
               summary="The allocation (residents: once voting has closed)")
def budget_results(ctx, budget_id):
    """Projects ranked by votes (ties: cheaper first, then lower project id) and funded in
    that order while they fit in what is left of the cap."""
    return ctx.call(rpc.participation.BUDGET_RESULTS, budget_id=budget_id)


@api.operation("GET", "/api/v1/budgets/{budget_id}/results.csv", tag=TAG_BUDGETS,
               roles=RESIDENTS + CITY, errors=(409,), summary="The allocation as CSV",
               media_types=(CSV_TYPE,))
def budget_results_csv(ctx, budget_id):
    results = ctx.call(rpc.participation.BUDGET_RESULTS, budget_id=budget_id)
    columns = ("rank", "id", "title", "cost", "votes", "funded")
    return csv_response(columns, [[p[c] for c in columns] for p in results["projects"]],
                        "budget-%s-results.csv" % budget_id)


@api.operation("GET", "/api/v1/budgets/{budget_id}/log", tag=TAG_BUDGETS,
               roles=RESIDENTS + CITY, response=OBJECT,
               query={"after_seq": {"type": "integer", "minimum": 0},
                      "limit": {"type": "integer", "minimum": 1, "maximum": 1000}},
               summary="The budget's hash-chained log of rule changes and ballots")
def budget_log(ctx, budget_id):
    """Each entry's `hash` is sha256(previous hash + canonical JSON of the entry without its
    hash); voters appear under a per-budget pseudonym keyed with a secret only the service
    holds (a neighbour who knows your user id cannot find your ballot). Anyone who sees the
    budget can recount, and check the copy against the published heads (`/log/head`)."""
    return ctx.call(rpc.participation.BUDGET_LOG, budget_id=budget_id,
                    after_seq=ctx.query.get("after_seq", 0), limit=ctx.query.get("limit"))


@api.operation("GET", "/api/v1/budgets/{budget_id}/log/verify", tag=TAG_BUDGETS,
               roles=RESIDENTS + CITY, summary="Recompute the log and check the ballots",
               response={"type": "object", "properties": {
                   "valid": {"type": "boolean"}, "entries": {"type": "integer"},
                   "head": {"type": ["string", "null"]},
                   "problems": {"type": "array", "items": {"type": "string"}}}})
def verify_budget_log(ctx, budget_id):
    """Valid when every hash recomputes, the chain runs through every published head, and the
    stored ballots (which the results count) are exactly the last ballot each voter cast
    according to the log."""
    return ctx.call(rpc.participation.VERIFY_BUDGET_LOG, budget_id=budget_id)


LOG_HEAD = {"type": "object", "required": ["entries", "hash"], "properties": {
    "entries": {"type": "integer", "minimum": 0, "description": "entries in the log up to here"},
    "hash": {"type": "string", "description": "the hash of entry number `entries`"}}}


@api.operation("GET", "/api/v1/budgets/{budget_id}/log/head", tag=TAG_BUDGETS,
               roles=RESIDENTS + CITY, summary="The log's head now and at each phase change",
               response={"type": "object", "properties": {
                   "budget_id": ID, "head": LOG_HEAD,
                   "published": {"type": "array", "items": dict(LOG_HEAD, properties=dict(
                       LOG_HEAD["properties"], phase={"type": "string"},
                       published_at=DATE_TIME))}}})
def budget_log_head(ctx, budget_id):
    """A head is published (and announced in `budget_phase_changed`) at every phase change.
    Keep them: a copy of the log is genuine when its chain recomputes and entry `entries` has
    the published `hash` for every head, so even a store rewritten consistently from the first
    entry on is caught."""
    return ctx.call(rpc.participation.BUDGET_LOG_HEAD, budget_id=budget_id)


@api.operation("POST", "/api/v1/city/budgets", tag=TAG_BUDGETS, roles=STAFF, status=201,
               body=BUDGET_BODY, response=OBJECT, idempotent=True,
               summary="Create a participatory budget (city-wide or for a neighbourhood)")
def create_budget(ctx):
    return ctx.call(rpc.participation.CREATE_BUDGET, budget=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation("GET", "/api/v1/city/budgets", tag=TAG_BUDGETS, roles=CITY, query=PAGING,
               summary="The municipality's budgets", response=PAGE)
def list_city_budgets(ctx):
    return ctx.call(rpc.participation.LIST_BUDGETS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation("PATCH", "/api/v1/city/budgets/{budget_id}", tag=TAG_BUDGETS, roles=STAFF,
               body={"type": "object", "minProperties": 1, "properties": RULES,
                     "additionalProperties": False},
               response=OBJECT, errors=(409,), summary="Change a budget's rules")
def change_budget_rules(ctx, budget_id):
    """Logged. Once the first ballot is cast the rules are frozen: 409."""
    return ctx.call(rpc.participation.CHANGE_BUDGET_RULES, budget_id=budget_id,
                    changes=ctx.body)


@api.operation("POST", "/api/v1/city/budgets/{budget_id}/phase", tag=TAG_BUDGETS, roles=STAFF,
               body={"type": "object", "required": ["phase"], "additionalProperties": False,
                     "properties": {"phase": {"enum": ["proposals", "review", "voting",
                                                       "results"]}}},
               response=OBJECT, errors=(409,), idempotent=True,
               summary="Start a later phase now")
def advance_budget_phase(ctx, budget_id):
    """Only forward (409 otherwise); logged and announced (budget_phase_changed)."""
    return ctx.call(rpc.participation.ADVANCE_BUDGET_PHASE, budget_id=budget_id,
                    phase=ctx.body["phase"], idempotency_key=ctx.idempotency_key)


@api.operation(
    "PUT", "/api/v1/city/budgets/{budget_id}/projects/{project_id}/review", tag=TAG_BUDGETS,
    roles=STAFF, response=OBJECT, errors=(409,),
    body={"type": "object", "required": ["decision"], "additionalProperties": False,
          "properties": {"decision": {"enum": ["accepted", "rejected"]},
                         "reason": {"type": "string", "minLength": 1, "maxLength": 1000,
                                    "description": "required when rejecting"}}},
    summary="Accept or reject a proposed project (review phase)",
)
def review_project(ctx, budget_id, project_id):
    return ctx.call(rpc.participation.REVIEW_PROJECT, budget_id=budget_id,
                    project_id=project_id, decision=ctx.body["decision"],
                    reason=ctx.body.get("reason"))


# -- initiatives -----------------------------------------------------------------------------------

INITIATIVE_QUERY = dict(PAGING, status={"enum": ["open", "escalated", "answered"]})


@api.operation("POST", "/api/v1/initiatives", tag=TAG_INITIATIVES, roles=RESIDENTS,
               status=201, idempotent=True, response=OBJECT,
               body={"type": "object", "required": ["title", "text"],
                     "additionalProperties": False,
                     "properties": {"title": {"type": "string", "minLength": 1,
                                              "maxLength": 200}, "text": TEXT}},
               summary="Propose an initiative to your neighbourhood")
def propose_initiative(ctx):
    """Neighbours support it; at the municipality's threshold it escalates to the city.
    A suspended account gets 403 with `error.details.suspended_until`."""
    return ctx.call(rpc.participation.PROPOSE_INITIATIVE, initiative=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation("GET", "/api/v1/initiatives", tag=TAG_INITIATIVES, roles=RESIDENTS,
               query=INITIATIVE_QUERY, response=PAGE,
               summary="Initiatives of the neighbourhoods you see")
def list_initiatives(ctx):
    return ctx.call(rpc.participation.LIST_INITIATIVES, status=ctx.query.get("status"),
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))


@api.operation("GET", "/api/v1/initiatives/{initiative_id}", tag=TAG_INITIATIVES,
               roles=RESIDENTS + CITY, response=OBJECT, summary="An initiative")
def get_initiative(ctx, initiative_id):
    """Residents of its neighbourhood and followers; the city once it has escalated."""
    return ctx.call(rpc.participation.GET_INITIATIVE, initiative_id=initiative_id)


@api.operation("POST", "/api/v1/initiatives/{initiative_id}/supports", tag=TAG_INITIATIVES,
               roles=RESIDENTS, status=201, response=OBJECT, errors=(409,), idempotent=True,
               summary="Support an initiative (once)")
def support_initiative(ctx, initiative_id):
    """A second support, or supporting your own initiative, is 409 (a retry with the same
    Idempotency-Key gets the first answer)."""
    return ctx.call(rpc.participation.SUPPORT_INITIATIVE, initiative_id=initiative_id,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation("GET", "/api/v1/city/initiatives", tag=TAG_INITIATIVES, roles=CITY,
               query=INITIATIVE_QUERY, response=PAGE,
               summary="Initiatives escalated to the city")
def list_city_initiatives(ctx):
    """Escalated and answered ones only: below the threshold an initiative stays among
    residents."""
    return ctx.call(rpc.participation.LIST_INITIATIVES, status=ctx.query.get("status"),
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))


@api.operation("POST", "/api/v1/city/initiatives/{initiative_id}/answer", tag=TAG_INITIATIVES,
               roles=STAFF, response=OBJECT, errors=(409,),
               body={"type": "object", "required": ["response"], "additionalProperties": False,
                     "properties": {"response": TEXT}},
               idempotent=True, summary="Answer an escalated initiative")
def answer_initiative(ctx, initiative_id):
    return ctx.call(rpc.participation.ANSWER_INITIATIVE, initiative_id=initiative_id,
                    response=ctx.body["response"], idempotency_key=ctx.idempotency_key)


@api.operation("PUT", "/api/v1/city/initiatives/threshold", tag=TAG_INITIATIVES, roles=STAFF,
               body={"type": "object", "required": ["initiative_threshold"],
                     "additionalProperties": False,
                     "properties": {"initiative_threshold": {"type": "integer", "minimum": 2,
                                                             "maximum": 1000000}}},
               response=OBJECT,
               summary="Supports that escalate an initiative (for initiatives proposed from "
                       "now on)")
def set_initiative_threshold(ctx):
    return ctx.call(rpc.participation.SET_INITIATIVE_THRESHOLD,
                    threshold=ctx.body["initiative_threshold"])


# -- incident reports ------------------------------------------------------------------------------

@api.operation(
    "POST", "/api/v1/incidents", tag=TAG_INCIDENTS, roles=RESIDENTS, status=201,
    idempotent=True, response=OBJECT, summary="Report an incident to the city",
    body={"type": "object", "required": ["category", "location", "text"],
          "additionalProperties": False,
          "properties": {
              "category": {"enum": ["road", "pavement", "lighting", "waste", "graffiti",
                                    "green_space", "water", "noise", "traffic", "vandalism",
                                    "other"]},
              "location": {"type": "object", "required": ["latitude", "longitude"],
                           "additionalProperties": False,
                           "properties": {"latitude": {"type": "number"},
                                          "longitude": {"type": "number"},
                                          "description": {"type": "string",
                                                          "maxLength": 200}}},
              "text": TEXT}},
)
def report_incident(ctx):
    """The city (and its ticketing systems over gRPC) move it through received, in_progress,
    resolved or not_ours (with a reason); you see each change."""
    return ctx.call(rpc.participation.REPORT_INCIDENT, incident=ctx.body,
                    idempotency_key=ctx.idempotency_key), 201


@api.operation("GET", "/api/v1/incidents", tag=TAG_INCIDENTS, roles=RESIDENTS, query=PAGING,
               response=PAGE, summary="Your incident reports, newest first")
def list_my_incidents(ctx):
    return ctx.call(rpc.participation.LIST_MY_INCIDENTS, cursor=ctx.query.get("cursor"),
                    limit=ctx.query.get("limit"))


@api.operation("GET", "/api/v1/incidents/{incident_id}", tag=TAG_INCIDENTS,
               roles=RESIDENTS + CITY, response=OBJECT,
               summary="An incident report with its status history")
def get_incident(ctx, incident_id):
    """Its reporter and the city only; anyone else gets 404."""
    return ctx.call(rpc.participation.GET_INCIDENT, incident_id=incident_id)


@api.operation("GET", "/api/v1/city/incidents", tag=TAG_INCIDENTS, roles=CITY,
               query={"after_sequence": {"type": "integer", "minimum": 0},
                      "limit": {"type": "integer", "minimum": 1, "maximum": 500},
                      "status": {"enum": ["received", "in_progress", "resolved", "not_ours"]}},
               response={"type": "object", "properties": {
                   "items": {"type": "array", "items": OBJECT},
                   "last_sequence": {"type": "integer"}}},
               summary="The municipality's incident reports in arrival order")
def list_city_incidents(ctx):
    """Pass the `last_sequence` of one page as `after_sequence` for the next: reports are
    numbered as they arrive, so polling from the last number seen misses none."""
    return ctx.call(rpc.participation.LIST_INCIDENTS,
                    after_sequence=ctx.query.get("after_sequence", 0),
                    limit=ctx.query.get("limit"), status=ctx.query.get("status"))


@api.operation("PUT", "/api/v1/city/incidents/{incident_id}/status", tag=TAG_INCIDENTS,
               roles=STAFF, response=OBJECT, errors=(409,),
               body={"type": "object", "required": ["status"], "additionalProperties": False,
                     "properties": {
                         "status": {"enum": ["received", "in_progress", "resolved",
                                             "not_ours"]},
                         "reason": {"type": "string", "minLength": 1, "maxLength": 1000,
                                    "description": "required for not_ours"}}},
               summary="Move an incident report on")
def set_incident_status(ctx, incident_id):
    """resolved and not_ours are final (409 after); setting the current status again changes
    nothing."""
    return ctx.call(rpc.participation.SET_INCIDENT_STATUS, incident_id=incident_id,
                    status=ctx.body["status"], reason=ctx.body.get("reason"))


# -- statistics ------------------------------------------------------------------------------------

@api.operation("GET", "/api/v1/city/participation", tag=TAG_SURVEYS, roles=CITY,
               response={"type": "object", "properties": {
                   "surveys": {"type": "array", "items": {"type": "object", "properties": {
                       "survey_id": ID, "title": {"type": "string"},
                       "status": {"type": "string"},
                       "neighbourhoods": {"type": "array", "items": PARTICIPATION_CELL}}}},
                   "budgets": {"type": "array", "items": {"type": "object", "properties": {
                       "budget_id": ID, "title": {"type": "string"},
                       "phase": {"type": "string"},
                       "neighbourhoods": {"type": "array", "items": PARTICIPATION_CELL}}}}}},
               summary="Participation per neighbourhood of every survey and budget")
def participation_stats(ctx):
    """Households taking part / registered households; counts under the small-cell threshold
    suppressed, with a second cell beside a lone one. A budget's vote totals are not here: they
    are its public results by design (every ballot is in its public log)."""
    return ctx.call(rpc.participation.PARTICIPATION_STATS)


SETTINGS = {"type": "object", "properties": {"small_cell_threshold": {
    "type": "integer", "minimum": 10, "maximum": 1000,
    "description": "counts of fewer households than this are suppressed in every statistic "
                   "and export (the platform's 10 unless the municipality set it higher)"}}}


@api.operation("GET", "/api/v1/city/statistics/settings", tag=TAG_SURVEYS, roles=CITY,
               response=SETTINGS, summary="Your municipality's small-cell threshold")
def statistics_settings(ctx):
    return ctx.call(rpc.participation.STATISTICS_SETTINGS)


@api.operation("PUT", "/api/v1/city/statistics/settings", tag=TAG_SURVEYS, roles=(ADMIN,),
               body=dict(SETTINGS, required=["small_cell_threshold"],
                         additionalProperties=False),
               response=SETTINGS, errors=(403,),
               summary="Make the small-cell threshold stricter (admins)")
def set_statistics_settings(ctx):
    """From 10 (the platform's, never laxer) to 1000; applies to the city's statistics over
    HTTP and gRPC, survey results and exports."""
    return ctx.call(rpc.participation.SET_STATISTICS_SETTINGS,
                    small_cell_threshold=ctx.body["small_cell_threshold"])
