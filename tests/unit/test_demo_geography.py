"""The demo map passes the neighbourhood import's checks, has the adjacency a 2 x 3 city should
have, and every one of its 2,000 households lies inside the neighbourhood meant for it."""
from deploy.local import demo_geography
from services.neighbourhood import geography


def test_the_demo_neighbourhoods_are_valid_and_adjacent_along_shared_edges_only():
    read = geography.read_feature_collection(demo_geography.feature_collection())
    codes = [feature.code for feature, _ in read]

    neighbours = geography.adjacency([shape for _, shape in read])
    found = {codes[i]: sorted(codes[j] for j in adjacent) for i, adjacent in enumerate(neighbours)}

    assert len(read) == 6
    assert found == {
        "gare": ["bonnevoie", "centre"],
        "bonnevoie": ["gare", "hamm", "limpertsberg"],
        "hamm": ["bonnevoie", "kirchberg"],
        "centre": ["gare", "limpertsberg"],
        "limpertsberg": ["bonnevoie", "centre", "kirchberg"],
        "kirchberg": ["hamm", "limpertsberg"],
    }


def test_every_demo_household_is_located_in_its_neighbourhood():
    read = geography.read_feature_collection(demo_geography.feature_collection())
    locator = geography.Locator([f.code for f, _ in read], [shape for _, shape in read])
    households = demo_geography.households()
    points = [[float(h["longitude"]), float(h["latitude"])] for h in households]

    found = locator.locate(geography.read_points(points[:1000])) + locator.locate(
        geography.read_points(points[1000:]))

    assert len(households) == 2000
    assert len({h["household_id"] for h in households}) == 2000
    assert found == [demo_geography.neighbourhood_code_of(h) for h in households]


def test_the_demo_map_is_the_same_every_time():
    assert demo_geography.feature_collection() == demo_geography.feature_collection()
    assert demo_geography.households(10) == demo_geography.households(10)
