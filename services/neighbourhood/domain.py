"""Neighbourhood's pure rules: who may see and do what, membership, following, activation, and
turning an import into stored neighbourhoods. No I/O: values in, values and events out.

Who sees what (PRODUCT rules 2 and 3):
- a resident sees their home neighbourhood and the adjacent ones they follow: its GeoJSON and its
  neighbour list. Any other neighbourhood answers `not_found`, as an unknown id would. The list of
  the municipality's neighbourhoods (names, states, counts, adjacency) is open to every member of
  the municipality, because a resident picks the ones to follow from it.
- city staff, moderators and admins of the municipality see every neighbourhood of it with its
  geometry and household counts, never its neighbour list: the city sees aggregates, not people.
- only staff and admins (and the platform itself) import polygons and locate addresses.
"""
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, MUNICIPAL_SYSTEM, RESIDENT, Caller

PENDING = "pending"
ACTIVE = "active"
# Used until the municipality_created event says otherwise (nebenan.de opens at 10 people).
DEFAULT_ACTIVATION_THRESHOLD = 10
FIRST_NAME_MAX = 40
STREET_MAX = 120

# A municipality's own systems (gRPC, by API key) see what its staff see: counts, not lists.
CITY_ROLES = (CITY_STAFF, MODERATOR, ADMIN, MUNICIPAL_SYSTEM)
GEOGRAPHY_ROLES = (CITY_STAFF, ADMIN)


def _now(now=None):
    return (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Neighbourhood:
    id: str
    municipality_id: str
    key: str  # the import's code, or its name when it has none: stable across re-imports
    name: str
    code: str
    geometry: dict
    adjacent_ids: tuple = ()
    state: str = PENDING
    activated_at: str = ""
    activation_announced: bool = False
    created_at: str = ""
    updated_at: str = ""

    def to_dict(self):
        data = asdict(self)
        data["adjacent_ids"] = list(self.adjacent_ids)
        return data

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["adjacent_ids"] = tuple(known.get("adjacent_ids") or ())
        return cls(**known)

    def same_geography(self, other):
        return (self.name, self.code, self.geometry, self.adjacent_ids) == (
            other.name, other.code, other.geometry, other.adjacent_ids)


@dataclass(frozen=True)
class Member:
    """A resident's membership of their home neighbourhood: what the neighbour list shows (first
    name and street, never the house number) and whether they chose to be listed."""

    user_id: str
    municipality_id: str
    neighbourhood_id: str
    household_id: str
    first_name: str
    street: str
    listed: bool = True
    joined_at: str = ""

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def listing(self):
        return {"user_id": self.user_id, "first_name": self.first_name, "street": self.street}


@dataclass(frozen=True)
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)


# -- names -----------------------------------------------------------------------------------------

def first_name(display_name):
    """The first word of an authentic display name ("Marie-Claire Dupont" → "Marie-Claire"). The
    neighbour list shows no more than this, so a surname never leaves the account."""
    if not isinstance(display_name, str):
        return ""
    words = display_name.split()
    return words[0][:FIRST_NAME_MAX] if words else ""


def clean_street(street):
    """A street name as the list shows it: collapsed whitespace, bounded length. Identity sends
    the street without the number; a number that slipped in is not shown either."""
    if not isinstance(street, str):
        return ""
    words = [w for w in street.split() if not any(ch.isdigit() for ch in w)]
    return " ".join(words)[:STREET_MAX]


# -- authorization ---------------------------------------------------------------------------------

def authorize_geography(caller: Caller, municipality_id):
    """Importing polygons and locating addresses: the platform, or staff/admins of the
    municipality. A member of another municipality cannot learn whether it exists."""
    if caller.is_system:
        return
    if caller.role in GEOGRAPHY_ROLES and caller.belongs_to(municipality_id):
        return
    if caller.role in CITY_ROLES + (RESIDENT,) and caller.belongs_to(municipality_id):
        raise errors.forbidden("only city staff and admins manage neighbourhood polygons")
    raise errors.not_found("municipality not found")


def municipality_of(caller: Caller, municipality_id=None):
    """The municipality a caller acts in: their own; the platform names one."""
    if caller.is_system:
        if not isinstance(municipality_id, str) or not municipality_id:
            raise errors.invalid("municipality_id is required")
        return municipality_id
    if caller.role not in CITY_ROLES + (RESIDENT,) or not caller.municipality_id:
        raise errors.forbidden("an account of a municipality is required")
    if municipality_id not in (None, caller.municipality_id):
        raise errors.not_found("municipality not found")
    return caller.municipality_id


def resident_visible_ids(home, followed_ids):
    """What a resident may see: their home and the followed neighbourhoods that are still adjacent
    to it (a re-import that moves a boundary ends the visibility of a follow it invalidates)."""
    if home is None:
        return []
    adjacent = set(home.adjacent_ids)
    return [home.id] + sorted(i for i in followed_ids if i in adjacent)


def can_see(caller: Caller, neighbourhood, home, followed_ids):
    """Whether the caller may read this neighbourhood's content (see the module docstring)."""
    if neighbourhood is None:
        return False
    if caller.role in CITY_ROLES:
        return caller.belongs_to(neighbourhood.municipality_id)
    if caller.role == RESIDENT:
        return neighbourhood.id in resident_visible_ids(home, followed_ids)
    return caller.is_system


def require_visible(caller, neighbourhood, home, followed_ids):
    if not can_see(caller, neighbourhood, home, followed_ids):
        raise errors.not_found("neighbourhood not found")
    return neighbourhood


def require_member_list_access(caller, neighbourhood, home, followed_ids):
    """Neighbour lists are for residents of the neighbourhood and its followers; the city sees
    counts only (forbidden, since it knows the neighbourhood exists)."""
    require_visible(caller, neighbourhood, home, followed_ids)
    if caller.role != RESIDENT:
        raise errors.forbidden("the city sees household counts, not neighbour lists")
    return neighbourhood


def require_resident_home(caller: Caller, member, home):
    if caller.role != RESIDENT:
        raise errors.forbidden("only residents follow neighbourhoods")
    if member is None or home is None:
        raise errors.DomainError(errors.CONFLICT, "your membership is not known yet")
    return home


def check_follow(home, target):
    """Only a neighbourhood adjacent to one's home can be followed."""
    if target is None or target.municipality_id != home.municipality_id:
        raise errors.not_found("neighbourhood not found")
    if target.id == home.id:
        raise errors.invalid("this is your home neighbourhood")
    if target.id not in home.adjacent_ids:
        raise errors.invalid("only neighbourhoods adjacent to your home can be followed")
    return target


# -- import ----------------------------------------------------------------------------------------

def plan_import(municipality_id, imported, adjacency, existing, now=None, new_id=None):
    """Stored neighbourhoods for an import.

    imported: [ImportedFeature]; adjacency: [set of indices into imported]; existing: the
    municipality's neighbourhoods before. Features are matched to existing neighbourhoods by key,
    keeping their id, state and members. An import describes the whole municipality: a stored
    neighbourhood it leaves out is refused (households are bound to it; removing one is not an
    import's business). Returns ([Neighbourhood] to store, ImportReport)."""
    by_key = {n.key: n for n in existing}
    missing = sorted(set(by_key) - {f.key for f in imported})
    if missing:
        raise errors.conflict("the import leaves out existing neighbourhoods",
                              details={"missing": missing})
    stamp = _now(now)
    ids = [by_key[f.key].id if f.key in by_key else (new_id or _new_id)() for f in imported]
    planned, report = [], ImportReport()
    for index, feature in enumerate(imported):
        adjacent = tuple(sorted(ids[j] for j in adjacency[index]))
        before = by_key.get(feature.key)
        if before is None:
            planned.append(Neighbourhood(
                id=ids[index], municipality_id=municipality_id, key=feature.key,
                name=feature.name, code=feature.code, geometry=feature.geometry,
                adjacent_ids=adjacent, created_at=stamp, updated_at=stamp))
            report.created.append(ids[index])
            continue
        after = replace(before, name=feature.name, code=feature.code,
                        geometry=feature.geometry, adjacent_ids=adjacent)
        if after.same_geography(before):
            report.unchanged.append(before.id)
        else:
            planned.append(replace(after, updated_at=stamp))
            report.updated.append(before.id)
    return planned, report


def _new_id():
    return uuid.uuid4().hex


# -- membership and activation ---------------------------------------------------------------------

def member_from_registration(payload, now=None):
    """The membership a user_registered event creates, or None for accounts without a home
    (staff, moderators, admins)."""
    if payload.get("role") != RESIDENT or not payload.get("neighbourhood_id"):
        return None
    for name in ("user_id", "municipality_id", "household_id"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            raise errors.invalid("user_registered without %s" % name)
    return Member(
        user_id=payload["user_id"],
        municipality_id=payload["municipality_id"],
        neighbourhood_id=payload["neighbourhood_id"],
        household_id=payload["household_id"],
        first_name=first_name(payload.get("display_name")),
        street=clean_street(payload.get("street")),
        joined_at=_now(now),
    )


def member_changes(changes):
    """What a user_updated event changes in the neighbour list."""
    if not isinstance(changes, dict):
        return {}
    found = {}
    if "display_name" in changes:
        found["first_name"] = first_name(changes["display_name"])
    if "street" in changes:
        found["street"] = clean_street(changes["street"])
    # A corrected address register can move a household to another neighbourhood.
    if isinstance(changes.get("neighbourhood_id"), str) and changes["neighbourhood_id"]:
        found["neighbourhood_id"] = changes["neighbourhood_id"]
    return found


def activation_threshold(payload):
    value = payload.get("activation_threshold")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return DEFAULT_ACTIVATION_THRESHOLD
    return value


def activation_due(neighbourhood, households, threshold):
    """Pending until `threshold` distinct households have joined; never closes again (a
    neighbourhood that opened keeps its members' content, even if some leave)."""
    if threshold is None:
        threshold = DEFAULT_ACTIVATION_THRESHOLD
    return neighbourhood is not None and neighbourhood.state == PENDING \
        and households >= threshold


# -- events ----------------------------------------------------------------------------------------
# Event ids are deterministic: a replayed handler dispatches the same id and consumers drop it.

def member_joined(member):
    return events.MEMBER_JOINED, events.MEMBER_JOINED.payload(
        # Keyed by neighbourhood too: a member moved by a register correction joins again.
        "member_joined:%s:%s" % (member.user_id, member.neighbourhood_id),
        user_id=member.user_id, neighbourhood_id=member.neighbourhood_id,
        household_id=member.household_id)


def member_left(member):
    return events.MEMBER_LEFT, events.MEMBER_LEFT.payload(
        "member_left:%s:%s" % (member.user_id, member.neighbourhood_id),
        user_id=member.user_id, neighbourhood_id=member.neighbourhood_id)


def neighbourhood_activated(neighbourhood):
    return events.NEIGHBOURHOOD_ACTIVATED, events.NEIGHBOURHOOD_ACTIVATED.payload(
        "neighbourhood_activated:" + neighbourhood.id,
        neighbourhood_id=neighbourhood.id, municipality_id=neighbourhood.municipality_id)


# -- views -----------------------------------------------------------------------------------------

def summary(neighbourhood, households, home_id=None, followed_ids=()):
    return {
        "id": neighbourhood.id,
        "name": neighbourhood.name,
        "code": neighbourhood.code or None,
        "state": neighbourhood.state,
        "households": households,
        "adjacent_ids": list(neighbourhood.adjacent_ids),
        "home": neighbourhood.id == home_id,
        "following": neighbourhood.id in followed_ids,
    }


def feature(neighbourhood, households, home_id=None, followed_ids=()):
    properties = summary(neighbourhood, households, home_id, followed_ids)
    properties.pop("id")
    return {"type": "Feature", "id": neighbourhood.id, "geometry": neighbourhood.geometry,
            "properties": properties}


def export(member, follows):
    """Everything this service holds about a user (GDPR art. 15/20)."""
    return {
        "membership": None if member is None else {
            "neighbourhood_id": member.neighbourhood_id,
            "household_id": member.household_id,
            "first_name": member.first_name,
            "street": member.street,
            "listed_in_directory": member.listed,
            "joined_at": member.joined_at,
        },
        "follows": [{"neighbourhood_id": n, "since": since} for n, since in follows],
    }
