"""Participation: surveys, participatory budgets, initiatives and incident reports.

Every RPC takes the caller; who sees what is in domain.py's docstring. Creating RPCs take an
`idempotency_key` (the gateway's Idempotency-Key header): a retried request gets the first answer.
"""
from nameko.events import EventDispatcher
from nameko.timer import timer

from contracts import errors, events, rpc, services
from contracts.caller import RESIDENT, SYSTEM_CALLER, Caller
from servicekit import disclosure, metrics
from servicekit.nameko_extensions import (IdempotencyKeys, QuartierService, ServiceRpc,
                                          event_handler)
from servicekit.nameko_extensions import rpc as rpc_entrypoint
from servicekit.pagination import decode_cursor, encode_cursor, page_limit, sequence_position
from servicekit.suspension import require_not_suspended
from services.participation import domain
from services.participation.dependencies import Participation

# Tallies, exports and log checks read a survey's responses or a budget's ballots in pages of
# this size, so one large survey never sits in memory at once.
SCAN_PAGE = 500
EXPORT_MAX_ROWS = 50_000
STREAM_PAGE_MAX = 500
# How often the schedule is checked for budgets that entered a new phase by date.
PHASE_CHECK_INTERVAL = 15


def _position(cursor, size):
    """A cursor holding a list of `size` strings (or None)."""
    position = decode_cursor(cursor)
    if position is not None and not (isinstance(position, list) and len(position) == size
                                     and all(isinstance(p, (str, int)) for p in position)):
        raise errors.invalid("malformed cursor")
    return position


def _page(items, limit, key):
    more = len(items) > limit
    items = items[:limit]
    return items, encode_cursor(key(items[-1])) if more and items else None


class ParticipationService(QuartierService):
    name = services.PARTICIPATION

    store = Participation()
    neighbourhoods = ServiceRpc()
    # Asked whether a resident is suspended before they publish a project or an initiative
    # (servicekit/suspension.py); votes, supports, survey answers and incidents stay open to them.
    moderation = ServiceRpc()
    idempotency = IdempotencyKeys()
    dispatch = EventDispatcher()

    # -- helpers -----------------------------------------------------------------------------------

    def _municipality_neighbourhoods(self, municipality_id):
        """Every neighbourhood id of the municipality, as the neighbourhood service knows them."""
        caller = SYSTEM_CALLER.to_dict()
        listing = self.neighbourhoods.call(rpc.neighbourhood.LIST_NEIGHBOURHOODS, caller=caller,
                                           municipality_id=municipality_id)
        return [n["id"] for n in listing["items"]]

    def _visible_ids(self, caller):
        """A resident's home and followed neighbourhoods (the neighbourhood service decides)."""
        if caller.role != RESIDENT:
            return []
        return self.neighbourhoods.call(rpc.neighbourhood.VISIBLE_NEIGHBOURHOOD_IDS,
                                        caller=caller.to_dict())

    def _send(self, event_and_payload):
        event, payload = event_and_payload
        self.dispatch(event.name, payload)

    # -- surveys -----------------------------------------------------------------------------------

    @rpc_entrypoint
    def create_survey(self, caller, survey, idempotency_key=None, municipality_id=None):
        """Staff publish a survey to chosen neighbourhoods (validated as a whole); the platform
        (the demo seed) names the municipality."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_staff(caller, municipality_id)

        def create():
            created = domain.new_survey(municipality_id, survey,
                                        self._municipality_neighbourhoods(municipality_id),
                                        caller.user_id)
            self.store.add_survey(created)
            self._send(domain.survey_published(created))
            return domain.survey_view(created)

        return self.idempotency.run(caller, "create_survey", idempotency_key, survey, create)

    @rpc_entrypoint
    def list_surveys(self, caller, cursor=None, limit=None):
        """Newest first: a resident's are those asked of their home neighbourhood; staff see
        every survey of the municipality."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        before = _position(cursor, 2)
        if caller.role == RESIDENT:
            domain.require_resident(caller)
            found = self.store.surveys_page(caller.municipality_id, caller.neighbourhood_id,
                                            before, limit + 1)
        else:
            found = self.store.surveys_page(domain.require_city_reader(caller), None, before,
                                            limit + 1)
        found, next_cursor = _page(found, limit, lambda s: [s["created_at"], s["id"]])
        items = []
        for survey in found:
            responded = None
            if caller.role == RESIDENT:
                responded = self.store.has_responded(
                    survey["id"], domain.respondent_key(survey, caller))
            view = domain.survey_view(survey, responded=responded)
            view.pop("sections")
            items.append(view)
        return {"items": items, "next_cursor": next_cursor}

    @rpc_entrypoint
    def get_survey(self, caller, survey_id):
        caller = Caller.from_dict(caller)
        survey = domain.require_survey_visible(caller, self.store.get_survey(survey_id))
        responded = None
        if caller.role == RESIDENT:
            responded = self.store.has_responded(survey["id"],
                                                 domain.respondent_key(survey, caller))
        return domain.survey_view(survey, responded=responded)

    @rpc_entrypoint
    def close_survey(self, caller, survey_id):
        """Staff close a survey before its closing date (idempotent)."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_staff(caller)
        survey = self.store.get_survey(survey_id)
        if survey is None or survey["municipality_id"] != municipality_id:
            raise errors.not_found("survey not found")
        if not survey.get("closed_at"):
            survey = dict(survey, closed_at=domain.now_iso())
            self.store.save_survey(survey)
        return domain.survey_view(survey)

    @rpc_entrypoint
    def submit_response(self, caller, survey_id, answers, idempotency_key=None):
        """A resident of a target neighbourhood answers once (or once per household)."""
        caller = Caller.from_dict(caller)
        domain.require_resident(caller)
        survey = domain.require_survey_visible(caller, self.store.get_survey(survey_id))

        def create():
            response = domain.new_response(survey, caller, answers)
            self.store.add_response(survey, response)
            metrics.SURVEY_RESPONSES.labels(survey["municipality_id"]).inc()
            return {"id": response["id"], "survey_id": survey["id"],
                    "submitted_at": response["submitted_at"]}

        return self.idempotency.run(caller, "submit_response:" + survey["id"], idempotency_key,
                                    {"answers": answers}, create)

    def _tally(self, survey):
        tally = domain.SurveyTally(survey)
        after = None
        while True:
            page = self.store.responses_page(survey["id"], after, SCAN_PAGE)
            for response in page:
                tally.add(response)
            if len(page) < SCAN_PAGE:
                return tally
            after = page[-1]["id"]

    def _own_survey(self, caller, survey_id):
        municipality_id = domain.require_city_reader(caller)
        survey = self.store.get_survey(survey_id)
        if survey is None or survey["municipality_id"] != municipality_id:
            raise errors.not_found("survey not found")
        return survey

    def _small_cell(self, municipality_id, given=None):
        """The municipality's small-cell threshold (its setting, or a stricter one asked for;
        never under the platform's)."""
        setting = self.store.get_settings(municipality_id).get("small_cell_threshold")
        return disclosure.threshold(max(setting or 0, given if isinstance(given, int) else 0))

    @rpc_entrypoint
    def survey_results(self, caller, survey_id):
        """Totals per question and option, and participation per target neighbourhood
        (responding households / registered households), counts under the municipality's
        small-cell threshold suppressed."""
        caller = Caller.from_dict(caller)
        survey = self._own_survey(caller, survey_id)
        registered = self.store.registered_households(survey["municipality_id"])
        return dict(self._tally(survey).results(
            registered, self._small_cell(survey["municipality_id"])),
            status=domain.survey_status(survey))

    @rpc_entrypoint
    def export_survey(self, caller, survey_id, cursor=None, limit=None):
        """Responses as rows for a CSV (staff), in pages of at most 5,000 rows."""
        caller = Caller.from_dict(caller)
        survey = self._own_survey(caller, survey_id)
        limit = page_limit(limit, default=5000, maximum=5000)
        after = _position(cursor, 1)
        page = self.store.responses_page(survey["id"], after and after[0], limit + 1)
        page, next_cursor = _page(page, limit, lambda r: [r["id"]])
        small = self._tally(survey).small_neighbourhoods(
            self._small_cell(survey["municipality_id"]))
        return {"columns": domain.export_columns(survey),
                "rows": [domain.export_row(survey, r, small) for r in page],
                "next_cursor": next_cursor}

    # -- participatory budgets ---------------------------------------------------------------------

    @rpc_entrypoint
    def create_budget(self, caller, budget, idempotency_key=None, municipality_id=None):
        """Staff create a city-wide or neighbourhood budget; its rules open the log. The
        platform (the demo seed) names the municipality."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_staff(caller, municipality_id)

        def create():
            known = self._municipality_neighbourhoods(municipality_id) \
                if budget.get("neighbourhood_id") is not None else []
            created = domain.new_budget(municipality_id, budget, known, caller.user_id)
            first = domain.log_entry(created["id"], None, "rules",
                                     domain.rules_entry_data(created))
            self.store.add_budget(created, first, domain.new_budget_secret())
            return domain.budget_view(created)

        if not isinstance(budget, dict):
            raise errors.invalid("the budget must be an object")
        return self.idempotency.run(caller, "create_budget", idempotency_key, budget, create)

    @rpc_entrypoint
    def list_budgets(self, caller, cursor=None, limit=None):
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        before = _position(cursor, 2)
        if caller.role == RESIDENT:
            domain.require_resident(caller)
            municipality_id = caller.municipality_id
        else:
            municipality_id = domain.require_city_reader(caller)
        found = self.store.budgets_page(municipality_id, before, limit + 1)
        # The cursor follows what was read, the page shows what the caller may see (a page can
        # come out shorter; a municipality has a handful of budgets a year).
        found, next_cursor = _page(found, limit, lambda b: [b["created_at"], b["id"]])
        if caller.role == RESIDENT:
            visible = set(self._visible_ids(caller))
            found = [b for b in found
                     if b["neighbourhood_id"] is None or b["neighbourhood_id"] in visible]
        return {"items": [domain.budget_view(b) for b in found], "next_cursor": next_cursor}

    def _visible_budget(self, caller, budget_id):
        budget = self.store.get_budget(budget_id) if isinstance(budget_id, str) else None
        visible = self._visible_ids(caller) if budget is not None else []
        return domain.require_budget_visible(caller, budget, visible)

    def _staff_budget(self, caller, budget_id):
        municipality_id = domain.require_staff(caller)
        budget = self.store.get_budget(budget_id) if isinstance(budget_id, str) else None
        if budget is None or budget["municipality_id"] != municipality_id:
            raise errors.not_found("budget not found")
        return budget

    @rpc_entrypoint
    def get_budget(self, caller, budget_id):
        """The budget with its phase, its projects (residents: accepted ones once review is
        over, plus their own) and the caller's ballot."""
        caller = Caller.from_dict(caller)
        budget = self._visible_budget(caller, budget_id)
        projects = self.store.projects_of(budget["id"])
        phase = domain.phase_of(budget)
        if caller.role == RESIDENT and phase in ("voting", "results"):
            projects = [p for p in projects
                        if p["status"] == domain.ACCEPTED or p["proposer_id"] == caller.user_id]
        view = domain.budget_view(budget)
        view["projects"] = [domain.project_view(p, caller) for p in projects]
        if caller.role == RESIDENT:
            view["my_ballot"] = domain.ballot_view(self._my_ballot(caller, budget))
        return view

    def _my_ballot(self, caller, budget):
        """The ballot that counts for the caller: their household's under the household unit."""
        if budget["ballot_unit"] == domain.BY_HOUSEHOLD and caller.household_id:
            return self._ballot_of(budget, "household:" + caller.household_id)[1]
        return self._ballot_of(budget, "user:" + caller.user_id)[1]

    def _ballot_of(self, budget, voter_key):
        """(the voter's keyed pseudonym, their ballot or None). A ballot cast before the budget
        had a secret is found under its unkeyed pseudonym (see domain.legacy_pseudonym)."""
        secret = self.store.budget_secret(budget["id"], domain.new_budget_secret())
        voter = domain.pseudonym(secret, budget["id"], voter_key)
        ballot = self.store.get_ballot(budget["id"], voter) or self.store.get_ballot(
            budget["id"], domain.legacy_pseudonym(budget["id"], voter_key))
        return voter, ballot

    def _announce_phase(self, budget, phase):
        """Publish the log's head at this phase change (recorded, then in the event)."""
        head = self.store.publish_log_head(budget["id"], phase)
        self._send(domain.budget_phase_changed(budget, phase, head))
        self.store.mark_phase_announced(budget["id"], phase)

    @rpc_entrypoint
    def change_budget_rules(self, caller, budget_id, changes):
        """Staff change the rules (cap, style, unit, schedule...) until the first ballot; then
        conflict. Each change is logged."""
        caller = Caller.from_dict(caller)
        budget = self._staff_budget(caller, budget_id)
        changed = domain.change_rules(budget, changes)
        self.store.update_budget(changed, "rules", domain.rules_entry_data(changed),
                                 unless_frozen=True)
        return domain.budget_view(self.store.get_budget(budget["id"]))

    @rpc_entrypoint
    def advance_budget_phase(self, caller, budget_id, phase, idempotency_key=None):
        """Staff start the next phase now (e.g. close the proposals early); logged, announced.
        A retry with the same key gets the first answer instead of a conflict."""
        caller = Caller.from_dict(caller)
        budget = self._staff_budget(caller, budget_id)

        def advance():
            advanced = domain.advance_phase(budget, phase)
            self.store.update_budget(advanced, "phase", {"phase": phase,
                                                         "schedule": advanced["schedule"]})
            self._announce_phase(advanced, phase)
            return domain.budget_view(self.store.get_budget(budget["id"]))

        return self.idempotency.run(caller, "advance_budget_phase:" + budget["id"],
                                    idempotency_key, {"phase": phase}, advance)

    @timer(interval=PHASE_CHECK_INTERVAL)
    def announce_scheduled_phases(self):
        """Announce the phases budgets entered by their schedule (the event id is fixed per
        budget and phase, so an announcement repeated after a crash is dropped downstream)."""
        for budget in self.store.budgets_to_announce():
            phase = domain.phase_announcement_due(budget)
            if phase is not None:
                self._announce_phase(budget, phase)

    @rpc_entrypoint
    def propose_project(self, caller, budget_id, project, idempotency_key=None):
        """A resident who may see the budget proposes a project during the proposals phase."""
        caller = Caller.from_dict(caller)
        domain.require_resident(caller)
        budget = self._visible_budget(caller, budget_id)

        def create():
            created = domain.new_project(budget, caller, project)
            require_not_suspended(self.moderation, caller)
            self.store.add_project(created)
            return domain.project_view(created, caller)

        return self.idempotency.run(caller, "propose_project:" + budget["id"], idempotency_key,
                                    project, create)

    @rpc_entrypoint
    def review_project(self, caller, budget_id, project_id, decision, reason=None):
        """Staff accept or reject (with a reason) a project during review; logged."""
        caller = Caller.from_dict(caller)
        budget = self._staff_budget(caller, budget_id)
        reviewed = domain.review_project(budget, self.store.get_project(project_id), decision,
                                         reason)
        self.store.review_project(reviewed)
        return domain.project_view(reviewed, caller)

    @rpc_entrypoint
    def cast_ballot(self, caller, budget_id, project_ids):
        """Cast or replace the caller's ballot while voting is open (PUT: idempotent by
        nature). The first ballot freezes the rules."""
        caller = Caller.from_dict(caller)
        domain.require_resident(caller)
        budget = self._visible_budget(caller, budget_id)
        registration = self.store.get_registration(caller.user_id) \
            if budget["ballot_unit"] == domain.BY_RESIDENT else None
        voter_key, household_id = domain.voter_for(budget, caller, registration)
        chosen = domain.validate_ballot(budget, self.store.projects_of(budget["id"]),
                                        project_ids)
        voter, previous = self._ballot_of(budget, voter_key)
        ballot = domain.new_ballot(budget, caller, voter, household_id, chosen, previous)
        first = self.store.put_ballot(ballot)
        if first:
            metrics.BALLOTS_CAST.labels(budget["municipality_id"]).inc()
        return domain.ballot_view(ballot)

    def _all_ballots(self, budget_id):
        after = None
        while True:
            page = self.store.ballots_of(budget_id, after, SCAN_PAGE)
            yield from page
            if len(page) < SCAN_PAGE:
                return
            after = page[-1]["voter"]

    def _all_log(self, budget_id):
        after = 0
        while True:
            page = self.store.log_page(budget_id, after, SCAN_PAGE)
            yield from page
            if len(page) < SCAN_PAGE:
                return
            after = page[-1]["seq"]

    @rpc_entrypoint
    def budget_results(self, caller, budget_id):
        """The allocation (see domain.TIE_BREAK): staff at any time, residents once results
        are out."""
        caller = Caller.from_dict(caller)
        budget = self._visible_budget(caller, budget_id)
        phase = domain.phase_of(budget)
        if caller.role == RESIDENT and phase != "results":
            raise errors.conflict("results are published when voting closes", {"phase": phase})
        results = domain.compute_results(budget, self.store.projects_of(budget["id"]),
                                         self._all_ballots(budget["id"]))
        return dict(results, phase=phase, final=phase == "results")

    @rpc_entrypoint
    def budget_log(self, caller, budget_id, after_seq=0, limit=None):
        """The public log (anyone who sees the budget can recount): rule changes, reviews,
        phase changes and ballots under the voters' per-budget pseudonyms."""
        caller = Caller.from_dict(caller)
        budget = self._visible_budget(caller, budget_id)
        limit = page_limit(limit, default=100, maximum=1000)
        after_seq = sequence_position(after_seq, "after_seq")
        entries = self.store.log_page(budget["id"], after_seq, limit + 1)
        more = len(entries) > limit
        entries = entries[:limit]
        return {"items": entries,
                "next_after_seq": entries[-1]["seq"] if more and entries else None}

    @rpc_entrypoint
    def verify_budget_log(self, caller, budget_id):
        """Recompute the chain and compare the ballots it records with the stored ones."""
        caller = Caller.from_dict(caller)
        budget = self._visible_budget(caller, budget_id)
        entries = list(self._all_log(budget["id"]))
        valid, problems = domain.verify_log(entries, self._all_ballots(budget["id"]),
                                            self.store.log_heads(budget["id"]))
        return {"budget_id": budget["id"], "valid": valid, "entries": len(entries),
                "head": entries[-1]["hash"] if entries else None, "problems": problems[:100]}

    @rpc_entrypoint
    def budget_log_head(self, caller, budget_id):
        """Where the log stands now, and the heads published at each phase change so far (for
        anyone who sees the budget: keep them, and a log rewritten later will not match)."""
        caller = Caller.from_dict(caller)
        budget = self._visible_budget(caller, budget_id)
        return {"budget_id": budget["id"],
                "head": domain.log_head(self.store.last_log_entry(budget["id"])),
                "published": self.store.log_heads(budget["id"])}

    # -- initiatives -------------------------------------------------------------------------------

    @rpc_entrypoint
    def set_initiative_threshold(self, caller, threshold):
        """Staff set how many supports escalate a new initiative to the city."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_staff(caller)
        settings = dict(self.store.get_settings(municipality_id),
                        initiative_threshold=domain.initiative_threshold(threshold))
        self.store.set_settings(municipality_id, settings)
        return {"initiative_threshold": settings["initiative_threshold"]}

    @rpc_entrypoint
    def propose_initiative(self, caller, initiative, idempotency_key=None):
        caller = Caller.from_dict(caller)
        domain.require_resident(caller)

        def create():
            threshold = self.store.get_settings(caller.municipality_id).get(
                "initiative_threshold", domain.DEFAULT_INITIATIVE_THRESHOLD)
            created = domain.new_initiative(caller, initiative, threshold)
            require_not_suspended(self.moderation, caller)
            self.store.add_initiative(created)
            return domain.initiative_view(created, caller, supported=False)

        return self.idempotency.run(caller, "propose_initiative", idempotency_key, initiative,
                                    create)

    @rpc_entrypoint
    def list_initiatives(self, caller, status=None, cursor=None, limit=None):
        """Residents: those of the neighbourhoods they see; the city: escalated and answered
        ones of the municipality."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        before = _position(cursor, 2)
        statuses = None
        if status is not None:
            if status not in (domain.OPEN, domain.ESCALATED, domain.ANSWERED):
                raise errors.invalid("status must be open, escalated or answered")
            statuses = [status]
        if caller.role == RESIDENT:
            domain.require_resident(caller)
            found = self.store.initiatives_page(caller.municipality_id,
                                                self._visible_ids(caller), statuses, before,
                                                limit + 1)
        else:
            municipality_id = domain.require_city_reader(caller)
            allowed = [domain.ESCALATED, domain.ANSWERED]
            statuses = [s for s in (statuses or allowed) if s in allowed]
            found = self.store.initiatives_page(municipality_id, None, statuses, before,
                                                limit + 1) if statuses else []
        found, next_cursor = _page(found, limit, lambda i: [i["created_at"], i["id"]])
        return {"items": [domain.initiative_view(i, caller) for i in found],
                "next_cursor": next_cursor}

    def _visible_initiative(self, caller, initiative_id):
        initiative = self.store.get_initiative(initiative_id) \
            if isinstance(initiative_id, str) else None
        visible = self._visible_ids(caller) if initiative is not None else []
        return domain.require_initiative_visible(caller, initiative, visible)

    @rpc_entrypoint
    def get_initiative(self, caller, initiative_id):
        caller = Caller.from_dict(caller)
        initiative = self._visible_initiative(caller, initiative_id)
        supported = self.store.has_supported(initiative["id"], caller.user_id) \
            if caller.role == RESIDENT else None
        return domain.initiative_view(initiative, caller, supported)

    @rpc_entrypoint
    def support_initiative(self, caller, initiative_id, idempotency_key=None):
        """Support once (a second time: conflict; a retry with the same key gets the first
        answer). Reaching the threshold escalates it to the city, announced once."""
        caller = Caller.from_dict(caller)
        initiative = self._visible_initiative(caller, initiative_id)

        def support():
            domain.check_support(caller, initiative)
            count = self.store.add_support(initiative["id"], caller.user_id, domain.now_iso())
            if count is None:
                raise errors.conflict("you already support this initiative")
            current = dict(self.store.get_initiative(initiative["id"]), supports=count)
            if domain.escalation_due(current):
                escalated = dict(current, status=domain.ESCALATED,
                                 escalated_at=domain.now_iso())
                # Only the support that moved it from open announces it.
                if self.store.save_initiative(escalated, expected_status=domain.OPEN):
                    self._send(domain.initiative_escalated(escalated))
            return domain.initiative_view(self.store.get_initiative(initiative["id"]), caller,
                                          supported=True)

        return self.idempotency.run(caller, "support_initiative:" + initiative["id"],
                                    idempotency_key, {}, support)

    @rpc_entrypoint
    def answer_initiative(self, caller, initiative_id, response, idempotency_key=None):
        """The city answers an escalated initiative; its supporters see the answer."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_staff(caller)
        initiative = self.store.get_initiative(initiative_id) \
            if isinstance(initiative_id, str) else None
        if initiative is None or initiative["municipality_id"] != municipality_id \
                or initiative["status"] == domain.OPEN:
            raise errors.not_found("initiative not found")

        def answer():
            answered = domain.answer_initiative(initiative, response)
            if not self.store.save_initiative(answered, expected_status=domain.ESCALATED):
                raise errors.conflict("the initiative changed meanwhile; reload it")
            return domain.initiative_view(answered, caller)

        return self.idempotency.run(caller, "answer_initiative:" + initiative["id"],
                                    idempotency_key, {"response": response}, answer)

    # -- incident reports --------------------------------------------------------------------------

    @rpc_entrypoint
    def report_incident(self, caller, incident, idempotency_key=None):
        caller = Caller.from_dict(caller)
        domain.require_resident(caller)

        def create():
            stored = self.store.add_incident(domain.new_incident(caller, incident))
            self._send(domain.incident_reported(stored))
            return domain.incident_view(stored, caller)

        return self.idempotency.run(caller, "report_incident", idempotency_key, incident, create)

    @rpc_entrypoint
    def get_incident(self, caller, incident_id):
        """Its reporter and the city see it (with its status history); anyone else: 404."""
        caller = Caller.from_dict(caller)
        incident = self.store.get_incident(incident_id) if isinstance(incident_id, str) else None
        return domain.incident_view(domain.require_incident_visible(caller, incident), caller)

    @rpc_entrypoint
    def list_my_incidents(self, caller, cursor=None, limit=None):
        """The caller's own reports, newest first."""
        caller = Caller.from_dict(caller)
        domain.require_resident(caller)
        limit = page_limit(limit)
        before = _position(cursor, 1)
        found = self.store.incidents_of_reporter(caller.user_id, before and before[0],
                                                 limit + 1)
        found, next_cursor = _page(found, limit, lambda i: [i["sequence"]])
        return {"items": [domain.incident_view(i, caller) for i in found],
                "next_cursor": next_cursor}

    @rpc_entrypoint
    def list_incidents(self, caller, after_sequence=0, limit=None, status=None,
                       municipality_id=None):
        """The municipality's reports in the order they arrived, after `after_sequence` (the
        `sequence` of the last one seen): a consumer resumes where it stopped, and a report
        arriving later always has a higher sequence. For the city and municipal systems."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_city_reader(caller, municipality_id)
        limit = page_limit(limit, default=100, maximum=STREAM_PAGE_MAX)
        after_sequence = sequence_position(after_sequence, "after_sequence")
        if status is not None and status not in domain.INCIDENT_STATUSES:
            raise errors.invalid("status must be one of " + ", ".join(domain.INCIDENT_STATUSES))
        found = self.store.incidents_after(municipality_id, after_sequence, limit, status)
        return {"items": [domain.incident_view(i, caller) for i in found],
                "last_sequence": found[-1]["sequence"] if found else after_sequence}

    @rpc_entrypoint
    def set_incident_status(self, caller, incident_id, status, reason=None):
        """Staff (or municipal systems) move a report on; `not_ours` needs a reason. Setting
        the status it already has changes nothing."""
        caller = Caller.from_dict(caller)
        incident = self.store.get_incident(incident_id) if isinstance(incident_id, str) else None
        if caller.is_system:  # a municipal system over gRPC is bound to its municipality there
            municipality_id = incident and incident["municipality_id"]
        else:
            municipality_id = domain.require_incident_handler(caller)
        if incident is None or incident["municipality_id"] != municipality_id:
            raise errors.not_found("incident not found")
        changed = domain.change_incident_status(incident, status, reason)
        if changed is None:
            return domain.incident_view(incident, caller)
        if not self.store.save_incident(changed, expected_status=incident["status"]):
            raise errors.conflict("the incident's status changed meanwhile; reload it")
        self._send(domain.incident_status_changed(changed))
        return domain.incident_view(changed, caller)

    # -- statistics --------------------------------------------------------------------------------

    @rpc_entrypoint
    def statistics_settings(self, caller, municipality_id=None):
        """The municipality's small-cell threshold: every statistic and export of the city
        hides counts under it (the city's other statistics RPCs are told it)."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_city_reader(caller, municipality_id)
        return {"small_cell_threshold": self._small_cell(municipality_id)}

    @rpc_entrypoint
    def set_statistics_settings(self, caller, small_cell_threshold):
        """Admins make the threshold stricter than the platform's 10 (never laxer)."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_admin(caller)
        settings = dict(self.store.get_settings(municipality_id),
                        small_cell_threshold=domain.small_cell_threshold(small_cell_threshold))
        self.store.set_settings(municipality_id, settings)
        return {"small_cell_threshold": settings["small_cell_threshold"]}

    @rpc_entrypoint
    def participation_stats(self, caller, municipality_id=None, small_cell=None):
        """Participation per neighbourhood of every survey and budget of the municipality
        (newest 100 of each): households taking part / registered households, counts under the
        small-cell threshold suppressed."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.require_city_reader(caller, municipality_id)
        limit = self._small_cell(municipality_id, small_cell)
        registered = self.store.registered_households(municipality_id)
        surveys = []
        for survey in self.store.surveys_page(municipality_id, None, None, 100):
            results = self._tally(survey).results(registered, limit)
            surveys.append({"survey_id": survey["id"], "title": survey["title"],
                            "status": domain.survey_status(survey),
                            "neighbourhoods": results["participation"]})
        budgets = []
        for budget in self.store.budgets_page(municipality_id, None, 100):
            households = {}
            for ballot in self._all_ballots(budget["id"]):
                households.setdefault(ballot["neighbourhood_id"], set()).add(
                    ballot["household_id"])
            areas = [budget["neighbourhood_id"]] if budget["neighbourhood_id"] \
                else sorted(registered)
            budgets.append({"budget_id": budget["id"], "title": budget["title"],
                            "phase": domain.phase_of(budget),
                            "neighbourhoods": domain.participation_cells(
                                [(n, registered.get(n, 0), len(households.get(n, ())))
                                 for n in areas], limit)})
        return {"surveys": surveys, "budgets": budgets}

    # -- events ------------------------------------------------------------------------------------

    # Registered households per neighbourhood (the denominator of every participation rate and
    # the "resident" ballot unit's check) are kept here from identity's events, so a rate never
    # waits on another service.

    @event_handler(events.USER_REGISTERED)
    def on_user_registered(self, payload):
        registration = domain.registration_from(payload)
        if registration is not None:
            self.store.upsert_registration(registration)

    @event_handler(events.USER_UPDATED)
    def on_user_updated(self, payload):
        changes = payload.get("changes")
        if isinstance(changes, dict):
            self.store.move_registration(payload["user_id"], changes.get("neighbourhood_id"),
                                         changes.get("household_id"))

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        """Results, rates and the budget log keep counting what the person did; nothing links
        it to them any more (idempotent: a replay finds nothing left under their id)."""
        self.store.erase_user(payload["user_id"], domain.erased_marker())
        self.finish_erasure()

    # -- GDPR --------------------------------------------------------------------------------------

    @rpc_entrypoint
    def export_user(self, caller):
        """Everything this service holds about the caller (GDPR art. 15 and 20)."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        return domain.export(self.store.personal_data(caller.user_id))
