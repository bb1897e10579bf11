"""The organisations map's rules (services/neighbourhood/organisations.py): the catalogue, valid
organisations, placement in the neighbourhood holding the point, who manages, and the GeoJSON."""
import json

import pytest
import shapely.geometry

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from services.neighbourhood import organisations

STAFF = Caller(user_id="s1", role=CITY_STAFF, municipality_id="m1")


def valid(**overrides):
    base = {"name": "Scouts  Bonnevoie", "category": "youth", "address": "12 rue des Scouts",
            "point": [6.13, 49.6], "website": "https://scouts.example.org/bonnevoie",
            "phone": "+352 12 34 56"}
    base.update(overrides)
    return base


def problems(call, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_the_catalogue_is_fixed_and_has_the_usual_kinds():
    ids = [c["id"] for c in organisations.catalogue()]

    assert {"school", "sports_club", "library", "care", "culture", "association"} <= set(ids)
    assert all(c["label"] for c in organisations.catalogue())


def test_a_valid_organisation_is_read_tidily():
    read = organisations.read_fields(valid())

    assert read["name"] == "Scouts Bonnevoie"
    assert read["point"] == (6.13, 49.6)
    assert read["phone"] == "+352 12 34 56"


@pytest.mark.parametrize("overrides, field", [
    ({"category": "bar"}, "category"),
    ({"name": "X"}, "name"),
    ({"address": ""}, "address"),
    ({"point": [6.1, 95]}, "point"),
    ({"point": "6.1,49.6"}, "point"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"phone": "call me"}, "phone"),
    ({"opening_hours": "9-17"}, "opening_hours"),
    ({"neighbourhood_id": 7}, "neighbourhood_id"),
])
def test_bad_organisations_are_refused_naming_the_field(overrides, field):
    error = problems(organisations.read_fields, valid(**overrides))

    assert error.code == errors.INVALID
    assert field in error.details


def test_a_partial_change_reads_only_what_it_names():
    assert organisations.read_fields({"phone": None}, partial=True) == {"phone": ""}
    assert problems(organisations.read_fields, {}, partial=True).code == errors.INVALID


def test_the_neighbourhood_is_the_one_holding_the_point():
    assert organisations.place_in(None, "n1") == "n1"
    assert organisations.place_in("n1", "n1") == "n1"
    wrong = problems(organisations.place_in, "n2", "n1", "Centre")
    outside = problems(organisations.place_in, None, None)

    assert wrong.details == {"point": "lies in Centre, not in the neighbourhood given"}
    assert outside.details == {"point": "lies outside every neighbourhood of the municipality"}


@pytest.mark.parametrize("caller, expected", [
    (STAFF, None),
    (Caller(user_id="a1", role=ADMIN, municipality_id="m1"), None),
    (SYSTEM_CALLER, None),
    (Caller(user_id="u1", role=RESIDENT, municipality_id="m1"), errors.FORBIDDEN),
    (Caller(user_id="mo", role=MODERATOR, municipality_id="m1"), errors.FORBIDDEN),
    (Caller(user_id="s9", role=CITY_STAFF, municipality_id="m2"), errors.NOT_FOUND),
])
def test_staff_and_admins_of_the_municipality_manage(caller, expected):
    if expected is None:
        organisations.authorize_management(caller, "m1")
    else:
        assert problems(organisations.authorize_management, caller, "m1").code == expected


def test_managers_act_in_their_own_municipality():
    assert organisations.managed_municipality(STAFF) == "m1"
    assert organisations.managed_municipality(SYSTEM_CALLER, "m7") == "m7"
    assert problems(organisations.managed_municipality, STAFF, "m2").code == errors.NOT_FOUND
    assert problems(organisations.managed_municipality,
                    Caller(user_id="u1", role=RESIDENT, municipality_id="m1")).code \
        == errors.FORBIDDEN


def test_organisations_are_served_as_geojson_points():
    created = organisations.new_organisation(STAFF, "m1", "n1", organisations.read_fields(
        valid()), new_id=lambda: "o1")

    collection = organisations.feature_collection([created], next_cursor=None)

    feature = collection["features"][0]
    assert collection["type"] == "FeatureCollection"
    assert feature["type"] == "Feature" and feature["id"] == "o1"
    assert feature["geometry"] == {"type": "Point", "coordinates": [6.13, 49.6]}
    assert shapely.geometry.shape(feature["geometry"]).is_valid
    assert feature["properties"]["category_label"] == "Youth"
    assert feature["properties"]["description"] is None
    assert json.loads(json.dumps(collection)) == collection


def test_names_compare_without_case_accents_or_extra_spaces():
    created = organisations.new_organisation(STAFF, "m1", "n1", organisations.read_fields(
        valid(name="École  du Centre")))

    assert created.name_key == "ecole du centre"
    assert organisations.Organisation.from_dict(created.to_dict()) == created


def test_an_edit_moves_the_organisation_with_its_neighbourhood():
    created = organisations.new_organisation(STAFF, "m1", "n1", organisations.read_fields(
        valid()))

    moved = organisations.edited(created, {"point": (6.2, 49.7), "neighbourhood_id": None},
                                 "n2")

    assert (moved.neighbourhood_id, moved.point, moved.name) == ("n2", (6.2, 49.7),
                                                                 created.name)


def test_list_cursors_are_checked():
    assert organisations.list_position(None) is None
    assert organisations.list_position(["a", "b"]) == ("a", "b")
    assert problems(organisations.list_position, ["a"]).code == errors.INVALID
