"""The Municipal gRPC service served for real on a free port, with a scripted RPC client in place of
the broker: API-key authentication and its cache, the municipality boundary, the register import
(chunks, row numbers, repeats across chunks), the shared statistics, the incident stream and
deadlines."""
import sys
import threading

import grpc
import pytest

from contracts import errors, rpc, services
from contracts.caller import MUNICIPAL_SYSTEM, SYSTEM
from contracts.errors import DomainError
from gateway import city_stats
from gateway.grpc import api_keys as grpc_api_keys
from gateway.grpc import municipal, municipal_example
from gateway.grpc.errors import ERROR_CODE_KEY
from gateway.grpc.protos import municipal_pb2, municipal_pb2_grpc
from gateway.grpc.server import MUNICIPAL_SERVICE, build_server, load
from tests.waiting import wait_until

if "eventlet" in sys.modules and sys.modules["eventlet"].patcher.is_monkey_patched("thread"):
    raise RuntimeError("gRPC tests must not run under eventlet.monkey_patch()")

pytestmark = pytest.mark.timeout(30)

KEY = "qk_%s_%s" % ("a" * 16, "S" * 43)
OTHER_KEY = "qk_%s_%s" % ("b" * 16, "T" * 43)
MONS, LUX = "m-mons", "m-lux"
AUTH = (("authorization", "Bearer " + KEY),)


class Answer:
    def __init__(self, outcome):
        self._outcome = outcome

    def result(self):
        if isinstance(self._outcome, Exception):
            raise self._outcome
        return self._outcome


class ScriptedRpc:
    """Answers each RPC method with a function of its kwargs; records every call."""

    def __init__(self):
        self.calls = []
        self.keys = {KEY: MONS, OTHER_KEY: LUX}
        self.lock = threading.Lock()
        self.answers = {
            rpc.identity.AUTHENTICATE_API_KEY: self._authenticate,
        }
        for name in services.ALL:
            self.answers[rpc.HEALTH[name]] = lambda **_: {"status": "ok"}

    def _authenticate(self, caller, api_key):
        assert caller["role"] == SYSTEM
        if api_key not in self.keys:
            raise DomainError(errors.UNAUTHENTICATED, "unknown or revoked API key")
        return {"key_id": api_key[3:19], "municipality_id": self.keys[api_key], "name": "GIS",
                "role": MUNICIPAL_SYSTEM, "user_id": "apikey:" + api_key[3:19]}

    def calls_to(self, method):
        with self.lock:
            return [kwargs for m, kwargs in self.calls if m == method]

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        with self.lock:
            self.calls.append((method, dict(kwargs, timeout=timeout)))
        try:
            return Answer(self.answers[method](**kwargs))
        except DomainError as exc:
            return Answer(exc)

    def call(self, method, timeout=None, request_id=None, **kwargs):
        return self.call_async(method, timeout=timeout, request_id=request_id, **kwargs).result()


@pytest.fixture
def scripted():
    return ScriptedRpc()


@pytest.fixture
def stub(scripted, monkeypatch):
    monkeypatch.setattr(municipal, "INCIDENT_POLL_SECONDS", 0.05)
    config = load()
    config.update(GRPC_HOST="127.0.0.1", GRPC_PORT=0, METRICS_PORT=0, RPC_TIMEOUT=4.0,
                  HEALTH_INTERVAL=0.05, API_KEY_CACHE_SECONDS=0.2)
    server, port, poller = build_server(config, scripted)
    server.start()
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            yield municipal_pb2_grpc.MunicipalStub(channel)
    finally:
        poller.stop()
        server.stop(None)


def failure(call, *args, **kwargs):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args, **kwargs)
    error = raised.value
    return error.code(), dict(error.trailing_metadata() or ()).get(ERROR_CODE_KEY)


# -- who is calling ------------------------------------------------------------------------------

def test_no_key_an_unknown_key_or_a_malformed_header_is_unauthenticated(stub, scripted):
    scripted.answers[rpc.participation.SURVEY_RESULTS] = lambda **_: {"questions": []}
    request = municipal_pb2.GetSurveyResultsRequest(municipality_id=MONS, survey_id="s1")
    assert failure(stub.GetSurveyResults, request, timeout=5) == (
        grpc.StatusCode.UNAUTHENTICATED, errors.UNAUTHENTICATED)
    for header in ("Bearer qk_%s_%s" % ("c" * 16, "U" * 43), "Basic " + KEY, KEY):
        assert failure(stub.GetSurveyResults, request, timeout=5,
                       metadata=(("authorization", header),))[0] == \
            grpc.StatusCode.UNAUTHENTICATED
    assert scripted.calls_to(rpc.participation.SURVEY_RESULTS) == []


def test_a_key_reaches_only_its_own_municipality(stub, scripted):
    scripted.answers[rpc.participation.SURVEY_RESULTS] = lambda **_: {"questions": []}
    assert failure(stub.GetSurveyResults,
                   municipal_pb2.GetSurveyResultsRequest(municipality_id=LUX, survey_id="s1"),
                   metadata=AUTH, timeout=5) == (grpc.StatusCode.PERMISSION_DENIED,
                                                 errors.FORBIDDEN)
    assert scripted.calls_to(rpc.participation.SURVEY_RESULTS) == []
    stub.GetSurveyResults(municipal_pb2.GetSurveyResultsRequest(
        municipality_id=MONS, survey_id="s1"), metadata=AUTH, timeout=5)
    (sent,) = scripted.calls_to(rpc.participation.SURVEY_RESULTS)
    assert sent["caller"] == {"user_id": "apikey:" + "a" * 16, "role": MUNICIPAL_SYSTEM,
                              "municipality_id": MONS, "neighbourhood_id": None,
                              "household_id": None}


def test_a_keys_check_is_cached_for_five_seconds_then_asked_again():
    scripted = ScriptedRpc()
    now = [100.0]
    authenticator = grpc_api_keys.ApiKeyAuthenticator(scripted, 2.0, clock=lambda: now[0])
    for _ in range(3):
        assert authenticator.identify(AUTH)["municipality_id"] == MONS
    assert len(scripted.calls_to(rpc.identity.AUTHENTICATE_API_KEY)) == 1
    del scripted.keys[KEY]  # revoked
    now[0] += 4.9
    authenticator.identify(AUTH)  # still within the documented window
    now[0] += 0.2
    with pytest.raises(DomainError) as refused:
        authenticator.identify(AUTH)
    assert refused.value.code == errors.UNAUTHENTICATED


def test_an_identity_outage_is_unavailable_and_not_remembered():
    scripted = ScriptedRpc()
    authenticator = grpc_api_keys.ApiKeyAuthenticator(scripted, 2.0)

    def down(**_):
        raise DomainError(errors.UNAVAILABLE, "identity is not running")

    scripted.answers[rpc.identity.AUTHENTICATE_API_KEY] = down
    with pytest.raises(DomainError) as failed:
        authenticator.identify(AUTH)
    assert failed.value.code == errors.UNAVAILABLE
    scripted.answers[rpc.identity.AUTHENTICATE_API_KEY] = scripted._authenticate
    assert authenticator.identify(AUTH)["municipality_id"] == MONS


# -- the register ---------------------------------------------------------------------------------

def fake_import(municipality_id, csv_text, first_line, caller):
    """identity's import_addresses in miniature: rows without a street are rejected."""
    lines = csv_text.strip("\n").split("\n")[1:]
    rejected = [{"line": first_line + i, "address_id": line.split(",")[0],
                 "reason": "missing street"} for i, line in enumerate(lines)
                if line.split(",")[1] == ""]
    return {"received": len(lines), "created": len(lines) - len(rejected), "updated": 0,
            "unchanged": 0, "rejected": rejected}


def address_rows(count, municipality_id=MONS):
    for n in range(1, count + 1):
        yield municipal_pb2.AddressRow(
            municipality_id=municipality_id if n == 1 else "", address_id="a%d" % n,
            household_id="h%d" % n, street="" if n % 100 == 0 else "Rue %d" % n, number="1",
            postcode="7000", locality="Mons", latitude=50.45, longitude=3.95)


def test_the_register_goes_to_identity_in_chunks_and_rejections_name_stream_rows(stub, scripted):
    scripted.answers[rpc.identity.IMPORT_ADDRESSES] = fake_import
    rows = list(address_rows(1200))
    rows.append(municipal_pb2.AddressRow(address_id="a5", household_id="h-x", street="Rue",
                                         number="2", postcode="7000", locality="Mons",
                                         latitude=50.4, longitude=3.9))
    answer = stub.ImportAddresses(iter(rows), metadata=AUTH, timeout=10)
    chunks = scripted.calls_to(rpc.identity.IMPORT_ADDRESSES)
    assert [c["first_line"] for c in chunks] == [2, 502, 1002]
    assert chunks[0]["csv_text"].startswith(",".join(municipal.ADDRESS_COLUMNS) + "\n")
    assert (answer.received, answer.created, answer.rejected_count) == (1201, 1188, 13)
    assert [(r.row, r.address_id) for r in answer.rejected][:2] == [(100, "a100"), (200, "a200")]
    assert (answer.rejected[-1].row, answer.rejected[-1].reason) == (
        1201, "address_id repeated in this file")


def test_an_import_naming_another_municipality_imports_nothing(stub, scripted):
    scripted.answers[rpc.identity.IMPORT_ADDRESSES] = fake_import
    assert failure(stub.ImportAddresses, address_rows(3, municipality_id=LUX), metadata=AUTH,
                   timeout=5)[0] == grpc.StatusCode.PERMISSION_DENIED
    assert failure(stub.ImportAddresses, iter(()), metadata=AUTH,
                   timeout=5)[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert scripted.calls_to(rpc.identity.IMPORT_ADDRESSES) == []


# -- statistics -----------------------------------------------------------------------------------

def script_statistics(scripted):
    """The services' answers as they send them: small cells already hidden and named."""
    scripted.answers[rpc.participation.STATISTICS_SETTINGS] = lambda **_: {
        "small_cell_threshold": 12}
    scripted.answers[rpc.identity.POPULATION_STATISTICS] = lambda **_: {
        "neighbourhoods": {"n1": {"register_households": 200, "households": 30, "users": 41},
                           "n2": {"register_households": 9, "households": None,
                                  "users": None, "suppressed": ["households", "users"]}}}
    scripted.answers[rpc.neighbourhood.LIST_NEIGHBOURHOODS] = lambda **_: {"items": [
        {"id": "n1", "name": "Centre", "state": "active"},
        {"id": "n2", "name": "Nord", "state": "pending"}]}
    scripted.answers[rpc.feed.STATISTICS] = lambda **_: {
        "neighbourhoods": {"n1": {"posts": 5, "comments": 7, "reactions": 9}},
        "categories": {"message": 40, "pet": None, "event": None},
        "categories_suppressed": ["event", "pet"],
        "weeks": {"2026-W47": {"posts": 5, "comments": 7, "reactions": 9},
                  "2026-W46": {"posts": 0, "comments": 1, "reactions": 0}}}
    scripted.answers[rpc.participation.PARTICIPATION_STATS] = lambda **_: {
        "surveys": [{"survey_id": "s1", "title": "Our park", "status": "open",
                     "neighbourhoods": [{"neighbourhood_id": "n1", "registered_households": 30,
                                         "participating_households": None, "rate": None,
                                         "suppressed": True}]}],
        "budgets": []}
    scripted.answers[rpc.neighbourhood.HELPER_STATISTICS] = lambda **_: {
        "neighbourhoods": [{"neighbourhood_id": "n1", "name": "Centre", "helpers": None,
                            "volunteers": 0, "suppressed": ["helpers"]},
                           {"neighbourhood_id": "n2", "name": "Nord", "helpers": None,
                            "volunteers": 0, "suppressed": ["helpers"]}],
        "helpers": 26, "volunteers": 0, "suppressed": [],
        "skills": [{"skill": "gardening", "helpers": 23, "volunteers": 0,
                    "skill_label": "Gardening"},
                   {"skill": "sewing", "helpers": None, "volunteers": 0,
                    "skill_label": "Sewing", "suppressed": ["helpers"]}]}


def test_stats_join_four_services_and_leave_out_every_text(stub, scripted):
    script_statistics(scripted)
    stats = stub.GetNeighbourhoodStats(
        municipal_pb2.GetNeighbourhoodStatsRequest(municipality_id=MONS), metadata=AUTH,
        timeout=5)
    centre, north = stats.neighbourhoods
    assert (centre.register_households, centre.households, centre.users,
            centre.adoption_rate) == (200, 30, 41, 0.15)
    assert (centre.activity.posts, centre.activity.comments, centre.activity.reactions) == \
        (5, 7, 9)
    assert (north.register_households, north.state) == (9, "pending")
    # Hidden figures are unset (not 0) and named; nothing is derived from them.
    assert not north.HasField("households") and not north.HasField("adoption_rate")
    assert list(north.suppressed) == ["households", "users", "adoption_rate", "helpers"]
    assert [w.week for w in stats.weeks] == ["2026-W46", "2026-W47"]
    assert dict(stats.posts_by_category) == {"message": 40}
    assert list(stats.categories_suppressed) == ["event", "pet"]
    assert stats.helpers_available and (stats.helpers, stats.volunteers) == (26, 0)
    assert not centre.HasField("helpers") and centre.HasField("volunteers")
    assert [(k.skill, k.HasField("helpers"), list(k.suppressed))
            for k in stats.helper_skills] == [("gardening", True, []),
                                              ("sewing", False, ["helpers"])]
    assert stats.small_cell_threshold == 12
    cell = stats.surveys[0].neighbourhoods[0]
    assert cell.suppressed and not cell.HasField("rate")
    assert "Our park" not in str(stats)
    for method in (rpc.identity.POPULATION_STATISTICS, rpc.feed.STATISTICS,
                   rpc.participation.PARTICIPATION_STATS, rpc.neighbourhood.HELPER_STATISTICS):
        (sent,) = scripted.calls_to(method)
        assert sent["municipality_id"] == MONS and sent["caller"]["role"] == MUNICIPAL_SYSTEM
        assert sent["small_cell"] == 12


def test_the_aggregation_is_the_one_the_http_route_serves(scripted):
    script_statistics(scripted)
    document = city_stats.city_statistics(
        lambda method, **kwargs: scripted.call_async(method, **kwargs), MONS)
    assert document["neighbourhoods"][0]["adoption_rate"] == 0.15
    assert document["helpers"] == 26 and document["surveys"][0]["survey_id"] == "s1"
    assert document["posts_by_category"] == {"event": None, "message": 40, "pet": None}
    assert "title" not in document["surveys"][0]


# -- incidents ------------------------------------------------------------------------------------

def incident(sequence, status="received"):
    return {"sequence": sequence, "id": "i%d" % sequence, "neighbourhood_id": "n1",
            "category": "lighting", "location": {"latitude": 50.4, "longitude": 3.9,
                                                 "description": None},
            "text": "lamp out", "status": status, "reason": None,
            "created_at": "2026-11-22T03:00:00+00:00", "updated_at": "2026-11-22T03:00:00+00:00",
            "history": [{"status": status, "reason": None, "at": "2026-11-22T03:00:00+00:00"}]}


def test_the_incident_stream_resumes_after_the_cursor_and_follows_new_reports(stub, scripted):
    reported = [incident(n) for n in (3, 5, 8)]
    lock = threading.Lock()

    def list_incidents(after_sequence, limit, status, municipality_id, caller):
        with lock:
            found = [i for i in reported if i["sequence"] > after_sequence][:limit]
        return {"items": found, "last_sequence": found[-1]["sequence"] if found else
                after_sequence}

    scripted.answers[rpc.participation.LIST_INCIDENTS] = list_incidents
    stream = stub.StreamIncidentReports(municipal_pb2.StreamIncidentReportsRequest(
        municipality_id=MONS, after_sequence=3), metadata=AUTH, timeout=10)
    received = [next(stream).sequence, next(stream).sequence]
    with lock:
        reported.append(incident(13))
    received.append(next(stream).sequence)
    stream.cancel()
    assert received == [5, 8, 13]


def no_incidents(after_sequence, limit, status, municipality_id, caller):
    return {"items": [], "last_sequence": after_sequence}


def open_stream(stub, timeout=10):
    stream = stub.StreamIncidentReports(municipal_pb2.StreamIncidentReportsRequest(
        municipality_id=MONS), metadata=AUTH, timeout=timeout)
    outcome = {}

    def read():
        try:
            list(stream)
        except grpc.RpcError as error:
            outcome["code"] = error.code()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return stream, reader, outcome


def test_open_streams_are_capped_at_half_the_worker_threads(stub, scripted):
    polling = set()  # server threads polling for a stream: one each

    def list_incidents(**kwargs):
        polling.add(threading.get_ident())
        return no_incidents(**kwargs)

    scripted.answers[rpc.participation.LIST_INCIDENTS] = list_incidents
    streams = [open_stream(stub) for _ in range(8)]  # MAX_WORKERS 16 in the default config

    def all_polling():
        return len(polling) >= 8

    wait_until(all_polling, 5, interval=0.01)
    extra = stub.StreamIncidentReports(municipal_pb2.StreamIncidentReportsRequest(
        municipality_id=MONS), metadata=AUTH, timeout=5)
    assert failure(list, extra)[0] == grpc.StatusCode.RESOURCE_EXHAUSTED
    # Unary calls still have threads.
    scripted.answers[rpc.participation.SURVEY_RESULTS] = lambda **_: {"questions": []}
    stub.GetSurveyResults(municipal_pb2.GetSurveyResultsRequest(
        municipality_id=MONS, survey_id="s1"), metadata=AUTH, timeout=5)
    for stream, reader, _ in streams:
        stream.cancel()
        reader.join(5)
    again, reader, _ = open_stream(stub)
    again.cancel()


def test_revoking_a_key_ends_the_streams_open_with_it(stub, scripted):
    scripted.answers[rpc.participation.LIST_INCIDENTS] = no_incidents
    stream, reader, outcome = open_stream(stub)
    wait_until(lambda: scripted.calls_to(rpc.participation.LIST_INCIDENTS), 5, interval=0.01)
    del scripted.keys[KEY]
    reader.join(5)  # the stub's server reuses a key check for 0.2 s
    assert outcome["code"] == grpc.StatusCode.UNAUTHENTICATED


def test_updating_an_incident_passes_the_status_and_reason(stub, scripted):
    scripted.answers[rpc.participation.SET_INCIDENT_STATUS] = \
        lambda incident_id, status, reason, caller: dict(incident(4, status), reason=reason)
    answer = stub.UpdateIncidentStatus(municipal_pb2.UpdateIncidentStatusRequest(
        municipality_id=MONS, incident_id="i4", status="not_ours", reason="regional road"),
        metadata=AUTH, timeout=5)
    assert (answer.status, answer.reason) == ("not_ours", "regional road")


# -- deadlines ------------------------------------------------------------------------------------

def test_services_get_no_longer_than_the_callers_deadline(stub, scripted):
    scripted.answers[rpc.feed.CREATE_ANNOUNCEMENT] = lambda **_: {
        "id": "p1", "neighbourhood_ids": ["n1"], "urgent": True,
        "published_at": "2026-11-22T03:00:00+00:00", "language": "fr"}
    answer = stub.PublishAnnouncement(municipal_pb2.PublishAnnouncementRequest(
        municipality_id=MONS, title="Travaux", body="Rue fermée", urgent=True,
        idempotency_key="k1"), metadata=AUTH, timeout=1.0)
    assert answer.id == "p1" and answer.urgent
    (sent,) = scripted.calls_to(rpc.feed.CREATE_ANNOUNCEMENT)
    assert sent["timeout"] <= 1.05
    assert sent["announcement"]["neighbourhood_ids"] == "all"
    assert sent["idempotency_key"] == "k1"


def test_a_slow_service_past_the_deadline_is_deadline_exceeded(stub, scripted):
    never = threading.Event()

    def slow(**_):
        never.wait(0.3)  # a service that answers 0.3 s late, past the caller's deadline
        return {"questions": []}

    scripted.answers[rpc.participation.BUDGET_RESULTS] = slow
    assert failure(stub.GetBudgetResults, municipal_pb2.GetBudgetResultsRequest(
        municipality_id=MONS, budget_id="b1"), metadata=AUTH,
        timeout=0.1)[0] == grpc.StatusCode.DEADLINE_EXCEEDED


# -- the example client ---------------------------------------------------------------------------

@pytest.fixture
def target(scripted, monkeypatch):
    config = load()
    config.update(GRPC_HOST="127.0.0.1", GRPC_PORT=0, METRICS_PORT=0, RPC_TIMEOUT=4.0,
                  HEALTH_INTERVAL=0.05)
    server, port, poller = build_server(config, scripted)
    server.start()
    poller.start()
    try:
        yield "127.0.0.1:%d" % port
    finally:
        poller.stop()
        server.stop(None)


def test_the_example_prints_stats_with_its_api_key(target, scripted, capsys):
    script_statistics(scripted)
    assert municipal_example.main(["--target", target, "--municipality", MONS, "stats"],
                                  environ={"QUARTIER_API_KEY": KEY}) == 0
    out = capsys.readouterr().out
    assert "Centre" in out and "15.0%" in out and "week 2026-W47: 5 posts" in out
    assert municipal_example.main(["--target", target, "--municipality", LUX, "stats"],
                                  environ={"QUARTIER_API_KEY": KEY}) == 2
    assert "PERMISSION_DENIED" in capsys.readouterr().err
    assert municipal_example.main(["--target", target, "--municipality", MONS, "stats"],
                                  environ={}) == 2


def test_the_example_streams_a_register_file(target, scripted, capsys, tmp_path):
    scripted.answers[rpc.identity.IMPORT_ADDRESSES] = fake_import
    register = tmp_path / "register.csv"
    register.write_text(",".join(municipal.ADDRESS_COLUMNS) + "\n"
                        "a1,Rue Haute,1,7000,Mons,50.45,3.95,h1\n"
                        "a2,,2,7000,Mons,50.45,3.95,h2\n", encoding="utf-8")
    assert municipal_example.main(["--target", target, "--municipality", MONS, "import",
                                   str(register)], environ={"QUARTIER_API_KEY": KEY}) == 0
    out = capsys.readouterr().out
    assert "received 2: 1 created" in out and "row 2 (a2): missing street" in out


# -- health and reflection ------------------------------------------------------------------------

def test_the_municipal_service_is_in_reflection_and_health(target):
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
        ProtoReflectionDescriptorDatabase,
    )

    with grpc.insecure_channel(target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        assert MUNICIPAL_SERVICE in set(database.get_services())
        service = database.FindFileContainingSymbol(MUNICIPAL_SERVICE).service[0]
        assert [m.name for m in service.method] == [
            "ImportAddresses", "IssueInvitations", "PublishAnnouncement",
            "GetNeighbourhoodStats", "GetSurveyResults", "GetBudgetResults",
            "StreamIncidentReports", "UpdateIncidentStatus"]
        health = health_pb2_grpc.HealthStub(channel)
        wait_until(lambda: health.Check(
            health_pb2.HealthCheckRequest(service=MUNICIPAL_SERVICE), timeout=5).status
            == health_pb2.HealthCheckResponse.SERVING, 5, interval=0.02,
            describe=lambda _: "Municipal never became SERVING")
