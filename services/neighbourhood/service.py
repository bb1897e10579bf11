"""Neighbourhood: polygons, membership, following, activation.

Every RPC takes the caller; the rules of who sees what are in domain.py's docstring."""
from datetime import datetime, timezone

from nameko.events import EventDispatcher

from contracts import errors, events, services
from contracts.caller import RESIDENT, Caller
from servicekit.nameko_extensions import QuartierService, event_handler, rpc
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from services.neighbourhood import domain, geography
from services.neighbourhood.dependencies import Neighbourhoods


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
        return domain.export(self.neighbourhoods.get_member(caller.user_id),
                             self.neighbourhoods.follows_of(caller.user_id))

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
