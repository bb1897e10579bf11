"""Neighbourhood: polygons, membership, following, activation.

Every RPC takes the caller; the rules of who sees what are in domain.py's docstring."""
from datetime import datetime, timezone

from nameko.events import EventDispatcher

from contracts import errors, events, services
from contracts import rpc as methods
from contracts.caller import SYSTEM_CALLER
from contracts.caller import ADMIN, RESIDENT, Caller
from servicekit import disclosure, metrics
from servicekit.nameko_extensions import (
    IdempotencyKeys, QuartierService, ServiceRpc, event_handler, rpc,
)
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from servicekit.suspension import require_not_suspended
from services.neighbourhood import (
    calendar,
    domain,
    geography,
    helpers,
    helpers_repository,
    organisations,
    reindex,
)
from services.neighbourhood.dependencies import (
    Calendar,
    HelperSearch,
    Helpers,
    Neighbourhoods,
    Organisations,
)
from services.neighbourhood.search.port import SearchQuery


REINDEX_BATCH = 500  # profiles per committed batch when the index is rebuilt


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class NeighbourhoodService(QuartierService):
    name = services.NEIGHBOURHOOD

    neighbourhoods = Neighbourhoods()
    dispatch = EventDispatcher()

    # -- geography ---------------------------------------------------------------------------------

    @rpc
    def import_neighbourhoods(self, caller, collection, municipality_id=None):
        """Import a municipality's neighbourhoods from a GeoJSON FeatureCollection (city staff,
        admins, the platform). Idempotent: re-importing matches features by code (or name),
        keeps their ids, states and members, and recomputes adjacency."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        domain.authorize_geography(caller, municipality_id)
        read = geography.read_feature_collection(collection)
        adjacency = geography.adjacency([shape for _, shape in read])
        existing = self.neighbourhoods.in_municipality(municipality_id)
        planned, report = domain.plan_import(
            municipality_id, [feature for feature, _ in read], adjacency, existing)
        self.neighbourhoods.store_import(planned)
        counts = self.neighbourhoods.household_counts(municipality_id)
        return {
            "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "neighbourhoods": [
                domain.summary(n, counts.get(n.id, 0))
                for n in self.neighbourhoods.in_municipality(municipality_id)
            ],
        }

    @rpc
    def locate(self, caller, municipality_id, points):
        """[[lon, lat], ...] (at most 1,000) → the neighbourhood id holding each point, or None
        where no polygon does. For the platform (identity's address import) and staff/admins."""
        caller = Caller.from_dict(caller)
        domain.authorize_geography(caller, municipality_id)
        coordinates = geography.read_points(points)
        locator = geography.Locator.from_geojson(
            (n.id, n.geometry) for n in self.neighbourhoods.in_municipality(municipality_id))
        return locator.locate(coordinates)

    # -- reading -----------------------------------------------------------------------------------

    def _standing(self, caller):
        """(membership, home neighbourhood, followed ids) of a resident caller; Nones otherwise."""
        if caller.role != RESIDENT or not caller.user_id:
            return None, None, []
        member = self.neighbourhoods.get_member(caller.user_id)
        if member is None or member.municipality_id != caller.municipality_id:
            return None, None, []
        home = self.neighbourhoods.get(member.neighbourhood_id)
        followed = [n for n, _ in self.neighbourhoods.follows_of(caller.user_id)]
        return member, home, followed

    @rpc
    def list_neighbourhoods(self, caller, municipality_id=None):
        """The neighbourhoods of the caller's municipality with state, household counts and
        adjacency, and for a resident which one is home and which they follow."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        _, home, followed = self._standing(caller)
        counts = self.neighbourhoods.household_counts(municipality_id)
        return {"items": [
            domain.summary(n, counts.get(n.id, 0), home and home.id, followed)
            for n in self.neighbourhoods.in_municipality(municipality_id)
        ]}

    @rpc
    def get_neighbourhood(self, caller, neighbourhood_id):
        """A neighbourhood as a GeoJSON Feature, if the caller may see it; else not_found."""
        caller = Caller.from_dict(caller)
        _, home, followed = self._standing(caller)
        found = self.neighbourhoods.get(neighbourhood_id) if isinstance(
            neighbourhood_id, str) else None
        domain.require_visible(caller, found, home, followed)
        return domain.feature(found, self.neighbourhoods.household_count(found.id),
                              home and home.id, followed)

    @rpc
    def list_members(self, caller, neighbourhood_id, cursor=None, limit=None):
        """The neighbour list: listed members' first name and street (the user id lets a
        neighbour start a chat), ordered by street then name, cursor-paginated."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        after = decode_cursor(cursor)
        if after is not None and not (
                isinstance(after, list) and len(after) == 3
                and all(isinstance(part, str) for part in after)):
            raise errors.invalid("malformed cursor")
        _, home, followed = self._standing(caller)
        found = self.neighbourhoods.get(neighbourhood_id) if isinstance(
            neighbourhood_id, str) else None
        domain.require_member_list_access(caller, found, home, followed)
        members = self.neighbourhoods.listed_members(found.id, after=after, limit=limit + 1)
        more = len(members) > limit
        members = members[:limit]
        last = members[-1] if members else None
        return {
            "items": [m.listing() for m in members],
            "next_cursor": encode_cursor([last.street, last.first_name, last.user_id])
            if more else None,
        }

    @rpc
    def visible_neighbourhood_ids(self, caller):
        """The neighbourhoods the caller may see: a resident's home and the adjacent ones they
        follow; every neighbourhood of the municipality for its staff, moderators and admins
        (what they may read inside one, such as posts shared with the city, is the owning
        service's rule); nothing for anyone else."""
        caller = Caller.from_dict(caller)
        if caller.role == RESIDENT:
            _, home, followed = self._standing(caller)
            return domain.resident_visible_ids(home, followed)
        if caller.role in domain.CITY_ROLES and caller.municipality_id:
            return [n.id for n in self.neighbourhoods.in_municipality(caller.municipality_id)]
        return []

    @rpc
    def can_see(self, caller, neighbourhood_id):
        """Whether `visible_neighbourhood_ids(caller)` includes this neighbourhood."""
        caller = Caller.from_dict(caller)
        _, home, followed = self._standing(caller)
        found = self.neighbourhoods.get(neighbourhood_id) if isinstance(
            neighbourhood_id, str) else None
        return domain.can_see(caller, found, home, followed)

    # -- the resident's own choices ----------------------------------------------------------------

    @rpc
    def follow(self, caller, neighbourhood_id):
        """Follow a neighbourhood adjacent to one's home (idempotent)."""
        caller = Caller.from_dict(caller)
        member, home, _ = self._standing(caller)
        home = domain.require_resident_home(caller, member, home)
        target = domain.check_follow(home, self.neighbourhoods.get(neighbourhood_id))
        self.neighbourhoods.follow(caller.user_id, target.id, _now())
        return {"neighbourhood_id": target.id, "following": True}

    @rpc
    def unfollow(self, caller, neighbourhood_id):
        """Stop following (idempotent: not following already is fine)."""
        caller = Caller.from_dict(caller)
        member, home, _ = self._standing(caller)
        home = domain.require_resident_home(caller, member, home)
        target = self.neighbourhoods.get(neighbourhood_id)
        if target is None or target.municipality_id != home.municipality_id:
            raise errors.not_found("neighbourhood not found")
        self.neighbourhoods.unfollow(caller.user_id, target.id)
        return {"neighbourhood_id": target.id, "following": False}

    @rpc
    def set_directory_listing(self, caller, listed):
        """Opt in or out of the neighbour list; an unlisted member does not appear in it."""
        caller = Caller.from_dict(caller)
        if not isinstance(listed, bool):
            raise errors.invalid("listed must be true or false")
        member, home, _ = self._standing(caller)
        domain.require_resident_home(caller, member, home)
        updated = self.neighbourhoods.update_member(caller.user_id, listed=listed)
        return {"listed": updated.listed}

    @rpc
    def export_user(self, caller):
        """Everything this service holds about the caller (GDPR art. 15 and 20)."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        exported = domain.export(self.neighbourhoods.get_member(caller.user_id),
                                 self.neighbourhoods.follows_of(caller.user_id))
        exported["calendar"] = calendar.export(
            self.calendar_store.events_organised_by(caller.user_id),
            self.calendar_store.rsvps_by(caller.user_id))
        profile = self.helper_store.get_profile(caller.user_id)
        exported["helpers"] = {
            "profile": helpers.profile_view(profile) if profile else None,
            "callout_answers": [i.to_dict() for i in
                                self.helper_store.all_invitations_of(caller.user_id)],
        }
        return exported

    # -- events ------------------------------------------------------------------------------------

    def _announce_activation(self, neighbourhood_id):
        """Open the neighbourhood when due, and announce it until the announcement is recorded
        (at least once; the event id is fixed, so a consumer drops a repeat)."""
        found = self.neighbourhoods.get(neighbourhood_id)
        if found is None:
            return
        threshold = self.neighbourhoods.activation_threshold(found.municipality_id)
        households = self.neighbourhoods.household_count(found.id)
        if domain.activation_due(found, households, threshold):
            self.neighbourhoods.activate(found.id, _now())
            found = self.neighbourhoods.get(found.id)
        if found.state == domain.ACTIVE and not found.activation_announced:
            event, payload = domain.neighbourhood_activated(found)
            self.dispatch(event.name, payload)
            self.neighbourhoods.mark_activation_announced(found.id)

    # Handlers run through the service's event inbox (servicekit): once per event_id, failures
    # parked and retried. Each is idempotent anyway: a crash between its writes and the inbox's
    # record replays it.

    @event_handler(events.MUNICIPALITY_CREATED)
    def on_municipality_created(self, payload):
        municipality_id = payload["municipality_id"]
        self.neighbourhoods.record_municipality(
            municipality_id, payload.get("name"), domain.activation_threshold(payload))
        # Residents may have joined before the threshold was known.
        for neighbourhood in self.neighbourhoods.in_municipality(municipality_id):
            self._announce_activation(neighbourhood.id)

    @event_handler(events.USER_REGISTERED)
    def on_user_registered(self, payload):
        member = domain.member_from_registration(payload)
        if member is None:
            return
        stored, _ = self.neighbourhoods.add_member(member)
        # Dispatched on replays too (same event id): a crash before it must not lose it.
        event, joined = domain.member_joined(stored)
        self.dispatch(event.name, joined)
        self._announce_activation(stored.neighbourhood_id)

    @event_handler(events.USER_UPDATED)
    def on_user_updated(self, payload):
        changes = domain.member_changes(payload.get("changes"))
        before = self.neighbourhoods.get_member(payload["user_id"]) if changes else None
        if before is None:
            return
        new_home = changes.pop("neighbourhood_id", before.neighbourhood_id)
        if changes:
            self.neighbourhoods.update_member(before.user_id, **changes)
        if new_home != before.neighbourhood_id:
            # Left before joined, each announced (fixed event ids: replays are dropped
            # downstream). Follows end: they were chosen for the old home's neighbours.
            event, left = domain.member_left(before)
            self.dispatch(event.name, left)
            moved = self.neighbourhoods.move_member(before.user_id, new_home)
            event, joined = domain.member_joined(moved)
            self.dispatch(event.name, joined)
            self._announce_activation(new_home)

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        user_id = payload["user_id"]
        member = self.neighbourhoods.get_member(user_id)
        if member is not None:
            # Announced before the removal: if the removal fails, the retry announces again
            # (same event id) rather than never.
            event, left = domain.member_left(member)
            self.dispatch(event.name, left)
        self.neighbourhoods.remove_member(user_id)
        # The calendar forgets them too: the events they organise (with everyone's answers to
        # them: an event without its organiser cannot take place as announced) and their own
        # answers to other events, which leaves those counts exact.
        self.calendar_store.erase_user(user_id)
        self.finish_erasure()

    # == calendar and organisations map (issue 4) ==================================================
    # The calendar (residents' events, RSVPs) and the map of local organisations (managed by the
    # city) live here because both hang on what this service owns: membership, follows and the
    # polygons. Rules in calendar.py and organisations.py; who sees what in their docstrings.

    calendar_store = Calendar()
    organisation_store = Organisations()
    idempotency = IdempotencyKeys()

    def _resident_visible_ids(self, caller):
        _, home, followed = self._standing(caller)
        return domain.resident_visible_ids(home, followed)

    def _locate(self, municipality_id, point):
        """The neighbourhood of the municipality holding (lon, lat), or None."""
        neighbourhoods = self.neighbourhoods.in_municipality(municipality_id)
        locator = geography.Locator.from_geojson((n.id, n.geometry) for n in neighbourhoods)
        return locator.locate(geography.read_points([list(point)]))[0]

    def _event_view(self, caller, event):
        counts = self.calendar_store.rsvp_counts([event.id]).get(event.id)
        mine = self.calendar_store.responses_of(caller.user_id, [event.id]).get(event.id)
        return calendar.view(event, counts, mine, caller.user_id)

    def _visible_event(self, caller, event_id):
        event = self.calendar_store.get_event(event_id) if isinstance(event_id, str) else None
        visible = self._resident_visible_ids(caller) if caller.role == RESIDENT else []
        return calendar.require_visible_event(caller, event, visible)

    # Moderation screens an event before it is stored (issue 5): the local commercial-event rule
    # above runs first and stays (its fee rules are the calendar's own); then the municipality's
    # watched words and the commercial filter. Fails closed: moderation not answering → 503 and
    # nothing stored. The calendar has no "held" state, so moderation refuses what it would hold.
    moderation = ServiceRpc()
    MODERATION_TIMEOUT = 3.0

    def _screen_event(self, caller, created):
        try:
            result = self.moderation.call(
                methods.moderation.SCREEN, timeout=self.MODERATION_TIMEOUT,
                caller=SYSTEM_CALLER.to_dict(), municipality_id=created.municipality_id,
                content_kind="calendar_event", content_id=created.id,
                text="%s\n%s" % (created.title, created.description or ""),
                author_id=caller.user_id, neighbourhood_id=created.neighbourhood_id)
        except errors.DomainError as exc:
            if exc.code in (errors.TIMEOUT, errors.UNAVAILABLE):
                raise errors.DomainError(
                    errors.UNAVAILABLE, "moderation is not answering: the event was not "
                    "stored; please try again shortly") from None
            raise
        if result["action"] in ("block", "hold"):
            # Reasons in the calendar's own shape (rule, message, matched), as its local rule's.
            raise errors.DomainError(
                errors.UNPROCESSABLE,
                "refused by moderation: %s" % "; ".join(result["reasons"]),
                details={"reasons": [{"rule": d.get("rule_id") or d["signal"],
                                      "message": d["message"], "matched": d.get("matched", [])}
                                     for d in result["details"]]})

    @rpc
    def create_event(self, caller, neighbourhood_id, event, idempotency_key=None):
        """A resident's event in their home neighbourhood: title, description, starts_at and
        ends_at with their UTC offset, place, optional point and small-fee flag. Commercial events
        are refused (unprocessable) with the reasons; see calendar.commercial_reasons."""
        caller = Caller.from_dict(caller)
        member, home, followed = self._standing(caller)
        visible = domain.resident_visible_ids(home, followed) if caller.role == RESIDENT else []
        home = calendar.require_home(caller, home, neighbourhood_id, visible)

        def create():
            require_not_suspended(self.moderation, caller)
            now = datetime.now(timezone.utc)
            if self.calendar_store.count_upcoming_by_organiser(
                    caller.user_id, calendar.utc_key(now)) >= calendar.MAX_UPCOMING_PER_ORGANISER:
                raise errors.conflict(
                    "you already organise %d upcoming events; cancel one or wait until one has "
                    "taken place" % calendar.MAX_UPCOMING_PER_ORGANISER)
            created = calendar.new_event(caller, home, member.first_name, event, now=now)
            self._screen_event(caller, created)
            if created.point is not None:
                calendar.check_point_near(
                    created.point, self._locate(home.municipality_id, created.point), home)
            self.calendar_store.add_event(created)
            metrics.CALENDAR_EVENTS_CREATED.labels(home.municipality_id).inc()
            return calendar.view(created, caller_id=caller.user_id)

        return self.idempotency.run(
            caller, "create_event", idempotency_key,
            {"neighbourhood_id": neighbourhood_id, "event": event}, create)

    @rpc
    def list_events(self, caller, neighbourhood_id, cursor=None, limit=None):
        """Upcoming events of a neighbourhood (not yet ended; cancelled ones marked), soonest
        first, paged on (start, id), with exact RSVP counts and the caller's own answer."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        after = calendar.upcoming_after(decode_cursor(cursor))
        _, home, followed = self._standing(caller)
        found = self.neighbourhoods.get(neighbourhood_id) if isinstance(
            neighbourhood_id, str) else None
        calendar.require_calendar_access(
            caller, found, domain.can_see(caller, found, home, followed))
        now_key = calendar.utc_key(datetime.now(timezone.utc))
        page = self.calendar_store.upcoming(found.id, after, now_key, limit + 1)
        more = len(page) > limit
        page = page[:limit]
        ids = [e.id for e in page]
        counts = self.calendar_store.rsvp_counts(ids)
        mine = self.calendar_store.responses_of(caller.user_id, ids)
        last = page[-1] if page else None
        return {
            "items": [calendar.view(e, counts.get(e.id), mine.get(e.id), caller.user_id)
                      for e in page],
            "next_cursor": encode_cursor([last.starts_at_utc, last.id]) if more else None,
        }

    @rpc
    def get_event(self, caller, event_id):
        caller = Caller.from_dict(caller)
        return self._event_view(caller, self._visible_event(caller, event_id))

    @rpc
    def update_event(self, caller, event_id, changes):
        """The organiser changes an event that has neither ended nor been cancelled; the whole
        event is checked again, the commercial rule included."""
        caller = Caller.from_dict(caller)
        event = calendar.require_organiser(caller, self._visible_event(caller, event_id))
        calendar.require_open(event)
        updated = calendar.edited_event(event, changes)
        require_not_suspended(self.moderation, caller)
        # Screened like a new event, before it is stored: an edit is no side door for what
        # creation refuses.
        self._screen_event(caller, updated)
        if updated.point is not None and updated.point != event.point:
            neighbourhood = self.neighbourhoods.get(event.neighbourhood_id)
            calendar.check_point_near(
                updated.point, self._locate(event.municipality_id, updated.point), neighbourhood)
        if not self.calendar_store.update_event(updated):
            raise errors.conflict("the event is cancelled and can no longer be changed")
        return self._event_view(caller, updated)

    @rpc
    def cancel_event(self, caller, event_id):
        """The organiser cancels: the event stays listed as cancelled, so those who answered
        see it. Cancelling again answers the same."""
        caller = Caller.from_dict(caller)
        event = calendar.require_organiser(caller, self._visible_event(caller, event_id))
        if event.status != calendar.CANCELLED:
            calendar.require_open(event, doing="cancelled")
            self.calendar_store.cancel_event(event.id, _now())
        return self._event_view(caller, self.calendar_store.get_event(event.id))

    @rpc
    def set_rsvp(self, caller, event_id, response):
        """going / maybe / not_going: one answer per resident and event, replaced by the next
        (idempotent). Counts come back exact."""
        caller = Caller.from_dict(caller)
        response = calendar.read_rsvp(response)
        event = calendar.require_open(self._visible_event(caller, event_id), doing="answered")
        self.calendar_store.set_rsvp(event.id, caller.user_id, response, _now())
        counts = self.calendar_store.rsvp_counts([event.id]).get(event.id)
        return {"event_id": event.id, "response": response,
                "rsvp_counts": dict(calendar.empty_counts(), **(counts or {}))}

    # -- organisations map

    def _place_organisation(self, municipality_id, requested_id, point):
        """The neighbourhood an organisation's point lies in (the named one must be it)."""
        neighbourhoods = {n.id: n for n in self.neighbourhoods.in_municipality(municipality_id)}
        if requested_id is not None and requested_id not in neighbourhoods:
            raise errors.not_found("neighbourhood not found")
        located = self._locate(municipality_id, point)
        return organisations.place_in(
            requested_id, located, neighbourhoods[located].name if located else None)

    def _require_room_for_organisation(self, neighbourhood_id):
        if self.organisation_store.count_in(neighbourhood_id) \
                >= organisations.MAX_PER_NEIGHBOURHOOD:
            raise errors.conflict("a neighbourhood holds at most %d organisations"
                                  % organisations.MAX_PER_NEIGHBOURHOOD)

    def _managed_organisation(self, caller, organisation_id):
        found = self.organisation_store.get(organisation_id) if isinstance(
            organisation_id, str) else None
        if found is None:
            raise errors.not_found("organisation not found")
        organisations.authorize_management(caller, found.municipality_id)
        return found

    @rpc
    def organisation_categories(self, caller):
        """The fixed catalogue of organisation categories (id and English label)."""
        return {"items": organisations.catalogue()}

    @rpc
    def list_organisations(self, caller, neighbourhood_id, category=None, cursor=None,
                           limit=None):
        """A neighbourhood's organisations as a GeoJSON FeatureCollection, by name, for everyone
        who sees the neighbourhood (residents of it, its followers, the city)."""
        caller = Caller.from_dict(caller)
        if category is not None:
            organisations.read_category(category)
        limit = page_limit(limit, default=organisations.LIST_LIMIT_DEFAULT,
                           maximum=organisations.LIST_LIMIT_MAX)
        after = organisations.list_position(decode_cursor(cursor))
        _, home, followed = self._standing(caller)
        found = self.neighbourhoods.get(neighbourhood_id) if isinstance(
            neighbourhood_id, str) else None
        domain.require_visible(caller, found, home, followed)
        page = self.organisation_store.page(neighbourhood_id=found.id, category=category,
                                       after=after, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        return organisations.feature_collection(
            page, encode_cursor([page[-1].name_key, page[-1].id]) if more else None)

    @rpc
    def list_city_organisations(self, caller, neighbourhood_id=None, category=None, cursor=None,
                                limit=None, municipality_id=None):
        """The municipality's organisations for the staff who manage them (JSON, by name)."""
        caller = Caller.from_dict(caller)
        municipality_id = organisations.managed_municipality(caller, municipality_id)
        if category is not None:
            organisations.read_category(category)
        limit = page_limit(limit, default=organisations.LIST_LIMIT_DEFAULT,
                           maximum=organisations.LIST_LIMIT_MAX)
        after = organisations.list_position(decode_cursor(cursor))
        if neighbourhood_id is not None:
            found = self.neighbourhoods.get(neighbourhood_id) if isinstance(
                neighbourhood_id, str) else None
            if found is None or found.municipality_id != municipality_id:
                raise errors.not_found("neighbourhood not found")
        page = self.organisation_store.page(municipality_id=municipality_id,
                                       neighbourhood_id=neighbourhood_id, category=category,
                                       after=after, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        return {"items": [organisations.view(o) for o in page],
                "next_cursor": encode_cursor([page[-1].name_key, page[-1].id]) if more else None}

    @rpc
    def create_organisation(self, caller, organisation, municipality_id=None,
                            idempotency_key=None):
        """Staff add an organisation; its point must lie in the municipality (and in the
        neighbourhood given, if one is); the neighbourhood is the one holding the point."""
        caller = Caller.from_dict(caller)
        municipality_id = organisations.managed_municipality(caller, municipality_id)
        read = organisations.read_fields(organisation)

        def create():
            neighbourhood_id = self._place_organisation(
                municipality_id, read.get("neighbourhood_id"), read["point"])
            self._require_room_for_organisation(neighbourhood_id)
            created = organisations.new_organisation(caller, municipality_id, neighbourhood_id,
                                                     read)
            self.organisation_store.add(created)
            return organisations.view(created)

        return self.idempotency.run(
            caller, "create_organisation", idempotency_key,
            {"organisation": organisation, "municipality_id": municipality_id}, create)

    @rpc
    def get_organisation(self, caller, organisation_id):
        caller = Caller.from_dict(caller)
        return organisations.view(self._managed_organisation(caller, organisation_id))

    @rpc
    def update_organisation(self, caller, organisation_id, changes):
        """Staff change an organisation; a moved point moves it to the neighbourhood holding it."""
        caller = Caller.from_dict(caller)
        found = self._managed_organisation(caller, organisation_id)
        read = organisations.read_fields(changes, partial=True)
        neighbourhood_id = found.neighbourhood_id
        if "point" in read or read.get("neighbourhood_id") is not None:
            neighbourhood_id = self._place_organisation(
                found.municipality_id, read.get("neighbourhood_id"),
                read.get("point", found.point))
            if neighbourhood_id != found.neighbourhood_id:
                self._require_room_for_organisation(neighbourhood_id)
        updated = organisations.edited(found, read, neighbourhood_id)
        if not self.organisation_store.update(updated):
            raise errors.not_found("organisation not found")
        return organisations.view(updated)

    @rpc
    def delete_organisation(self, caller, organisation_id):
        caller = Caller.from_dict(caller)
        found = self._managed_organisation(caller, organisation_id)
        self.organisation_store.delete(found.id)
        return {"id": found.id, "deleted": True}

    # == helpers (issue 8) =========================================================================
    # Helper profiles, the search projection and city call-outs. Rules and who sees what in
    # helpers.py; the index (tantivy or Elasticsearch) is fed only by the handlers below, from the
    # profiles in this service's store, and can be rebuilt from them (helper_index "rebuild",
    # `python -m services.neighbourhood.reindex`).

    helper_store = Helpers()
    helper_search = HelperSearch()

    def _helper_member(self, caller):
        member = self.neighbourhoods.get_member(caller.user_id) if caller.user_id else None
        return helpers.require_resident_home(caller, member)

    def _project_helper(self, user_id):
        """Bring the user's search document in line with the store: indexed (under the member's
        current home) when they have a profile and a membership, absent otherwise. Idempotent and
        order-free: whichever event arrives last leaves the right document."""
        profile = self.helper_store.get_profile(user_id)
        member = self.neighbourhoods.get_member(user_id)
        if profile is None or member is None:
            self.helper_search.remove([user_id])
            return
        if (profile.neighbourhood_id, profile.first_name) != (
                member.neighbourhood_id, member.first_name):
            # Moved house or renamed: the profile follows the membership.
            profile = helpers.replace_profile(profile, neighbourhood_id=member.neighbourhood_id,
                                              first_name=member.first_name)
            self.helper_store.put_profile(profile)
        self.helper_search.upsert([helpers.index_document(profile)])

    @rpc
    def put_helper_profile(self, caller, profile, idempotency_key=None):
        """Create or replace the caller's helper profile (skills from the catalogue, free text,
        languages, availability, volunteer flag). Searchable once the projection has it."""
        caller = Caller.from_dict(caller)
        member = self._helper_member(caller)
        fields = helpers.read_profile(profile)

        def put():
            require_not_suspended(self.moderation, caller)
            existing = self.helper_store.get_profile(caller.user_id)
            stored = self.helper_store.put_profile(
                helpers.new_profile(member, fields, existing))
            if existing is None:
                metrics.HELPER_PROFILES_CREATED.labels(member.municipality_id).inc()
            event, payload = helpers.profile_updated(stored)
            self.dispatch(event.name, payload)
            return helpers.profile_view(stored)

        return self.idempotency.run(caller, "put_helper_profile", idempotency_key,
                                    {"profile": profile}, put)

    @rpc
    def get_helper_profile(self, caller, language=None):
        caller = Caller.from_dict(caller)
        self._helper_member(caller)
        found = self.helper_store.get_profile(caller.user_id)
        if found is None:
            raise errors.not_found("you have no helper profile")
        return helpers.profile_view(found, helpers.reader_language(language))

    @rpc
    def remove_helper_profile(self, caller, idempotency_key=None):
        """Remove the caller's profile (idempotent: none is fine); gone from search once the
        projection has the event."""
        caller = Caller.from_dict(caller)
        if caller.role != RESIDENT or not caller.user_id:
            raise errors.forbidden("helper profiles are for residents")

        def remove():
            found = self.helper_store.get_profile(caller.user_id)
            if found is None:
                return {"removed": False}
            self.helper_store.delete_profile(caller.user_id)
            event, payload = helpers.profile_removed(found)
            self.dispatch(event.name, payload)
            return {"removed": True}

        return self.idempotency.run(caller, "remove_helper_profile", idempotency_key, {},
                                    remove)

    @rpc
    def helper_skills(self, caller, language=None):
        """The skill catalogue in the reader's language (English when none is asked; an
        unsupported one is refused, naming the supported ones)."""
        return {"language": helpers.reader_language(language),
                "items": helpers.catalogue(language)}

    @rpc
    def search_helpers(self, caller, q=None, skill=None, language=None, volunteer=None,
                       cursor=None, limit=None, reader_language=None):
        """Helpers of the caller's home and followed neighbourhoods, by relevance, paged after
        the (score, user id) of the last result. Residents only: the city reaches helpers by
        call-outs, never by name."""
        caller = Caller.from_dict(caller)
        if caller.role != RESIDENT:
            raise errors.forbidden("helper search is for residents")
        limit = page_limit(limit)
        after = helpers.search_position(decode_cursor(cursor))
        text, skill, language, volunteer = helpers.read_search(q, skill, language, volunteer)
        # Labels in the reader's language; English for anything unsupported (display only).
        shown_in = reader_language if reader_language in helpers.LANGUAGES else "en"
        _, home, followed = self._standing(caller)
        visible = domain.resident_visible_ids(home, followed)
        hits = self.helper_search.search(SearchQuery(
            neighbourhood_ids=visible, text=text, skill=skill, language=language,
            volunteer=volunteer, after=after, limit=limit + 1,
            municipality_id=caller.municipality_id))
        more = len(hits) > limit
        hits = hits[:limit]
        profiles = self.helper_store.get_profiles([h.user_id for h in hits])
        items = [helpers.search_view(profiles[h.user_id], h.score, shown_in) for h in hits
                 # The store has the last word: a document the projection has not caught up
                 # with yet never shows a removed profile or one that moved out of sight.
                 if h.user_id in profiles and profiles[h.user_id].neighbourhood_id in visible]
        return {"items": items,
                "next_cursor": encode_cursor([hits[-1].score, hits[-1].user_id])
                if more and hits else None}

    # -- call-outs

    def _city_callout(self, caller, callout_id):
        municipality_id = helpers.authorize_city(caller)
        found = self.helper_store.get_callout(callout_id) if isinstance(callout_id, str) else None
        if found is None or found.municipality_id != municipality_id:
            raise errors.not_found("call-out not found")
        return found

    def _city_view(self, callout):
        counts = self.helper_store.invitation_counts([callout.id]).get(callout.id, {})
        return helpers.city_view(callout, counts,
                                 self.helper_store.accepted_invitations(callout.id))

    @rpc
    def create_callout(self, caller, callout, idempotency_key=None):
        """City staff ask for N helpers with a skill in a neighbourhood of their municipality: the
        matching volunteers (up to CALLOUT_MAX_NOTIFIED) are invited. The answer holds counts,
        no names."""
        caller = Caller.from_dict(caller)
        municipality_id = helpers.authorize_city(caller)
        fields = helpers.read_callout(callout)
        neighbourhood = self.neighbourhoods.get(fields["neighbourhood_id"])
        if neighbourhood is None or neighbourhood.municipality_id != municipality_id:
            raise errors.not_found("neighbourhood not found")

        def create():
            created = helpers.new_callout(caller, municipality_id, fields)
            volunteers = self.helper_store.volunteers_for(
                neighbourhood.id, created.skill, helpers.CALLOUT_MAX_NOTIFIED)
            self.helper_store.add_callout(created, helpers.invitations_for(created, volunteers))
            metrics.CALLOUTS_CREATED.labels(municipality_id).inc()
            event, payload = helpers.callout_issued(created, [v.user_id for v in volunteers])
            self.dispatch(event.name, payload)
            return self._city_view(self.helper_store.get_callout(created.id))

        return self.idempotency.run(caller, "create_callout", idempotency_key,
                                    {"callout": callout}, create)

    @rpc
    def list_callouts(self, caller, cursor=None, limit=None):
        """The municipality's call-outs, newest first, with counts (and accepted helpers)."""
        caller = Caller.from_dict(caller)
        municipality_id = helpers.authorize_city(caller)
        limit = page_limit(limit)
        after = decode_cursor(cursor)
        if after is not None and not (isinstance(after, list) and len(after) == 2
                                      and all(isinstance(p, str) for p in after)):
            raise errors.invalid("malformed cursor")
        page = self.helper_store.callouts_page(municipality_id, after, limit + 1)
        more = len(page) > limit
        page = page[:limit]
        counts = self.helper_store.invitation_counts([c.id for c in page])
        return {"items": [helpers.city_view(c, counts.get(c.id, {}),
                                            self.helper_store.accepted_invitations(c.id))
                          for c in page],
                "next_cursor": encode_cursor([page[-1].created_at, page[-1].id])
                if more else None}

    @rpc
    def get_callout(self, caller, callout_id):
        caller = Caller.from_dict(caller)
        return self._city_view(self._city_callout(caller, callout_id))

    @rpc
    def my_callouts(self, caller, cursor=None, limit=None):
        """The call-outs a helper was invited to, newest first, with their own answer."""
        caller = Caller.from_dict(caller)
        if caller.role != RESIDENT or not caller.user_id:
            raise errors.forbidden("call-outs are answered by residents")
        limit = page_limit(limit)
        after = decode_cursor(cursor)
        if after is not None and not (isinstance(after, list) and len(after) == 2
                                      and all(isinstance(p, str) for p in after)):
            raise errors.invalid("malformed cursor")
        page = self.helper_store.invitations_of(caller.user_id, after, limit + 1)
        more = len(page) > limit
        page = page[:limit]
        callouts = self.helper_store.get_callouts({i.callout_id for i in page})
        return {"items": [helpers.helper_view(i, callouts.get(i.callout_id)) for i in page],
                "next_cursor": encode_cursor([page[-1].notified_at, page[-1].callout_id])
                if more else None}

    @rpc
    def answer_callout(self, caller, callout_id, answer, idempotency_key=None):
        """accepted / declined. Accepting tells the city your first name; a call-out that has
        its helpers already refuses more (409). Declining after accepting withdraws."""
        caller = Caller.from_dict(caller)
        answer = helpers.read_answer(answer)
        if caller.role != RESIDENT or not caller.user_id:
            raise errors.forbidden("call-outs are answered by residents")

        def record():
            member = self.neighbourhoods.get_member(caller.user_id)
            outcome, invitation = self.helper_store.answer(
                callout_id if isinstance(callout_id, str) else "", caller.user_id, answer,
                member.first_name if member else "", _now())
            if outcome == helpers_repository.MISSING:
                raise errors.not_found("call-out not found")
            if outcome == helpers_repository.FULL:
                raise errors.conflict("this call-out already has the helpers it asked for")
            if outcome == helpers_repository.CHANGED:
                metrics.CALLOUT_ANSWERS.labels(invitation.municipality_id, answer).inc()
            return helpers.helper_view(invitation,
                                       self.helper_store.get_callout(invitation.callout_id))

        return self.idempotency.run(caller, "answer_callout", idempotency_key,
                                    {"callout_id": callout_id, "answer": answer}, record)

    @rpc
    def helper_statistics(self, caller, municipality_id=None, small_cell=None):
        """Helpers and volunteers per neighbourhood, in all, and per skill: counts only, for the
        city's statistics, with counts under the small-cell threshold (`small_cell`, never under
        the platform's 10) null and named in `suppressed`."""
        caller = Caller.from_dict(caller)
        municipality_id = domain.municipality_of(caller, municipality_id)
        if not (caller.is_system or caller.role in domain.CITY_ROLES):
            raise errors.forbidden("statistics are for the city")
        return helpers.helper_statistics_view(
            [(n.id, n.name) for n in self.neighbourhoods.in_municipality(municipality_id)],
            self.helper_store.profile_counts(municipality_id),
            self.helper_store.skill_counts(municipality_id), disclosure.threshold(small_cell))

    @rpc
    def helper_index(self, caller, action):
        """Maintenance of the search projection, for admins and the platform: "status" counts
        its documents; "clear" empties it; "rebuild" empties it and indexes every profile again
        from the store, in batches (searches meanwhile see a partial index, for seconds)."""
        caller = Caller.from_dict(caller)
        if not (caller.is_system or caller.role == ADMIN):
            raise errors.forbidden("for administrators")
        if action not in ("status", "clear", "rebuild"):
            raise errors.invalid("action must be status, clear or rebuild")
        if action == "status":
            indexed = 0
        elif action == "clear":
            self.helper_search.clear()
            indexed = 0
        else:
            indexed = reindex.rebuild(self.helper_store, self.neighbourhoods, self.helper_search,
                                      REINDEX_BATCH)
        return {"action": action, "indexed": indexed, "documents": self.helper_search.count()}

    # Every change reaches the index through one of these (inbox: once per event id; the
    # projection itself is idempotent: the document id is the user id).

    @event_handler(events.HELPER_PROFILE_UPDATED)
    def on_helper_profile_updated(self, payload):
        self._project_helper(payload["user_id"])

    @event_handler(events.HELPER_PROFILE_REMOVED)
    def on_helper_profile_removed(self, payload):
        self._project_helper(payload["user_id"])

    @event_handler(events.MEMBER_LEFT)
    def on_member_left_helpers(self, payload):
        self._project_helper(payload["user_id"])

    @event_handler(events.MEMBER_JOINED)
    def on_member_joined_helpers(self, payload):
        # After a move the member joins their new home: the profile follows it.
        self._project_helper(payload["user_id"])

    @event_handler(events.USER_ERASED)
    def on_user_erased_helpers(self, payload):
        """Erasure: the profile, the invitations and answers (a seat taken is given back) and
        the search document."""
        self.helper_store.erase_user(payload["user_id"])
        self.helper_search.remove([payload["user_id"]])
        reindex.purge(self.helper_store, self.neighbourhoods, self.helper_search)
        self.finish_erasure()
