"""Neighbourhood geometry: reading an imported GeoJSON FeatureCollection, the checks it must pass,
adjacency, and point-in-polygon lookup. Pure: values in, values out (shapely does the geometry).

Distances and areas are measured in metres on a local equirectangular projection around the
municipality's mean latitude. At city scale (tens of kilometres) its error is well under 1 %,
which is far below the tolerances below, and it spares a projection library.
"""
import math
from dataclasses import dataclass

import numpy
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from contracts import errors

MAX_FEATURES = 200  # a city has 16-24 neighbourhoods; 200 leaves room for fine-grained ones
MAX_VERTICES_PER_FEATURE = 50_000
MAX_TOTAL_VERTICES = 400_000
NAME_MAX = 120
CODE_MAX = 64
# Two polygons may overlap along a shared boundary by this share of the smaller one's area:
# boundaries digitised twice never match exactly, but a real overlap would put a household in
# two neighbourhoods.
OVERLAP_TOLERANCE = 0.005
# Adjacency rule: two neighbourhoods are adjacent when a stretch of at least
# MIN_SHARED_BOUNDARY_M of one's boundary lies within GAP_TOLERANCE_M of the other. Touching at a
# single point (two blocks meeting diagonally at a crossroads) is not adjacency: near such a
# point at most 2 x GAP_TOLERANCE_M of boundary is that close, below the minimum.
GAP_TOLERANCE_M = 5.0
MIN_SHARED_BOUNDARY_M = 25.0
MAX_POINTS_PER_LOCATE = 1000

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


@dataclass(frozen=True)
class ImportedFeature:
    """One neighbourhood as the import describes it. `key` identifies it across re-imports: its
    code when it has one, else its name."""

    key: str
    name: str
    code: str
    geometry: dict  # GeoJSON geometry, as stored and served back


def _vertex_count(geometry):
    return int(shapely.get_num_coordinates(geometry))


def _json_native(value):
    """Tuples (as shapely maps coordinates) to lists: the geometry compares equal to itself after
    a trip through JSON, so a re-import of the same file is recognised as unchanged."""
    if isinstance(value, (list, tuple)):
        return [_json_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_native(v) for k, v in value.items()}
    return value


def _feature_problem(feature):
    """(ImportedFeature, shapely geometry) or a string saying what is wrong with the feature."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return "not a GeoJSON Feature"
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        return "properties must be an object with a name"
    name = properties.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        return "properties.name is required, at most %d characters" % NAME_MAX
    code = properties.get("code")
    if code is not None and (not isinstance(code, (str, int)) or isinstance(code, bool)
                             or not str(code).strip() or len(str(code)) > CODE_MAX):
        return "properties.code must be a short string"
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return "geometry must be a Polygon or MultiPolygon"
    try:
        parsed = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        return "geometry coordinates are malformed"
    if parsed.is_empty:
        return "geometry is empty"
    if _vertex_count(parsed) > MAX_VERTICES_PER_FEATURE:
        return "geometry has more than %d vertices" % MAX_VERTICES_PER_FEATURE
    min_x, min_y, max_x, max_y = parsed.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        return "coordinates must be longitude, latitude in WGS 84 (EPSG:4326)"
    if not parsed.is_valid:
        return "invalid geometry: %s" % explain_validity(parsed)
    code = str(code).strip() if code is not None else ""
    name = " ".join(name.split())
    return ImportedFeature(key=code or name, name=name, code=code,
                           geometry=_json_native(shapely.geometry.mapping(parsed))), parsed


def read_feature_collection(collection):
    """Check a FeatureCollection and return [(ImportedFeature, shapely geometry)], in the order
    given. Every problem is reported at once, per feature, as `invalid` details."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        raise errors.invalid("expected a GeoJSON FeatureCollection")
    features = collection["features"]
    if not features:
        raise errors.invalid("the FeatureCollection has no features")
    if len(features) > MAX_FEATURES:
        raise errors.invalid("at most %d neighbourhoods per import" % MAX_FEATURES)
    problems, read, seen = {}, [], {}
    for index, feature in enumerate(features):
        outcome = _feature_problem(feature)
        if isinstance(outcome, str):
            problems["features.%d" % index] = outcome
            continue
        imported, geometry = outcome
        if imported.key in seen:
            problems["features.%d" % index] = "same code/name as features.%d" % seen[imported.key]
            continue
        seen[imported.key] = index
        read.append((imported, geometry))
    if not problems and sum(_vertex_count(g) for _, g in read) > MAX_TOTAL_VERTICES:
        raise errors.invalid("more than %d vertices in one import" % MAX_TOTAL_VERTICES)
    if problems:
        raise errors.invalid("invalid neighbourhoods", details=problems)
    overlaps = overlapping_pairs([geometry for _, geometry in read])
    if overlaps:
        raise errors.invalid("neighbourhoods overlap", details={
            "features.%d" % first: "overlaps %s" % read[second][0].name
            for first, second in overlaps
        })
    return read


def to_metres(geometries):
    """The geometries on a local metric plane (see the module docstring)."""
    latitudes = [(g.bounds[1] + g.bounds[3]) / 2 for g in geometries]
    mean_latitude = sum(latitudes) / len(latitudes) if latitudes else 0.0
    scale = numpy.array([
        METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(mean_latitude)),
        METRES_PER_DEGREE_LAT,
    ])
    return [shapely.transform(g, lambda coordinates: coordinates * scale) for g in geometries]


def _candidate_pairs(geometries, reach=0.0):
    """Index pairs (i < j) whose geometries come within `reach` of each other."""
    tree = STRtree(geometries)
    probes = [g.buffer(reach) if reach else g for g in geometries]
    found = tree.query(probes, predicate="intersects")
    return sorted({(int(i), int(j)) for i, j in zip(*found) if i < j})


def overlapping_pairs(geometries):
    """Pairs (i, j) whose common area exceeds OVERLAP_TOLERANCE of the smaller one."""
    metric = to_metres(geometries)
    pairs = []
    for i, j in _candidate_pairs(metric):
        common = metric[i].intersection(metric[j]).area
        if common > OVERLAP_TOLERANCE * min(metric[i].area, metric[j].area):
            pairs.append((i, j))
    return pairs


def adjacency(geometries):
    """For geometries in lon/lat, the set of indices adjacent to each (see the rule above)."""
    metric = to_metres(geometries)
    neighbours = [set() for _ in geometries]
    for i, j in _candidate_pairs(metric, reach=GAP_TOLERANCE_M):
        near = metric[j].buffer(GAP_TOLERANCE_M)
        if metric[i].boundary.intersection(near).length >= MIN_SHARED_BOUNDARY_M:
            neighbours[i].add(j)
            neighbours[j].add(i)
    return neighbours


def read_points(points):
    """Validate [[lon, lat], ...] and return them as an (n, 2) array."""
    if not isinstance(points, list) or len(points) > MAX_POINTS_PER_LOCATE:
        raise errors.invalid("points must be a list of at most %d [longitude, latitude] pairs"
                             % MAX_POINTS_PER_LOCATE)
    problems = {}
    for index, point in enumerate(points):
        if not (isinstance(point, (list, tuple)) and len(point) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in point)) or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            problems["points.%d" % index] = "expected [longitude, latitude] in WGS 84"
    if problems:
        raise errors.invalid("invalid points", details=problems)
    return numpy.array(points, dtype=float).reshape(-1, 2)


class Locator:
    """Point-in-polygon over one municipality's neighbourhoods, through an STRtree: a lookup
    touches only the few polygons whose bounding box holds the point.

    A point on a boundary shared by two neighbourhoods belongs to the one listed first, so the
    answer is the same on every call."""

    def __init__(self, neighbourhood_ids, geometries):
        self.ids = list(neighbourhood_ids)
        self.tree = STRtree(list(geometries))

    @classmethod
    def from_geojson(cls, pairs):
        """pairs: [(neighbourhood id, GeoJSON geometry)]."""
        pairs = list(pairs)
        return cls([i for i, _ in pairs], [shape(g) for _, g in pairs])

    def locate(self, coordinates):
        """coordinates: (n, 2) array of lon, lat → [neighbourhood id or None] of length n."""
        found = [None] * len(coordinates)
        if not len(coordinates) or not self.ids:
            return found
        points = shapely.points(coordinates)
        point_index, polygon_index = self.tree.query(points, predicate="covered_by")
        best = {}
        for p, g in zip(point_index.tolist(), polygon_index.tolist()):
            if p not in best or g < best[p]:
                best[p] = g
        for p, g in best.items():
            found[p] = self.ids[g]
        return found
