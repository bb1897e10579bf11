"""Identity's pure rules. No I/O: functions take values and return values (and the events to
dispatch), so they are tested with plain pytest."""
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, MUNICIPAL_SYSTEM, Caller
from servicekit import disclosure

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
NAME_MAX = 120
DEFAULT_ACTIVATION_THRESHOLD = 10  # households; nebenan.de opens a neighbourhood at 10 people
ACTIVATION_THRESHOLD_RANGE = (1, 10_000)
# The eleven languages of the product promise; a municipality offers a subset.
SUPPORTED_LANGUAGES = ("fr", "de", "en", "pt", "nl", "it", "es", "lb", "pl", "ar", "tr")
DEFAULT_LANGUAGES = ("fr", "de", "en", "nl")


@dataclass(frozen=True)
class Municipality:
    id: str
    slug: str
    name: str
    activation_threshold: int
    languages: tuple = field(default_factory=tuple)
    created_at: str = ""

    def to_dict(self):
        data = asdict(self)
        data["languages"] = list(self.languages)
        return data

    @classmethod
    def from_dict(cls, data):
        return cls(
            id=data["id"],
            slug=data["slug"],
            name=data["name"],
            activation_threshold=int(data["activation_threshold"]),
            languages=tuple(data.get("languages") or ()),
            created_at=data.get("created_at", ""),
        )

    def same_definition(self, other):
        """Whether `other` describes the same municipality (ignoring id and timestamps): a replayed
        create is then a no-op, a different definition under the same slug a conflict."""
        return (self.slug, self.name, self.activation_threshold, self.languages) == (
            other.slug, other.name, other.activation_threshold, other.languages,
        )


def authorize_municipality_admin(caller: Caller):
    """Creating municipalities is a platform operation (seed, CLI), not one of a municipality's own
    admins, whose role is scoped to their municipality."""
    if not caller.is_system:
        raise errors.forbidden("only the platform can create municipalities")


def new_municipality(slug, name, activation_threshold=DEFAULT_ACTIVATION_THRESHOLD,
                     languages=DEFAULT_LANGUAGES, now=None, new_id=None):
    problems = {}
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        problems["slug"] = "1-64 lowercase letters, digits or dashes, not starting or ending with a dash"
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        problems["name"] = "required, at most %d characters" % NAME_MAX
    low, high = ACTIVATION_THRESHOLD_RANGE
    if isinstance(activation_threshold, bool) or not isinstance(activation_threshold, int) or not (
        low <= activation_threshold <= high
    ):
        problems["activation_threshold"] = "an integer from %d to %d" % (low, high)
    if not isinstance(languages, (list, tuple)) or not languages:
        problems["languages"] = "a non-empty list of language codes"
    else:
        unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES]
        if unknown:
            problems["languages"] = "unsupported %s; supported: %s" % (
                unknown, ", ".join(SUPPORTED_LANGUAGES))
    if problems:
        raise errors.invalid("invalid municipality", details=problems)
    # Order-preserving dedupe: the first language is the municipality's default.
    languages = tuple(dict.fromkeys(languages))
    return Municipality(
        id=new_id or uuid.uuid4().hex,
        slug=slug,
        name=name.strip(),
        activation_threshold=activation_threshold,
        languages=languages,
        created_at=(now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
    )


def municipality_created(municipality: Municipality):
    return events.MUNICIPALITY_CREATED, events.MUNICIPALITY_CREATED.payload(
        "municipality_created:" + municipality.id,
        municipality_id=municipality.id,
        name=municipality.name,
        activation_threshold=municipality.activation_threshold,
    )


def visible_municipality(caller: Caller, municipality):
    """Members see their own municipality; anything else is reported as not found, so callers
    cannot probe which municipalities exist."""
    if municipality is None or not caller.belongs_to(municipality.id):
        raise errors.not_found("municipality not found")
    return municipality


STATISTICS_ROLES = (CITY_STAFF, MODERATOR, ADMIN, MUNICIPAL_SYSTEM)


def authorize_statistics(caller: Caller, municipality_id):
    """Population counts are the municipality's: its staff, moderators, admins and systems."""
    if caller.is_system:
        return
    if caller.role not in STATISTICS_ROLES or not caller.municipality_id \
            or caller.municipality_id != municipality_id:
        raise errors.forbidden("statistics are for the municipality's staff")


def population_view(register, residents, limit=disclosure.DEFAULT_THRESHOLD):
    """Per neighbourhood: register households, households with an account and resident accounts,
    with households and users under the small-cell threshold hidden (servicekit.disclosure; a
    hidden household count hides its users, which would bound it). The register is the
    municipality's own list of addresses and stays visible."""
    rows = [{"id": neighbourhood_id,
             "register_households": register.get(neighbourhood_id, 0),
             "households": residents.get(neighbourhood_id, (0, 0))[1],
             "users": residents.get(neighbourhood_id, (0, 0))[0]}
            for neighbourhood_id in sorted(set(register) | set(residents))]
    hidden = disclosure.suppress_column(rows, "households", limit)
    for row in rows:
        if row["id"] in hidden:
            disclosure.hide(row, "users")
    return {row.pop("id"): row for row in rows}
