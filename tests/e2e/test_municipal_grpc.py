"""Issue 9, acceptance 1-5: a municipal system talks to the running gRPC process with a real grpc
client and an API key its admin created through the gateway.

The town: a 2 x 2 grid with a resident in r0c0 ("ana") and one in r1c1 ("bob"), a real staff
account and a real admin. The other municipality is the demo one seeded with the platform."""
import threading
import time
import uuid

import grpc
import requests
import pytest
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.grpc.protos import municipal_pb2, municipal_pb2_grpc
from tests import neighbourhood_grid as grid
from tests.e2e.stack import add_admin, build_town, wait_until

pytestmark = pytest.mark.timeout(600)

REGISTER_ROWS = 10_000
IMPORT_DEADLINE = 180.0
STREAM_TIMEOUT = 20.0
MUNICIPAL_SERVICE = "quartier.municipal.v1.Municipal"


@pytest.fixture(scope="module")
def town(platform):
    running = platform.platform
    town = build_town(running, "municipal", 2, 2, {
        "ana": ((0, 0), "Rue Haute", "Ana Lima"),
        "bob": ((1, 1), "Rue Basse", "Bob Stein"),
    })
    town.admin = add_admin(town, running, "municipal")
    return town


@pytest.fixture(scope="module")
def channel(platform):
    with grpc.insecure_channel(platform.platform.grpc_target) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return municipal_pb2_grpc.MunicipalStub(channel)


def create_key(town, name="register"):
    created = town.api.request("POST", "/api/v1/city/api-keys", town.admin, json={"name": name})
    assert created.status_code == 201, created.text
    return created.json()


@pytest.fixture(scope="module")
def key(town):
    return create_key(town)["api_key"]


def auth(key):
    return (("authorization", "Bearer " + key),)


def status_of(call, *args, **kwargs):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args, **kwargs)
    return raised.value.code()


# -- acceptance 1: the register, streamed ----------------------------------------------------------

def register_rows(municipality_id, run):
    """10,000 rows: most inside the grid, and bad ones of four kinds. Returns (rows, expected
    rejections {row: reason})."""
    rows, bad = [], {}
    for n in range(1, REGISTER_ROWS + 1):
        cell = (n % 2, (n // 2) % 2)
        lon, lat = grid.point_in(*cell, fraction=(0.1 + 0.8 * (n % 97) / 97,
                                                  0.1 + 0.8 * (n % 89) / 89))
        row = dict(address_id="%s-a%05d" % (run, n), household_id="%s-h%05d" % (run, n),
                   street="Rue %d" % (n % 40), number=str(n), postcode="1234",
                   locality="Municipal", latitude=lat, longitude=lon)
        if n % 500 == 7:
            row["street"] = ""
            bad[n] = "missing street"
        elif n % 500 == 77:
            row["latitude"] = 91.0
            bad[n] = "latitude must be a number from -90 to 90"
        elif n % 500 == 177:
            row["longitude"] = 5.0  # west of every neighbourhood
            bad[n] = "the address lies outside every neighbourhood of the municipality"
        elif n % 2500 == 250:
            row["address_id"] = "%s-a%05d" % (run, n - 1)  # the previous row's address
            bad[n] = "address_id repeated in this file"
        rows.append(municipal_pb2.AddressRow(
            municipality_id=municipality_id if n == 1 else "", **row))
    return rows, bad


def register_households(stats):
    return sum(n.register_households for n in stats.neighbourhoods)


def get_stats(stub, town, key, timeout=20):
    return stub.GetNeighbourhoodStats(municipal_pb2.GetNeighbourhoodStatsRequest(
        municipality_id=town.municipality_id), metadata=auth(key), timeout=timeout)


def test_acceptance_1_ten_thousand_rows_with_bad_ones_then_a_reimport_that_changes_nothing(
        stub, town, key):
    rows, bad = register_rows(town.municipality_id, uuid.uuid4().hex[:6])
    before = register_households(get_stats(stub, town, key))

    started = time.monotonic()
    first = stub.ImportAddresses(iter(rows), metadata=auth(key), timeout=IMPORT_DEADLINE)
    elapsed = time.monotonic() - started
    print("ImportAddresses: %d rows in %.1f s" % (REGISTER_ROWS, elapsed))

    good = REGISTER_ROWS - len(bad)
    assert (first.received, first.created, first.updated, first.unchanged) == (
        REGISTER_ROWS, good, 0, 0)
    assert first.rejected_count == len(bad) == len(first.rejected)
    assert {r.row: r.reason for r in first.rejected} == bad
    assert {r.address_id for r in first.rejected if r.row == 7} == {rows[6].address_id}
    after_first = register_households(get_stats(stub, town, key))
    assert after_first == before + good

    again = stub.ImportAddresses(iter(rows), metadata=auth(key), timeout=IMPORT_DEADLINE)
    assert (again.received, again.created, again.updated, again.unchanged) == (
        REGISTER_ROWS, 0, 0, good)
    assert {r.row: r.reason for r in again.rejected} == bad
    assert register_households(get_stats(stub, town, key)) == after_first

    # The imported households get letters through the same key.
    letters = stub.IssueInvitations(municipal_pb2.IssueInvitationsRequest(
        municipality_id=town.municipality_id, household_ids=[rows[0].household_id]),
        metadata=auth(key), timeout=10)
    assert [letter.household_id for letter in letters.letters] == [rows[0].household_id]
    assert len(letters.letters[0].invitation_code) == 9  # four characters, a dash, four characters


# -- acceptance 2: keys reach their own municipality only ------------------------------------------

def test_acceptance_2_other_municipality_permission_denied_no_or_revoked_key_unauthenticated(
        stub, town, key, platform):
    other = municipal_pb2.GetNeighbourhoodStatsRequest(municipality_id=platform.municipality_id)
    assert status_of(stub.GetNeighbourhoodStats, other, metadata=auth(key),
                     timeout=10) == grpc.StatusCode.PERMISSION_DENIED
    own = municipal_pb2.GetNeighbourhoodStatsRequest(municipality_id=town.municipality_id)
    assert status_of(stub.GetNeighbourhoodStats, own,
                     timeout=10) == grpc.StatusCode.UNAUTHENTICATED

    doomed = create_key(town, "soon revoked")
    stub.GetNeighbourhoodStats(own, metadata=auth(doomed["api_key"]), timeout=10)
    revoked = town.api.request("DELETE", "/api/v1/city/api-keys/" + doomed["key"]["key_id"],
                               town.admin)
    assert revoked.status_code == 200 and revoked.json()["key"]["status"] == "revoked"

    def refused():
        try:
            stub.GetNeighbourhoodStats(own, metadata=auth(doomed["api_key"]), timeout=10)
        except grpc.RpcError as error:
            return error.code() == grpc.StatusCode.UNAUTHENTICATED
        return False

    # The gRPC process may accept a revoked key from its cache for up to 5 s (documented).
    started = time.monotonic()
    wait_until(refused, 8.0, interval=0.25)
    assert time.monotonic() - started < 6.0
    listed = town.api.request("GET", "/api/v1/city/api-keys", town.admin).json()["items"]
    assert doomed["api_key"] not in repr(listed)
    assert {k["name"]: k["status"] for k in listed}["soon revoked"] == "revoked"


# -- acceptance 3: incidents, streamed and resumed -------------------------------------------------

def report(town, who, text):
    lon, lat = grid.point_in(0, 0)
    created = town.api.request("POST", "/api/v1/incidents", town.tokens[who], json={
        "category": "lighting", "text": text,
        "location": {"latitude": lat, "longitude": lon, "description": "corner"}})
    assert created.status_code == 201, created.text
    return created.json()["id"]


class Listener:
    """Reads a StreamIncidentReports call on a thread, keeping every report it receives."""

    def __init__(self, stub, town, key, after_sequence, timeout):
        self.received = []
        self.ended = None
        self.call = stub.StreamIncidentReports(municipal_pb2.StreamIncidentReportsRequest(
            municipality_id=town.municipality_id, after_sequence=after_sequence),
            metadata=auth(key), timeout=timeout)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for incident in self.call:
                self.received.append(incident)
        except grpc.RpcError as error:
            self.ended = error.code()

    def ids(self):
        return [incident.id for incident in self.received]


def test_acceptance_3_incidents_arrive_live_and_a_reconnect_gets_what_it_missed_once(
        stub, town, key):
    # Start after everything reported so far (other tests may have reported some).
    existing = Listener(stub, town, key, 0, timeout=3)
    existing.thread.join(10)
    start = existing.received[-1].sequence if existing.received else 0

    live = Listener(stub, town, key, start, timeout=STREAM_TIMEOUT)
    first = report(town, "ana", "the lamp at the corner is out")
    wait_until(lambda: first in live.ids(), 10.0)
    live.call.cancel()
    live.thread.join(5)
    last_seen = live.received[-1].sequence
    assert live.ids() == [first] and live.received[0].text == "the lamp at the corner is out"

    missed = [report(town, "ana", "still dark"), report(town, "bob", "bench broken")]
    # Reconnect with the last cursor: a short deadline ends the stream, so what it delivered is
    # everything it would ever deliver for that window.
    resumed = Listener(stub, town, key, last_seen, timeout=4)
    resumed.thread.join(10)
    assert resumed.ended == grpc.StatusCode.DEADLINE_EXCEEDED
    assert resumed.ids() == missed
    sequences = [i.sequence for i in resumed.received]
    assert sequences == sorted(sequences) and sequences[0] > last_seen

    # The city's system moves one on; the resident sees it.
    updated = stub.UpdateIncidentStatus(municipal_pb2.UpdateIncidentStatusRequest(
        municipality_id=town.municipality_id, incident_id=first, status="in_progress"),
        metadata=auth(key), timeout=10)
    assert updated.status == "in_progress"
    seen = town.api.request("GET", "/api/v1/incidents/" + first, town.tokens["ana"])
    assert seen.status_code == 200 and seen.json()["status"] == "in_progress"


# -- acceptance 4: deadlines -----------------------------------------------------------------------

def test_acceptance_4_a_1_ms_deadline_is_deadline_exceeded_and_the_server_stays_healthy(
        stub, channel, town, key):
    request = municipal_pb2.GetNeighbourhoodStatsRequest(municipality_id=town.municipality_id)
    for _ in range(5):
        assert status_of(stub.GetNeighbourhoodStats, request, metadata=auth(key),
                         timeout=0.001) == grpc.StatusCode.DEADLINE_EXCEEDED
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", MUNICIPAL_SERVICE):
        assert health.Check(health_pb2.HealthCheckRequest(service=service),
                            timeout=5).status == health_pb2.HealthCheckResponse.SERVING
    assert get_stats(stub, town, key).municipality_id == town.municipality_id


# -- acceptance 5: the same statistics over gRPC and HTTP, without text ----------------------------

def test_acceptance_5_grpc_stats_equal_the_city_stats_route_and_hold_no_text(stub, town, key):
    secret_words = "Zebulon-%s the quiet heron" % uuid.uuid4().hex[:6]
    post = town.api.request("POST", "/api/v1/posts", town.tokens["ana"], json={
        "category": "message", "title": "Title " + secret_words, "body": "Body " + secret_words})
    assert post.status_code == 201, post.text
    comment = town.api.request("POST", "/api/v1/posts/%s/comments" % post.json()["id"],
                               town.tokens["ana"], json={"body": "Comment " + secret_words})
    assert comment.status_code == 201, comment.text
    announced = stub.PublishAnnouncement(municipal_pb2.PublishAnnouncementRequest(
        municipality_id=town.municipality_id, title="Works", body="Road closed on Monday",
        urgent=True, idempotency_key="works-" + uuid.uuid4().hex[:6]),
        metadata=auth(key), timeout=10)
    helper = town.api.request("PUT", "/api/v1/me/helper-profile", town.tokens["bob"], json={
        "skills": ["gardening"], "volunteer": True, "free_text": "Hedges " + secret_words})
    assert helper.status_code == 200, helper.text
    feed = town.api.request("GET", "/api/v1/feed", town.tokens["bob"]).json()["items"]
    assert announced.id in [item["id"] for item in feed]

    over_grpc = get_stats(stub, town, key)
    over_http = town.api.request("GET", "/api/v1/city/stats", town.staff)
    assert over_http.status_code == 200, over_http.text
    document = over_http.json()
    # A proto map holds no null: the gRPC answer leaves hidden categories out (and lists them).
    document["posts_by_category"] = {k: v for k, v in document["posts_by_category"].items()
                                     if v is not None}
    assert json_format.ParseDict(document, municipal_pb2.NeighbourhoodStats()) == over_grpc

    # A town of a few households: every count is a small cell, hidden and named, never 0.
    home = next(n for n in over_grpc.neighbourhoods if n.neighbourhood_id == town.homes["ana"])
    assert not home.HasField("users") and not home.HasField("households")
    assert {"households", "users", "adoption_rate"} <= set(home.suppressed)
    assert not home.activity.HasField("posts") and "posts" in home.activity.suppressed
    assert "message" in over_grpc.categories_suppressed
    assert "message" not in over_grpc.posts_by_category
    bobs = next(n for n in over_grpc.neighbourhoods if n.neighbourhood_id == town.homes["bob"])
    assert not bobs.HasField("helpers") and over_grpc.helpers_available
    assert {"helpers", "volunteers"} <= set(bobs.suppressed)
    assert ("gardening", False, ["helpers", "volunteers"]) in [
        (k.skill, k.HasField("helpers"), list(k.suppressed)) for k in over_grpc.helper_skills]
    assert over_grpc.small_cell_threshold == 10
    for text in (secret_words, "Road closed", "Works"):
        assert text not in str(over_grpc) and text not in over_http.text


# -- participation results (the demo municipality's survey and budget) -----------------------------

def test_survey_and_budget_results_over_grpc_are_those_the_city_reads_over_http(stub, platform):
    admin = platform.credentials["admin"]
    login = requests.post(platform.platform.http_url + "/api/v1/auth/login",
                          json={"email": admin["email"], "password": admin["password"]},
                          timeout=20)
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    headers = {"Authorization": "Bearer " + token}
    created = requests.post(platform.platform.http_url + "/api/v1/city/api-keys",
                            json={"name": "intranet"}, headers=headers, timeout=20)
    assert created.status_code == 201, created.text
    demo_key = created.json()["api_key"]

    survey_id = platform.get("/api/v1/city/surveys", token=token).json()["items"][0]["id"]
    budget_id = platform.get("/api/v1/city/budgets", token=token).json()["items"][0]["id"]
    survey = stub.GetSurveyResults(municipal_pb2.GetSurveyResultsRequest(
        municipality_id=platform.municipality_id, survey_id=survey_id),
        metadata=auth(demo_key), timeout=10)
    over_http = platform.get("/api/v1/city/surveys/%s/results" % survey_id, token=token).json()
    assert json_format.MessageToDict(survey.results) == over_http
    budget = stub.GetBudgetResults(municipal_pb2.GetBudgetResultsRequest(
        municipality_id=platform.municipality_id, budget_id=budget_id),
        metadata=auth(demo_key), timeout=10)
    over_http = platform.get("/api/v1/budgets/%s/results" % budget_id, token=token).json()
    assert json_format.MessageToDict(budget.results) == over_http
    assert status_of(stub.GetSurveyResults, municipal_pb2.GetSurveyResultsRequest(
        municipality_id=platform.municipality_id, survey_id="no-such-survey"),
        metadata=auth(demo_key), timeout=10) == grpc.StatusCode.NOT_FOUND
