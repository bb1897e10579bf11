"""The demo municipality's map: six neighbourhoods with irregular shared boundaries, and an address
register of 2,000 households spread over them. Deterministic, so a re-seed imports the same map
(the import is idempotent by code) and the same households.

The polygons come from a 2 x 3 lattice whose inner corners are nudged and whose edges wave; each
edge is computed once and used by both neighbourhoods on either side of it, so neighbours share
their boundary exactly: no gaps, no overlaps. Diagonal neighbourhoods meet at one corner only
and are therefore not adjacent.
"""
import math
import random

ORIGIN = (6.095, 49.595)  # lon, lat: south-west corner, near Luxembourg City
CELL_LON = 0.0140  # ~1 km
CELL_LAT = 0.0090  # ~1 km
ROWS, COLS = 2, 3
WAVE_POINTS = 24  # vertices per edge
WAVE = 0.06  # wave amplitude, as a share of the cell
NUDGE = 0.08  # how far inner corners move, as a share of the cell
# Households are placed this far inside a cell's undistorted square, beyond any nudge or wave.
SAFE_MARGIN = 0.2

NAMES = (  # row-major from the south-west
    ("gare", "Gare"), ("bonnevoie", "Bonnevoie"), ("hamm", "Hamm"),
    ("centre", "Centre"), ("limpertsberg", "Limpertsberg"), ("kirchberg", "Kirchberg"),
)
STREETS = {
    "gare": ("Rue de Strasbourg", "Avenue de la Liberté", "Rue Origer", "Rue du Fort Neipperg"),
    "bonnevoie": ("Rue de Bonnevoie", "Rue des Ardennes", "Rue Sigismond", "Rue Pierre Hentges"),
    "hamm": ("Rue de Hamm", "Rue Haute", "Rue des Peupliers", "Rue Tawioun"),
    "centre": ("Grand-Rue", "Rue du Marché-aux-Herbes", "Rue Notre-Dame", "Rue Philippe II"),
    "limpertsberg": ("Avenue Pasteur", "Rue Ermesinde", "Rue Michel Rodange", "Rue Batty Weber"),
    "kirchberg": ("Avenue J.F. Kennedy", "Rue Alphonse Weicker", "Rue Erasme",
                  "Rue du Fort Thüngen"),
}
POSTCODE = "1234"
LOCALITY = "Quartier Demo"
HOUSEHOLDS = 2000


def _corner(row, col):
    """Lattice point (row, col) in lon/lat; inner points are nudged, outer ones stay on the
    municipality's straight boundary."""
    rng = random.Random("corner-%d-%d" % (row, col))
    inner_row, inner_col = 0 < row < ROWS, 0 < col < COLS
    dx = rng.uniform(-NUDGE, NUDGE) if inner_col else 0.0
    dy = rng.uniform(-NUDGE, NUDGE) if inner_row else 0.0
    return (ORIGIN[0] + (col + dx) * CELL_LON, ORIGIN[1] + (row + dy) * CELL_LAT)


def _edge(a, b):
    """The boundary between lattice points a and b (each (row, col)), from a to b. Computed in a
    canonical direction so both neighbourhoods sharing it get exactly the same vertices."""
    if a > b:
        return list(reversed(_edge(b, a)))
    (x0, y0), (x1, y1) = _corner(*a), _corner(*b)
    on_outer_boundary = (a[0] == b[0] and a[0] in (0, ROWS)) or (a[1] == b[1] and a[1] in (0, COLS))
    phase = random.Random("edge-%s-%s" % (a, b)).uniform(0, math.pi)
    length = math.hypot((x1 - x0) / CELL_LON, (y1 - y0) / CELL_LAT)
    # Unit normal in cell units, scaled back to degrees.
    nx, ny = -(y1 - y0) / CELL_LAT / length, (x1 - x0) / CELL_LON / length
    points = []
    for i in range(WAVE_POINTS):
        t = i / WAVE_POINTS
        wave = 0.0 if on_outer_boundary else WAVE * math.sin(math.pi * t) * math.sin(
            2 * math.pi * t + phase)
        points.append([x0 + (x1 - x0) * t + nx * wave * CELL_LON,
                       y0 + (y1 - y0) * t + ny * wave * CELL_LAT])
    return points


def neighbourhood_ring(row, col):
    corners = [(row, col), (row, col + 1), (row + 1, col + 1), (row + 1, col)]
    ring = []
    for a, b in zip(corners, corners[1:] + corners[:1]):
        ring.extend(_edge(a, b))
    ring.append(ring[0])
    return [[round(lon, 7), round(lat, 7)] for lon, lat in ring]


def feature_collection():
    features = []
    for index, (code, name) in enumerate(NAMES):
        row, col = divmod(index, COLS)
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [neighbourhood_ring(row, col)]},
        })
    return {"type": "FeatureCollection", "features": features}


def households(count=HOUSEHOLDS):
    """Address register rows (dicts with the CSV columns identity imports), spread evenly over
    the neighbourhoods, each well inside its neighbourhood."""
    rng = random.Random("households")
    rows = []
    for number in range(count):
        index = number % len(NAMES)
        code = NAMES[index][0]
        row, col = divmod(index, COLS)
        lon = ORIGIN[0] + (col + rng.uniform(SAFE_MARGIN, 1 - SAFE_MARGIN)) * CELL_LON
        lat = ORIGIN[1] + (row + rng.uniform(SAFE_MARGIN, 1 - SAFE_MARGIN)) * CELL_LAT
        rows.append({
            "address_id": "demo-a%04d" % number,
            "street": rng.choice(STREETS[code]),
            "number": str(rng.randint(1, 180)),
            "postcode": POSTCODE,
            "locality": LOCALITY,
            "latitude": "%.6f" % lat,
            "longitude": "%.6f" % lon,
            "household_id": "demo-h%04d" % number,
        })
    return rows


def neighbourhood_code_of(household_row):
    """The code of the neighbourhood a generated household was placed in (for checks)."""
    number = int(household_row["household_id"].rsplit("h", 1)[1])
    return NAMES[number % len(NAMES)][0]
