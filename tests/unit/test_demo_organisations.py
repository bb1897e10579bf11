"""The demo seed's organisations map: every organisation lies inside its neighbourhood's polygon,
so the neighbourhood service accepts all of them and a demo resident sees a populated map."""
from collections import Counter

from deploy.local import demo_geography, seed
from services.neighbourhood import geography, organisations


def test_every_demo_organisation_is_valid_and_lands_in_its_own_neighbourhood():
    collection = demo_geography.feature_collection()
    codes = [f["properties"]["code"] for f in collection["features"]]
    locator = geography.Locator.from_geojson(
        (f["properties"]["code"], f["geometry"]) for f in collection["features"])
    demo = seed.demo_organisations()

    located = locator.locate(geography.read_points([o["point"] for o in demo]))

    for organisation in demo:
        organisations.read_fields(organisation)  # raises on anything the service would refuse
    assert Counter(located) == {code: len(seed.DEMO_ORGANISATIONS) for code in codes}
    names = [o["name"] for o in demo]
    assert len(set(names)) == len(names)
