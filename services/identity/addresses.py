"""The address register: rows of the municipality's CSV, checked one by one, each household placed
in its neighbourhood. A bad row is reported with its reason and never stops the good ones."""
import csv
import io
import re
from dataclasses import asdict, dataclass
from typing import Optional

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MUNICIPAL_SYSTEM, Caller

COLUMNS = ("address_id", "street", "number", "postcode", "locality", "latitude", "longitude",
           "household_id")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TEXT_MAX = {"street": 200, "number": 20, "postcode": 20, "locality": 120}
MAX_ROWS_PER_CALL = 5000
# What rpc.neighbourhood.LOCATE accepts in one call.
LOCATE_BATCH = 1000

OUTSIDE = "the address lies outside every neighbourhood of the municipality"


@dataclass(frozen=True)
class Household:
    municipality_id: str
    household_id: str
    address_id: str
    street: str
    number: str
    postcode: str
    locality: str
    latitude: float
    longitude: float
    neighbourhood_id: Optional[str] = None

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__ if name in data})

    def same_as(self, other):
        return self.to_dict() == other.to_dict()


def authorize_import(caller: Caller, municipality_id):
    if caller.is_system:
        return
    # The municipality's register system imports over gRPC with its API key.
    if caller.role not in (CITY_STAFF, ADMIN, MUNICIPAL_SYSTEM) \
            or caller.municipality_id != municipality_id:
        raise errors.forbidden("only staff of this municipality import its address register")


def rejection(line, address_id, reason):
    return {"line": line, "address_id": address_id, "reason": reason}


def _coordinate(text, low, high):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


def _row_problem(row):
    missing = [name for name in COLUMNS if not (row.get(name) or "").strip()]
    if missing:
        return "missing %s" % ", ".join(missing)
    for name in ("address_id", "household_id"):
        if not ID_PATTERN.match(row[name].strip()):
            return "%s must be 1-64 letters, digits, '-' or '_'" % name
    for name, maximum in TEXT_MAX.items():
        if len(row[name].strip()) > maximum:
            return "%s longer than %d characters" % (name, maximum)
    if _coordinate(row["latitude"], -90, 90) is None:
        return "latitude must be a number from -90 to 90"
    if _coordinate(row["longitude"], -180, 180) is None:
        return "longitude must be a number from -180 to 180"
    return None


def parse_register(municipality_id, csv_text, first_line=2):
    """(households, rejected rows). `first_line` is the file line of the first data row, so a
    report about a chunk of a larger file names lines of that file."""
    if not isinstance(csv_text, str) or not csv_text.strip():
        raise errors.invalid("the CSV is empty")
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise errors.invalid("the CSV header lacks %s; expected %s" % (
            ", ".join(missing), ",".join(COLUMNS)))
    reader.fieldnames = header
    households, rejected = [], []
    seen_addresses, seen_households = set(), set()
    for offset, row in enumerate(reader):
        line = first_line + offset
        if offset >= MAX_ROWS_PER_CALL:
            raise errors.invalid("at most %d rows per import call; send the file in chunks"
                                 % MAX_ROWS_PER_CALL)
        address_id = (row.get("address_id") or "").strip() or None
        problem = _row_problem(row)
        if problem is None and address_id in seen_addresses:
            problem = "address_id repeated in this file"
        if problem is None and row["household_id"].strip() in seen_households:
            problem = "household_id given for a second address in this file"
        if problem:
            rejected.append(rejection(line, address_id, problem))
            continue
        seen_addresses.add(address_id)
        seen_households.add(row["household_id"].strip())
        households.append((line, Household(
            municipality_id=municipality_id,
            household_id=row["household_id"].strip(),
            address_id=address_id,
            street=row["street"].strip(),
            number=row["number"].strip(),
            postcode=row["postcode"].strip(),
            locality=row["locality"].strip(),
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
        )))
    return households, rejected


def locate_batches(households):
    """[[lon, lat], ...] batches in the order of `households`, each within LOCATE's limit."""
    points = [[h.longitude, h.latitude] for _, h in households]
    return [points[i:i + LOCATE_BATCH] for i in range(0, len(points), LOCATE_BATCH)]


def placed(households, neighbourhood_ids):
    """Households with their neighbourhood, and the rejections of those outside every polygon."""
    if len(neighbourhood_ids) != len(households):
        raise errors.DomainError(errors.INTERNAL, "the neighbourhood service answered %d points "
                                 "for %d asked" % (len(neighbourhood_ids), len(households)))
    kept, rejected = [], []
    for (line, household), neighbourhood_id in zip(households, neighbourhood_ids):
        if not neighbourhood_id:
            rejected.append(rejection(line, household.address_id, OUTSIDE))
            continue
        kept.append((line, Household(**dict(household.to_dict(),
                                            neighbourhood_id=neighbourhood_id))))
    return kept, rejected


def report(received, outcomes, rejected):
    """What an import call did: counts per outcome and every rejected row with its reason."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for outcome in outcomes:
        if outcome in counts:
            counts[outcome] += 1
    return dict(received=received, rejected=sorted(rejected, key=lambda r: r["line"]),
                **counts)
