"""Neighbourhood polygons: what an import must satisfy, adjacency from geometry, point lookup."""
import random
import time

import pytest

from contracts import errors
from contracts.errors import DomainError
from services.neighbourhood import geography
from tests import neighbourhood_grid as grid


def read(collection):
    return geography.read_feature_collection(collection)


def adjacency_by_code(collection):
    read_features = read(collection)
    neighbours = geography.adjacency([shape for _, shape in read_features])
    codes = [feature.code for feature, _ in read_features]
    return {codes[i]: sorted(codes[j] for j in found) for i, found in enumerate(neighbours)}


def refused(collection):
    with pytest.raises(DomainError) as raised:
        read(collection)
    assert raised.value.code == errors.INVALID
    return raised.value


def test_grid_cells_sharing_an_edge_are_adjacent_and_diagonal_ones_are_not():
    found = adjacency_by_code(grid.grid(3, 3))

    assert found["r1c1"] == ["r0c1", "r1c0", "r1c2", "r2c1"]  # centre: four edges, no corners
    assert found["r0c0"] == ["r0c1", "r1c0"]
    assert "r1c1" not in found["r0c0"]  # meet at one corner only


def test_a_hair_gap_between_digitised_boundaries_still_counts_as_adjacent():
    gap = 0.00002  # ~1.5 m: two surveyors' lines never match exactly
    left = grid.feature(0, 0)
    ring = grid.cell_ring(0, 1)
    right = grid.feature(0, 1, ring=[[lon + gap, lat] for lon, lat in ring])

    found = adjacency_by_code({"type": "FeatureCollection", "features": [left, right]})

    assert found == {"r0c0": ["r0c1"], "r0c1": ["r0c0"]}


def test_neighbourhoods_a_street_apart_are_not_adjacent():
    far = 0.0005  # ~35 m apart
    ring = grid.cell_ring(0, 1)
    right = grid.feature(0, 1, ring=[[lon + far, lat] for lon, lat in ring])

    found = adjacency_by_code(
        {"type": "FeatureCollection", "features": [grid.feature(0, 0), right]})

    assert found == {"r0c0": [], "r0c1": []}


def test_overlapping_neighbourhoods_are_refused_naming_them():
    ring = grid.cell_ring(0, 1)
    shifted = grid.feature(0, 1, ring=[[lon - grid.CELL_LON / 3, lat] for lon, lat in ring])

    error = refused({"type": "FeatureCollection", "features": [grid.feature(0, 0), shifted]})

    assert error.details == {"features.0": "overlaps R0C1"}


def test_a_sliver_of_overlap_along_a_shared_boundary_is_tolerated():
    ring = grid.cell_ring(0, 1)
    sliver = grid.feature(0, 1, ring=[[lon - 0.00001, lat] for lon, lat in ring])

    assert len(read({"type": "FeatureCollection", "features": [grid.feature(0, 0), sliver]})) == 2


def test_a_self_intersecting_polygon_is_refused_with_the_reason():
    bowtie = [[6.10, 49.60], [6.11, 49.61], [6.11, 49.60], [6.10, 49.61], [6.10, 49.60]]

    error = refused({"type": "FeatureCollection",
                     "features": [grid.feature(0, 0, ring=bowtie)]})

    assert "Self-intersection" in error.details["features.0"]


@pytest.mark.parametrize("feature, problem", [
    ({"type": "Feature", "properties": {}, "geometry": None}, "name"),
    ({"type": "Feature", "properties": {"name": "X"},
      "geometry": {"type": "Point", "coordinates": [6.1, 49.6]}}, "Polygon"),
    ({"type": "Feature", "properties": {"name": "X"},
      "geometry": {"type": "Polygon", "coordinates": "nope"}}, "malformed"),
    ({"type": "Feature", "properties": {"name": "Lambert"},
      "geometry": {"type": "Polygon", "coordinates": [[[77000, 75000], [78000, 75000],
                                                       [78000, 76000], [77000, 75000]]]}},
     "WGS 84"),
])
def test_each_broken_feature_is_reported_by_position(feature, problem):
    error = refused({"type": "FeatureCollection", "features": [grid.feature(0, 0), feature]})

    assert list(error.details) == ["features.1"]
    assert problem in error.details["features.1"]


def test_two_features_with_one_code_are_refused():
    twin = grid.feature(0, 1)
    twin["properties"]["code"] = "r0c0"

    error = refused({"type": "FeatureCollection", "features": [grid.feature(0, 0), twin]})

    assert error.details == {"features.1": "same code/name as features.0"}


def test_too_many_features_or_not_a_collection_are_refused():
    refused(grid.grid(15, 14))  # 210 > 200
    refused({"type": "Feature"})
    refused({"type": "FeatureCollection", "features": []})


def test_features_without_code_are_keyed_by_name():
    features = read(grid.grid(1, 2, with_code=False))

    assert [(f.key, f.code) for f, _ in features] == [("R0C0", ""), ("R0C1", "")]


def test_points_are_located_in_their_cell_or_nowhere():
    locator = geography.Locator.from_geojson(
        (f.code, f.geometry) for f, _ in read(grid.grid(2, 2)))
    points = [grid.point_in(0, 0), grid.point_in(1, 1), grid.point_in(5, 5), grid.point_in(0, 1)]

    assert locator.locate(geography.read_points(points)) == ["r0c0", "r1c1", None, "r0c1"]


def test_a_point_on_a_shared_boundary_always_gets_the_same_one_neighbourhood():
    locator = geography.Locator.from_geojson(
        (f.code, f.geometry) for f, _ in read(grid.grid(1, 2)))
    on_edge = geography.read_points([grid.point_in(0, 1, fraction=(0.0, 0.5))])

    assert locator.locate(on_edge) == locator.locate(on_edge) == ["r0c0"]


def test_two_thousand_households_are_located_quickly():
    """Identity maps an address register of thousands of households in calls of 1,000 points; the
    index keeps that a matter of milliseconds (a generous bound, not a benchmark)."""
    locator = geography.Locator.from_geojson(
        (f.code, f.geometry) for f, _ in read(grid.grid(5, 5)))
    rng = random.Random(7)
    points = [grid.point_in(rng.randrange(5), rng.randrange(5), (rng.random(), rng.random()))
              for _ in range(2000)]

    started = time.perf_counter()
    found = locator.locate(geography.read_points(points[:1000])) + locator.locate(
        geography.read_points(points[1000:]))
    elapsed = time.perf_counter() - started

    assert None not in found and len(found) == 2000
    assert elapsed < 1.0


@pytest.mark.parametrize("points", [
    [[6.1]], [[6.1, "49.6"]], [[200, 49.6]], [[6.1, float("nan")]], "6.1,49.6",
    [[6.1, 49.6]] * 1001,
])
def test_malformed_points_are_refused(points):
    with pytest.raises(DomainError) as raised:
        geography.read_points(points)
    assert raised.value.code == errors.INVALID
