"""Participation over a real broker, beside the neighbourhood service: registrations from
identity's events make the participation rates, a survey's targets are checked against the
municipality's neighbourhoods, a tampered ballot fails the log's verification, and incident and
initiative events go out."""
import json
import sqlite3
import uuid
from contextlib import ExitStack

import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events, services
from contracts.caller import CITY_STAFF, RESIDENT, SYSTEM_CALLER, Caller
from services.moderation.service import ModerationService
from services.neighbourhood.service import NeighbourhoodService
from services.participation.service import ParticipationService
from tests import neighbourhood_grid as grid
from tests import participation_samples as samples
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

MUNICIPALITY = "m-" + "7" * 30
STAFF = Caller(user_id="staff-1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()


class ParticipationEvents:
    name = "test_participation_listener"
    received = []

    @event_handler(services.PARTICIPATION, events.INCIDENT_REPORTED.name)
    def on_reported(self, payload):
        self.received.append(payload)

    @event_handler(services.PARTICIPATION, events.INCIDENT_STATUS_CHANGED.name)
    def on_status(self, payload):
        self.received.append(payload)

    @event_handler(services.PARTICIPATION, events.INITIATIVE_ESCALATED.name)
    def on_escalated(self, payload):
        self.received.append(payload)


@pytest.fixture
def listener(start_service):
    ParticipationEvents.received = []
    return start_service(ParticipationEvents, max_workers=1)


@pytest.fixture
def containers(start_service, listener):
    # Asked whether a resident is suspended before they propose a project or an initiative.
    start_service(ModerationService)
    return start_service(NeighbourhoodService), start_service(ParticipationService)


@pytest.fixture
def participation(containers, cluster_rpc):
    return cluster_rpc.participation


@pytest.fixture
def cells(containers, cluster_rpc):
    report = cluster_rpc.neighbourhood.import_neighbourhoods(
        caller=SYSTEM_CALLER.to_dict(), municipality_id=MUNICIPALITY,
        collection=grid.grid(1, 3))
    return {n["code"]: n["id"] for n in report["neighbourhoods"]}


@pytest.fixture
def register(containers, rabbit_config):
    """register(user, neighbourhood, household) → the resident's caller dict, once both
    services have handled the user_registered event."""
    dispatch = event_dispatcher(rabbit_config)

    def register(user_id, neighbourhood_id, household_id):
        payload = events.USER_REGISTERED.payload(
            uuid.uuid4().hex, user_id=user_id, municipality_id=MUNICIPALITY,
            household_id=household_id, neighbourhood_id=neighbourhood_id, role=RESIDENT,
            display_name="Ana Silva", street="Rue Haute")
        with ExitStack() as waiting:
            for container in containers:
                waiting.enter_context(entrypoint_waiter(container, "on_user_registered",
                                                        timeout=RPC_TIMEOUT))
            dispatch(events.USER_REGISTERED.source, events.USER_REGISTERED.name, payload)
        return Caller(user_id=user_id, role=RESIDENT, municipality_id=MUNICIPALITY,
                      neighbourhood_id=neighbourhood_id, household_id=household_id).to_dict()

    return register


def error_of(call, **kwargs):
    with pytest.raises(RPC_ERRORS) as raised:
        call(**kwargs)
    return raised.value


def test_a_survey_counts_households_against_registrations_and_suppresses_small_cells(
        participation, cells, register):
    home, small, elsewhere = cells["r0c0"], cells["r0c1"], cells["r0c2"]
    big = [register("u%d" % i, home, "h%d" % i) for i in range(12)]
    few = [register("v%d" % i, small, "k%d" % i) for i in range(3)]
    outsider = register("w1", elsewhere, "z1")
    unknown_target = error_of(participation.create_survey, caller=STAFF,
                              survey=samples.survey([home, "nowhere"]))
    survey = participation.create_survey(caller=STAFF, survey=samples.survey([home, small]))

    for caller in big[:11] + few:
        participation.submit_response(caller=caller, survey_id=survey["id"],
                                      answers=samples.answers())
    again = error_of(participation.submit_response, caller=big[0], survey_id=survey["id"],
                     answers=samples.answers())
    hidden = error_of(participation.get_survey, caller=outsider, survey_id=survey["id"])
    results = participation.survey_results(caller=STAFF, survey_id=survey["id"])

    assert domain_error_code(unknown_target) == errors.INVALID
    assert domain_error_code(again) == errors.CONFLICT
    assert domain_error_code(hidden) == errors.NOT_FOUND
    assert results["responses"] == 14
    # The small cell is hidden, and the large one with it: 14 responses minus home's 11 would
    # give the small one back.
    assert {c["neighbourhood_id"]: (c["rate"], c["suppressed"])
            for c in results["participation"]} == {home: (None, True), small: (None, True)}
    stats = participation.participation_stats(caller=STAFF)
    assert stats["surveys"][0]["neighbourhoods"] == results["participation"]
    # An admin makes the threshold stricter; staff cannot, and nobody can make it laxer.
    admin = Caller.from_dict(STAFF).to_dict()
    admin["role"] = "admin"
    assert error_of(participation.set_statistics_settings, caller=STAFF,
                    small_cell_threshold=20) is not None
    assert domain_error_code(error_of(participation.set_statistics_settings, caller=admin,
                                      small_cell_threshold=5)) == errors.INVALID
    participation.set_statistics_settings(caller=admin, small_cell_threshold=15)
    assert participation.statistics_settings(caller=STAFF) == {"small_cell_threshold": 15}
    stricter = participation.survey_results(caller=STAFF, survey_id=survey["id"])
    assert stricter["responses"] is None and stricter["questions"][0]["answered"] is None


def test_a_ballot_altered_in_the_store_fails_the_log_verification(
        participation, cells, register, service_config):
    voter = register("u1", cells["r0c0"], "h1")
    budget = participation.create_budget(caller=STAFF, budget=samples.budget(cap=1000))
    project_ids = [participation.propose_project(
        caller=voter, budget_id=budget["id"], project={"title": "P%d" % cost, "cost": cost}
    )["id"] for cost in (400, 500)]
    participation.advance_budget_phase(caller=STAFF, budget_id=budget["id"], phase="review")
    for project_id in project_ids:
        participation.review_project(caller=STAFF, budget_id=budget["id"],
                                     project_id=project_id, decision="accepted")
    participation.advance_budget_phase(caller=STAFF, budget_id=budget["id"], phase="voting")
    participation.cast_ballot(caller=voter, budget_id=budget["id"], project_ids=project_ids[:1])
    before = participation.verify_budget_log(caller=voter, budget_id=budget["id"])

    path = "%s/participation/participation.sqlite3" % service_config["VAR_DIR"]
    with sqlite3.connect(path) as db:
        db.execute("UPDATE ballots SET project_ids = ? WHERE budget_id = ?",
                   (json.dumps(project_ids[1:]), budget["id"]))
    after = participation.verify_budget_log(caller=STAFF, budget_id=budget["id"])

    assert before["valid"] is True and before["entries"] == 6
    assert after["valid"] is False
    assert after["problems"] and "differs from the log" in after["problems"][0]


def test_incidents_and_escalations_are_announced(participation, cells, register, listener):
    reporter = register("u1", cells["r0c0"], "h1")
    supporters = [register("u%d" % i, cells["r0c0"], "h%d" % i) for i in (2, 3)]
    participation.set_initiative_threshold(caller=STAFF, threshold=2)

    with entrypoint_waiter(listener, "on_reported", timeout=RPC_TIMEOUT):
        incident = participation.report_incident(caller=reporter, incident={
            "category": "lighting", "location": {"latitude": 49.61, "longitude": 6.13},
            "text": "The street light is out"})
    with entrypoint_waiter(listener, "on_status", timeout=RPC_TIMEOUT):
        participation.set_incident_status(caller=STAFF, incident_id=incident["id"],
                                          status="resolved")
    initiative = participation.propose_initiative(caller=reporter, initiative={
        "title": "Benches", "text": "Benches along the river"})
    participation.support_initiative(caller=supporters[0], initiative_id=initiative["id"])
    with entrypoint_waiter(listener, "on_escalated", timeout=RPC_TIMEOUT):
        escalated = participation.support_initiative(caller=supporters[1],
                                                     initiative_id=initiative["id"])

    assert [p["event_id"].split(":")[0] for p in ParticipationEvents.received] == [
        "incident_reported", "incident_status_changed", "initiative_escalated"]
    assert escalated["status"] == "escalated" and escalated["supports"] == 2
    page = participation.list_incidents(caller=STAFF, after_sequence=0)
    assert [i["id"] for i in page["items"]] == [incident["id"]]
    assert participation.list_incidents(caller=STAFF, after_sequence=page["last_sequence"])[
        "items"] == []


def test_the_resident_unit_follows_registrations_not_the_access_token(
        participation, cells, register, containers, rabbit_config):
    staying = register("u1", cells["r0c0"], "h1")
    leaving = register("u2", cells["r0c1"], "h2")
    # City-wide: every resident of the municipality sees it, so only the unit decides.
    budget = participation.create_budget(caller=STAFF, budget=samples.budget(
        cap=1000, ballot_unit="resident"))
    project = participation.propose_project(caller=staying, budget_id=budget["id"],
                                            project={"title": "Trees", "cost": 300})
    participation.advance_budget_phase(caller=STAFF, budget_id=budget["id"], phase="review")
    participation.review_project(caller=STAFF, budget_id=budget["id"], project_id=project["id"],
                                 decision="accepted")
    participation.advance_budget_phase(caller=STAFF, budget_id=budget["id"], phase="voting")
    payload = events.USER_ERASED.payload(uuid.uuid4().hex, user_id="u2",
                                         municipality_id=MUNICIPALITY)
    with entrypoint_waiter(containers[1], "on_user_erased", timeout=RPC_TIMEOUT):
        event_dispatcher(rabbit_config)(events.USER_ERASED.source, events.USER_ERASED.name,
                                        payload)

    cast = participation.cast_ballot(caller=staying, budget_id=budget["id"],
                                     project_ids=[project["id"]])
    # u2's access token is still valid (up to 15 minutes), but u2 is no registered resident.
    erased = error_of(participation.cast_ballot, caller=leaving, budget_id=budget["id"],
                      project_ids=[project["id"]])

    assert cast["project_ids"] == [project["id"]]
    assert domain_error_code(erased) == errors.FORBIDDEN


def test_twenty_concurrent_replays_of_a_report_make_one_incident(participation, cells,
                                                                 register, rabbit_config):
    import eventlet
    from nameko.standalone.rpc import ClusterRpcProxy

    reporter = register("u1", cells["r0c0"], "h1")
    body = {"category": "waste", "location": {"latitude": 49.6, "longitude": 6.1},
            "text": "Bags left on the pavement"}

    def report(_):
        # One client per green thread: a ClusterRpcProxy is not safe to share.
        with ClusterRpcProxy(rabbit_config, timeout=RPC_TIMEOUT) as client:
            return client.participation.report_incident(
                caller=reporter, incident=body, idempotency_key="report-1")

    answers = list(eventlet.GreenPool(20).imap(report, range(20)))
    listed = participation.list_my_incidents(caller=reporter)

    assert len({a["id"] for a in answers}) == 1
    assert [i["id"] for i in listed["items"]] == [answers[0]["id"]]
