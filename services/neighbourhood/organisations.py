"""The organisations map's pure rules: the category catalogue, what an organisation is, who manages
and who reads it, and the GeoJSON it is served as. No I/O: values in, values out.

- City staff and admins of the municipality create, change and remove organisations (the platform
  may too, for a seed or an import). Residents, moderators and other municipalities may not: a
  neighbourhood or organisation of another municipality is `not_found`, one of their own
  `forbidden` for roles that may not manage it.
- Organisations are public facts about a neighbourhood (the school, the sports club, the library):
  everyone who sees the neighbourhood reads them — its residents and followers, and the city.
- Every organisation lies in its neighbourhood: its point is located with the same polygons that
  place households (geography.Locator).
"""
import re
import unicodedata
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT
from servicekit import text as normalised

# The fixed catalogue (id → label). Ids are stable API values; labels are English defaults the
# apps translate. Kept short on purpose: a map legend with thirty colours helps nobody.
CATEGORIES = {
    "school": "School",
    "childcare": "Childcare",
    "youth": "Youth",
    "sports_club": "Sports club",
    "library": "Library",
    "culture": "Culture",
    "care": "Health and care",
    "seniors": "Seniors",
    "social": "Social services",
    "association": "Association",
    "religious": "Place of worship",
    "environment": "Environment and gardens",
    "public_service": "Public service",
}

NAME_MIN, NAME_MAX = 2, 120
ADDRESS_MAX = 200
DESCRIPTION_MAX = 1000
WEBSITE_MAX = 300
PHONE_MAX = 32
# A neighbourhood of 1,000-4,000 households has tens of organisations; the bound keeps one map
# request (a single FeatureCollection) small.
MAX_PER_NEIGHBOURHOOD = 500
LIST_LIMIT_DEFAULT = 100
LIST_LIMIT_MAX = 500

EDITABLE = ("name", "category", "address", "point", "neighbourhood_id", "website", "phone",
            "description")
MANAGERS = (CITY_STAFF, ADMIN)
CITY_ROLES = (CITY_STAFF, MODERATOR, ADMIN)

_PHONE = re.compile(r"^\+?[0-9][0-9 ./()-]{3,30}$")
_WEBSITE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$")


@dataclass(frozen=True)
class Organisation:
    id: str
    municipality_id: str
    neighbourhood_id: str
    name: str
    category: str
    address: str
    point: tuple  # (lon, lat)
    website: str = ""
    phone: str = ""
    description: str = ""
    created_by: str = ""
    created_at: str = ""
    updated_at: str = ""

    @property
    def name_key(self):
        """The name without case, accents or extra spaces: the list's order ("École" files under
        E, not after Z) and one organisation of a name per neighbourhood."""
        decomposed = unicodedata.normalize("NFKD", self.name.casefold())
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return " ".join(plain.split())

    def to_dict(self):
        data = asdict(self)
        data["point"] = list(self.point)
        return data

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["point"] = tuple(known["point"])
        return cls(**known)


def _stamp(now=None):
    return (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")


# -- input -----------------------------------------------------------------------------------------

def read_category(value, problems=None, name="category"):
    if value in CATEGORIES:
        return value
    message = "one of %s" % ", ".join(CATEGORIES)
    if problems is None:
        raise errors.invalid("unknown category", details={name: message})
    problems[name] = message
    return None


def _read_point(value, problems):
    if not (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                    and v == v and abs(v) != float("inf") for v in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90):
        problems["point"] = "expected [longitude, latitude] in WGS 84"
        return None
    return (float(value[0]), float(value[1]))


def _optional_text(value, name, maximum, problems, pattern=None, hint=""):
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or len(value.strip()) > maximum or (
            pattern is not None and not pattern.match(value.strip())):
        problems[name] = "at most %d characters%s" % (maximum, hint)
        return None
    return value.strip()


def read_fields(fields, partial=False):
    """Validated fields of an organisation (all required ones unless `partial`); `invalid` with
    every problem at once otherwise."""
    if not isinstance(fields, dict):
        raise errors.invalid("the organisation must be an object")
    problems = {name: "unknown field" for name in sorted(set(fields) - set(EDITABLE))}
    read = {}

    def wanted(name):
        return name in fields or not partial

    if wanted("name"):
        name = fields.get("name")
        problem = normalised.text_problem(name, NAME_MAX, minimum=NAME_MIN)
        if problem:
            problems["name"] = problem
        else:
            read["name"] = " ".join(name.split())
    if wanted("category"):
        read["category"] = read_category(fields.get("category"), problems)
    if wanted("address"):
        address = fields.get("address")
        if not isinstance(address, str) or not 1 <= len(address.strip()) <= ADDRESS_MAX:
            problems["address"] = "1 to %d characters" % ADDRESS_MAX
        else:
            read["address"] = address.strip()
    if wanted("point"):
        read["point"] = _read_point(fields.get("point"), problems)
    if "neighbourhood_id" in fields:
        value = fields["neighbourhood_id"]
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 64):
            problems["neighbourhood_id"] = "a neighbourhood id"
        read["neighbourhood_id"] = value
    if wanted("website"):
        read["website"] = _optional_text(fields.get("website"), "website", WEBSITE_MAX, problems,
                                         _WEBSITE, ", an http(s) address")
    if wanted("phone"):
        read["phone"] = _optional_text(fields.get("phone"), "phone", PHONE_MAX, problems, _PHONE,
                                       ", digits with an optional leading +")
    if wanted("description"):
        read["description"] = _optional_text(fields.get("description"), "description",
                                             DESCRIPTION_MAX, problems)
    if partial and not fields:
        problems["(root)"] = "nothing to change"
    if problems:
        raise errors.invalid("invalid organisation", details=problems)
    return read


def place_in(requested_id, located_id, neighbourhood_name=None):
    """The neighbourhood an organisation belongs to: the one holding its point. A neighbourhood
    named by the caller must be that one (a pin dropped on the wrong side of a boundary is a
    mistake worth telling)."""
    if located_id is None:
        raise errors.invalid("invalid organisation", details={
            "point": "lies outside every neighbourhood of the municipality"})
    if requested_id is not None and requested_id != located_id:
        raise errors.invalid("invalid organisation", details={
            "point": "lies in %s, not in the neighbourhood given"
                     % (neighbourhood_name or "another neighbourhood")})
    return located_id


def new_organisation(caller, municipality_id, neighbourhood_id, read, now=None, new_id=None):
    stamp = _stamp(now)
    return Organisation(
        id=(new_id or (lambda: uuid.uuid4().hex))(), municipality_id=municipality_id,
        neighbourhood_id=neighbourhood_id, name=read["name"], category=read["category"],
        address=read["address"], point=read["point"], website=read.get("website", ""),
        phone=read.get("phone", ""), description=read.get("description", ""),
        created_by=caller.user_id or "", created_at=stamp, updated_at=stamp)


def edited(organisation, read, neighbourhood_id, now=None):
    changes = {k: v for k, v in read.items() if k != "neighbourhood_id"}
    return replace(organisation, neighbourhood_id=neighbourhood_id, updated_at=_stamp(now),
                   **changes)


def duplicate_name(name):
    return errors.conflict("an organisation of this name already exists in the neighbourhood",
                           details={"name": name})


# -- authorization ---------------------------------------------------------------------------------

def authorize_management(caller, municipality_id):
    """Staff and admins of the municipality, or the platform. Others of the municipality are
    told no; anyone else learns nothing."""
    if caller.is_system:
        return
    if caller.role in MANAGERS and caller.belongs_to(municipality_id):
        return
    if caller.role in CITY_ROLES + (RESIDENT,) and caller.belongs_to(municipality_id):
        raise errors.forbidden("only city staff and admins manage organisations")
    raise errors.not_found("organisation not found")


def managed_municipality(caller, municipality_id=None):
    """The municipality a manager acts in: their own (the platform names one)."""
    if caller.is_system:
        if not isinstance(municipality_id, str) or not municipality_id:
            raise errors.invalid("municipality_id is required")
        return municipality_id
    if caller.role not in MANAGERS or not caller.municipality_id:
        raise errors.forbidden("only city staff and admins manage organisations")
    if municipality_id not in (None, caller.municipality_id):
        raise errors.not_found("municipality not found")
    return caller.municipality_id


def list_position(cursor_position):
    """A list cursor is (name_key, id) of the last organisation seen."""
    if cursor_position is None:
        return None
    if not (isinstance(cursor_position, list) and len(cursor_position) == 2
            and all(isinstance(part, str) for part in cursor_position)):
        raise errors.invalid("malformed cursor")
    return tuple(cursor_position)


# -- views -----------------------------------------------------------------------------------------

def catalogue():
    return [{"id": key, "label": label} for key, label in CATEGORIES.items()]


def view(organisation):
    """An organisation as staff manage it (JSON)."""
    data = organisation.to_dict()
    data["category_label"] = CATEGORIES.get(organisation.category, organisation.category)
    return data


def feature(organisation):
    """A GeoJSON Feature (RFC 7946): a Point in WGS 84 longitude, latitude; the id as the
    Feature's id."""
    return {
        "type": "Feature",
        "id": organisation.id,
        "geometry": {"type": "Point", "coordinates": list(organisation.point)},
        "properties": {
            "name": organisation.name,
            "category": organisation.category,
            "category_label": CATEGORIES.get(organisation.category, organisation.category),
            "address": organisation.address,
            "website": organisation.website or None,
            "phone": organisation.phone or None,
            "description": organisation.description or None,
            "neighbourhood_id": organisation.neighbourhood_id,
        },
    }


def feature_collection(organisations, next_cursor=None):
    """A FeatureCollection; `next_cursor` is a foreign member (RFC 7946 §6.1) that GeoJSON readers
    ignore and the app uses to fetch the rest of a large neighbourhood."""
    return {"type": "FeatureCollection",
            "features": [feature(o) for o in organisations],
            "next_cursor": next_cursor}
