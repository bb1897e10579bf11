"""Abuse: malformed or unexpected input on any route answered 500 (a traceback), or answers the
OpenAPI document does not describe (statuses, bodies, content types clients cannot expect).

schemathesis generates requests from the document served at /api/v1/openapi.json, valid ones
(positive) and ones breaking the schema (negative), for every operation, as each role: no token,
resident, city_staff, moderator and admin. Every answer must be: never 5xx, a status the operation
documents, the documented content type, a body matching its schema.

To get past the 404 of an unknown id, the run first collects real ids (a post, a comment, a
conversation...) and every id any answer mentions (`id` of a created object, `*_id` fields), then
runs every operation with path parameters again with those ids.

The accounts are the fuzzer's own, in a municipality of its own (stack.build_town), so what it
creates, changes or erases (its rules, its map, DELETE /me) touches no other test. Its requests
come from a loopback address of their own: the per-client limits they trip (invitation codes)
are not the other tests' client's.

Then a stateful phase follows the document's links (a created object's id into the operations
on it) for a few scenarios per role.

QUARTIER_FUZZ_EXAMPLES sets the examples per operation and role (default 3),
QUARTIER_FUZZ_SCENARIOS the stateful scenarios per role (default 5): raise them for a deeper local
run; QUARTIER_FUZZ_RANDOM=1 draws new examples instead of the same ones each run.
"""
import datetime
import os
from dataclasses import dataclass, field

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance)

from deploy.local import seed
from tests.e2e import stack

pytestmark = pytest.mark.timeout(600)

EXAMPLES = int(os.environ.get("QUARTIER_FUZZ_EXAMPLES", "3"))
RANDOM = os.environ.get("QUARTIER_FUZZ_RANDOM") == "1"
# The stateful phase: scenarios per role and calls per scenario.
STATEFUL_SCENARIOS = int(os.environ.get("QUARTIER_FUZZ_SCENARIOS", "5"))
STATEFUL_STEPS = 6
# The fuzzer's own client address (the gateway's per-client limits key on the peer address).
SOURCE_ADDRESS = "127.0.0.61"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def no_server_error_but_the_missing_translation_provider(ctx, response, case):
    """This platform runs without a machine translation provider, on purpose (the translation
    tests start one): its translation routes answer that 503. Any other 5xx still fails."""
    if response.status_code < 500:
        return True
    error = (response.json() or {}).get("error", {}) if response.status_code == 503 else {}
    if error.get("code") == "unavailable" and "no machine translation provider" in error.get(
            "message", ""):
        return True
    raise AssertionError("server error %d: %s" % (response.status_code, response.text[:300]))


TRANSLATION_CHECKS = [no_server_error_but_the_missing_translation_provider] + CHECKS[1:]
# Run first: their objects feed the id pool of the roles after them. "none" last.
ROLES = ("resident", "city_staff", "moderator", "admin", "none")
# Erases the account fuzzing: each role runs it last.
ERASE_ME = ("DELETE", "/api/v1/me")
# A created object's `id` names the path parameter of the collection it was created in.
COLLECTION_PARAMS = {
    "posts": "post_id", "comments": "comment_id", "conversations": "conversation_id",
    "messages": "message_id", "events": "event_id", "incidents": "incident_id",
    "initiatives": "initiative_id", "surveys": "survey_id", "budgets": "budget_id",
    "projects": "project_id", "organisations": "organisation_id", "callouts": "callout_id",
    "rules": "rule_id", "api-keys": "key_id", "neighbourhoods": "neighbourhood_id",
    "municipalities": "municipality_id", "feed": "post_id", "queue": "case_id",
    "announcements": "post_id", "members": "user_id", "blocks": "user_id",
    "accounts": "user_id", "cases": "case_id",
}
MAX_IDS_PER_PARAM = 4


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source_ip):
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class FuzzRun:
    base_url: str
    schema: object
    tokens: dict
    erasing_tokens: dict
    ids: dict = field(default_factory=dict)  # path parameter name -> [known ids]
    session: requests.Session = field(default_factory=requests.Session)

    def remember(self, name, value):
        if isinstance(value, str) and value and len(value) <= 64:
            known = self.ids.setdefault(name, [])
            if value not in known and len(known) < MAX_IDS_PER_PARAM:
                known.append(value)

    def harvest(self, path, payload):
        """Every id an answer mentions, under the path parameter it fills."""
        segments = [s for s in path.split("/") if s and not s.startswith("{")]
        collection = COLLECTION_PARAMS.get(segments[-1]) if segments else None

        def walk(value, owner):
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "id" and owner:
                        self.remember(owner, item)
                    elif key.endswith("_id"):
                        self.remember(key, item)
                    walk(item, COLLECTION_PARAMS.get(key, owner))
            elif isinstance(value, list):
                for item in value:
                    walk(item, owner)

        walk(payload, collection)


def _seed_objects(town, run):
    """A post with a comment, a conversation, an event, a survey and a budget, made the ordinary
    way, so that the routes on them are fuzzed with ids that exist."""
    api, rita = town.api, town.tokens["rita"]
    post = api.request("POST", "/api/v1/posts", rita, json={
        "category": "message", "title": "Fuzz target", "body": "A post for the fuzzer"})
    if post.ok:
        run.harvest("/api/v1/posts", post.json())
        comment = api.request("POST", "/api/v1/posts/%s/comments" % post.json()["id"], rita,
                              json={"body": "A comment for the fuzzer"})
        if comment.ok:
            run.harvest("/api/v1/posts/{post_id}/comments", comment.json())
    conversation = api.request("POST", "/api/v1/conversations", rita,
                               json={"member_ids": [town.users["noor"]]})
    if conversation.ok:
        run.harvest("/api/v1/conversations", conversation.json())
    starts = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)).replace(
        microsecond=0)
    event = api.request("POST", "/api/v1/neighbourhoods/%s/events" % town.homes["rita"], rita,
                        json={"title": "Street party", "description": "Bring a dish",
                              "starts_at": starts.isoformat(),
                              "ends_at": (starts + datetime.timedelta(hours=3)).isoformat(),
                              "place": "By the fountain"})
    if event.ok:
        run.harvest("/api/v1/events", event.json())
    # The demo seed's survey (a single-choice question among others) and budget, in this town.
    now = datetime.datetime.now(datetime.timezone.utc)
    for path, body in (("/api/v1/city/surveys", seed._demo_survey(list(town.cells.values()), now)),
                       ("/api/v1/city/budgets", seed._demo_budget(now))):
        created = api.request("POST", path, town.staff, json=body)
        assert created.status_code == 201, created.text
        run.harvest(path, created.json())
    for path in ("/api/v1/neighbourhoods", "/api/v1/surveys", "/api/v1/budgets",
                 "/api/v1/feed", "/api/v1/municipalities"):
        listed = api.request("GET", path, rita)
        if listed.ok:
            run.harvest(path, listed.json())
    run.remember("user_id", town.users["noor"])


@pytest.fixture(scope="module")
def fuzz(platform):
    running = platform.platform
    town = stack.build_town(running, "fuzz", 1, 2, {
        "rita": ((0, 0), "Rue du Fuzz", "Rita Fuzz"),
        "noor": ((0, 1), "Rue du Fuzz", "Noor Fuzz"),
        "erin": ((0, 1), "Rue du Fuzz", "Erin Fuzz"),
    })
    tokens = {
        "none": None,
        "resident": town.tokens["rita"],
        "city_staff": town.staff,
        "moderator": stack.add_staff_account(town, running, "fuzz", "moderator", "Mo Fuzz"),
        "admin": stack.add_staff_account(town, running, "fuzz", "admin", "Ada Fuzz"),
    }
    schema = schemathesis.openapi.from_url(running.http_url + "/api/v1/openapi.json")
    # The resident erases an account of their own, so the objects the next roles fuzz survive.
    run = FuzzRun(base_url=running.http_url, schema=schema, tokens=tokens,
                  erasing_tokens=dict(tokens, resident=town.tokens["erin"]))
    run.session.mount("http://", SourceAddressAdapter(SOURCE_ADDRESS))
    _seed_objects(town, run)
    yield run
    run.session.close()


def _operations(schema):
    """Every operation but the erasure, and the erasure."""
    operations = [result.ok() for result in schema.get_all_operations()]
    erase = [op for op in operations if (op.method.upper(), op.path) == ERASE_ME]
    return [op for op in operations if op not in erase], erase


def _may_call(operation, role):
    """Whether `role` gets past the gateway's authentication and role check on `operation`."""
    definition = operation.definition.raw
    if not definition.get("security"):
        return True
    return role != "none" and role in definition.get("x-roles", ROLES)


def _fuzz_operation(run, operation, token, path_parameters, failures, counter, examples=EXAMPLES):
    strategies = [operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
                  for mode in (schemathesis.GenerationMode.POSITIVE,
                               schemathesis.GenerationMode.NEGATIVE)]
    headers = {"Authorization": "Bearer " + token} if token else {}
    checks = TRANSLATION_CHECKS if operation.path.endswith("/translation") else CHECKS

    @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                         derandomize=not RANDOM, phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=st.one_of(strategies))
    def run_case(case):
        if token and "Authorization" in (case.headers or {}):
            del case.headers["Authorization"]
        counter["cases"] += 1
        try:
            response = case.call_and_validate(session=run.session, headers=headers,
                                              checks=checks, timeout=30)
        except (Failure, FailureGroup, AssertionError) as exc:
            failures.append("%s %s -> %s" % (operation.method.upper(), operation.path,
                                             _summary(exc)))
            return
        counter["statuses"].add(response.status_code)
        if 200 <= response.status_code < 300:
            try:
                run.harvest(operation.path, response.json())
            except ValueError:
                pass

    run_case()


def _stateful(run, role, failures, counter):
    """Scenarios following the document's links: create an object, then call the operations on
    it with its id (a post, then its comments, share, report...)."""
    headers = {"Authorization": "Bearer " + run.tokens[role]} if run.tokens[role] else {}
    schema = run.schema.exclude(method="DELETE", path=ERASE_ME[1])

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"session": run.session, "headers": headers, "timeout": 30}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            counter["stateful steps"] += 1
            counter["statuses"].add(response.status_code)
            checks = (TRANSLATION_CHECKS if case.operation.path.endswith("/translation")
                      else CHECKS)
            try:
                case.validate_response(response, checks=checks, headers=headers,
                                       transport_kwargs=kwargs)
            except (Failure, FailureGroup, AssertionError) as exc:
                failures.append("stateful %s %s -> %s" % (
                    case.operation.method.upper(), case.operation.path, _summary(exc)))

    Workflow.run(settings=hypothesis.settings(
        max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, deadline=None,
        database=None, derandomize=not RANDOM, phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck)))


def _summary(exc):
    text = str(exc).strip().replace("\n", " | ")
    return text[:600]


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_finds_no_5xx_and_no_undocumented_answer(healthy_platform, fuzz, role):
    token = fuzz.tokens[role]
    failures, counter = [], {"cases": 0, "stateful steps": 0, "statuses": set()}
    operations, erase = _operations(fuzz.schema)
    # First with generated ids (mostly unknown: 404), then, for operations with path
    # parameters, with ids that exist (gathered so far by every role, this one included).
    for operation in operations:
        # A role the route refuses gets the same 401/403 whatever it sends: one example.
        _fuzz_operation(fuzz, operation, token, None, failures, counter,
                        EXAMPLES if _may_call(operation, role) else 1)
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        if names and _may_call(operation, role) and all(fuzz.ids.get(name) for name in names):
            for values in zip(*(fuzz.ids[name] for name in names)):
                _fuzz_operation(fuzz, operation, token, dict(zip(names, values)), failures,
                                counter)
    _stateful(fuzz, role, failures, counter)
    for operation in erase:
        _fuzz_operation(fuzz, operation, fuzz.erasing_tokens[role], None, failures, counter)
    print("schemathesis as %s: %d operations, %d cases, %d stateful steps, %d failing, "
          "statuses %s, ids known for %s" % (
              role, len(operations) + len(erase), counter["cases"], counter["stateful steps"],
              len(failures), sorted(counter["statuses"]), sorted(fuzz.ids)))
    assert not failures, "%d failing cases as %s:\n%s" % (
        len(failures), role, "\n".join(sorted(set(failures))))


def test_the_answers_random_input_rarely_reaches_are_documented(healthy_platform, fuzz):
    """Answers a fuzzer seldom provokes, provoked on purpose and held to the same checks: a wrong
    password, an unknown refresh token, no helper profile, an Idempotency-Key reused with another
    body, a nested body."""
    resident = {"Authorization": "Bearer " + fuzz.tokens["resident"]}
    key = {"Idempotency-Key": "fuzz-%s" % os.getpid()}
    post = {"category": "message", "title": "Once", "body": "Sent once"}
    cases = [
        ("/api/v1/auth/login", "POST", {}, {"email": "nobody@fuzz.example", "password": "x"}, 401),
        ("/api/v1/auth/refresh", "POST", {}, {"refresh_token": "not-a-token"}, 401),
        ("/api/v1/me/helper-profile", "GET", resident, None, 404),
        ("/api/v1/posts", "POST", dict(resident, **key), post, 201),
        ("/api/v1/posts", "POST", dict(resident, **key), dict(post, body="Another"), 422),
    ]
    for path, method, headers, body, status in cases:
        operation = fuzz.schema[path][method]
        case = operation.Case(headers=headers, **({} if body is None else {"body": body}))
        response = case.call_and_validate(session=fuzz.session, checks=CHECKS, timeout=30)
        assert response.status_code == status, (path, response.text)
    nested = fuzz.session.post(fuzz.base_url + "/api/v1/auth/login", data="[" * 5000 + "]" * 5000,
                               headers={"Content-Type": "application/json"}, timeout=30)
    fuzz.schema["/api/v1/auth/login"]["POST"].Case(body={}).validate_response(
        nested, checks=CHECKS)
    assert nested.status_code == 400
