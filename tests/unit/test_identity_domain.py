"""Identity's pure rules: validation of a new municipality, what a replayed create means, who
sees which municipality and who may create one."""
from datetime import datetime, timezone

import pytest

from contracts import errors, events
from contracts.caller import ADMIN, ANONYMOUS, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from services.identity import domain


def invalid_details(**kwargs):
    arguments = dict(slug="mersch", name="Mersch")
    arguments.update(kwargs)
    with pytest.raises(DomainError) as raised:
        domain.new_municipality(**arguments)
    assert raised.value.code == errors.INVALID
    return raised.value.details


def test_new_municipality_has_defaults_an_id_and_a_utc_timestamp():
    now = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)

    municipality = domain.new_municipality("mersch", "  Mersch ", now=now)

    assert municipality.slug == "mersch"
    assert municipality.name == "Mersch"  # surrounding blanks are not part of a name
    assert municipality.activation_threshold == domain.DEFAULT_ACTIVATION_THRESHOLD
    assert municipality.languages == domain.DEFAULT_LANGUAGES
    assert municipality.created_at == "2026-03-01T09:30:15+00:00"
    assert len(municipality.id) == 32
    assert domain.new_municipality("mersch", "Mersch").id != municipality.id


def test_every_invalid_field_is_reported_at_once_with_its_rule():
    details = invalid_details(slug="-Bad_Slug-", name=" ", activation_threshold=0, languages=[])

    assert set(details) == {"slug", "name", "activation_threshold", "languages"}
    assert "lowercase" in details["slug"]
    assert "required" in details["name"]
    assert "1 to 10000" in details["activation_threshold"]
    assert "non-empty" in details["languages"]


@pytest.mark.parametrize("slug", ["", "a-", "-a", "UPPER", "with space", "x" * 65, None, 42])
def test_malformed_slugs_are_invalid(slug):
    assert set(invalid_details(slug=slug)) == {"slug"}


@pytest.mark.parametrize("slug", ["a", "9", "esch-sur-alzette", "x" * 64])
def test_well_formed_slugs_are_accepted(slug):
    assert domain.new_municipality(slug, "Somewhere").slug == slug


def test_name_longer_than_the_limit_is_invalid_but_the_limit_itself_is_fine():
    assert set(invalid_details(name="n" * (domain.NAME_MAX + 1))) == {"name"}
    assert domain.new_municipality("mersch", "n" * domain.NAME_MAX).name == "n" * domain.NAME_MAX


@pytest.mark.parametrize("threshold", [0, 10_001, True, 5.0, "10", None])
def test_activation_threshold_must_be_an_integer_in_range(threshold):
    assert set(invalid_details(activation_threshold=threshold)) == {"activation_threshold"}


def test_unsupported_languages_are_named_in_the_error():
    details = invalid_details(languages=["fr", "xx", "klingon"])

    assert "'xx'" in details["languages"] and "'klingon'" in details["languages"]
    assert "fr" in details["languages"]  # the supported list is shown to help fix the request


def test_languages_must_be_a_list():
    assert set(invalid_details(languages="fr")) == {"languages"}


def test_duplicate_languages_are_dropped_keeping_the_first_as_default():
    municipality = domain.new_municipality("mersch", "Mersch", languages=["lb", "fr", "lb", "de",
                                                                           "fr"])

    assert municipality.languages == ("lb", "fr", "de")


def test_replayed_definition_is_the_same_municipality_despite_new_id_and_time():
    original = domain.new_municipality("mersch", "Mersch", languages=["fr", "de"])
    replay = domain.new_municipality("mersch", " Mersch", languages=["fr", "de", "fr"],
                                     now=datetime(2030, 1, 1, tzinfo=timezone.utc))

    assert replay.id != original.id
    assert original.same_definition(replay)


@pytest.mark.parametrize("change", [
    {"name": "Mersch-Ville"},
    {"activation_threshold": 11},
    {"languages": ["de", "fr"]},  # a different default language is a different definition
])
def test_a_different_definition_under_the_same_slug_is_not_the_same(change):
    arguments = dict(slug="mersch", name="Mersch", activation_threshold=10, languages=["fr", "de"])
    original = domain.new_municipality(**arguments)

    assert not original.same_definition(domain.new_municipality(**dict(arguments, **change)))


def test_municipality_survives_a_dict_round_trip():
    municipality = domain.new_municipality("mersch", "Mersch", languages=["fr", "lb"])

    data = municipality.to_dict()

    assert data["languages"] == ["fr", "lb"]  # JSON-friendly
    assert domain.Municipality.from_dict(data) == municipality


def test_created_event_is_declared_and_keyed_by_the_municipality():
    municipality = domain.new_municipality("mersch", "Mersch")

    event, payload = domain.municipality_created(municipality)

    assert event is events.MUNICIPALITY_CREATED
    assert payload == {
        "municipality_id": municipality.id,
        "name": "Mersch",
        "activation_threshold": domain.DEFAULT_ACTIVATION_THRESHOLD,
        "event_id": "municipality_created:" + municipality.id,
        "schema_version": 1,
    }
    # The same municipality always yields the same event id, so consumers can deduplicate.
    assert domain.municipality_created(municipality)[1]["event_id"] == payload["event_id"]


def test_members_see_their_own_municipality():
    own = domain.new_municipality("mersch", "Mersch")
    resident = Caller(user_id="u1", role=RESIDENT, municipality_id=own.id)

    assert domain.visible_municipality(resident, own) is own
    assert domain.visible_municipality(SYSTEM_CALLER, own) is own


@pytest.mark.parametrize("caller", [
    Caller(user_id="u1", role=RESIDENT, municipality_id="another"),
    Caller(user_id="u2", role=ADMIN, municipality_id="another"),
    Caller(user_id="u3", role=RESIDENT),  # no municipality at all
    ANONYMOUS,
], ids=["resident-elsewhere", "admin-elsewhere", "no-municipality", "anonymous"])
def test_other_municipalities_look_exactly_like_missing_ones(caller):
    other = domain.new_municipality("mersch", "Mersch")

    with pytest.raises(DomainError) as hidden:
        domain.visible_municipality(caller, other)
    with pytest.raises(DomainError) as missing:
        domain.visible_municipality(caller, None)

    assert hidden.value.code == errors.NOT_FOUND
    assert hidden.value.to_dict() == missing.value.to_dict()


def test_only_the_platform_may_create_municipalities():
    domain.authorize_municipality_admin(SYSTEM_CALLER)  # allowed: no exception

    for caller in (Caller(user_id="a", role=ADMIN, municipality_id="m"),
                   Caller(user_id="r", role=RESIDENT, municipality_id="m"), ANONYMOUS):
        with pytest.raises(DomainError) as refused:
            domain.authorize_municipality_admin(caller)
        assert refused.value.code == errors.FORBIDDEN


def test_population_hides_small_households_and_their_users_never_one_alone():
    register = {"n1": 200, "n2": 9, "n3": 40}
    residents = {"n1": (41, 30), "n2": (3, 2), "n3": (25, 20)}  # (users, households)

    view = domain.population_view(register, residents, 10)

    assert view["n1"] == {"register_households": 200, "households": 30, "users": 41}
    # n2's 2 households are hidden, and n3's 20 with them (the smallest other), users alike.
    for hidden in ("n2", "n3"):
        assert (view[hidden]["households"], view[hidden]["users"]) == (None, None)
        assert view[hidden]["suppressed"] == ["households", "users"]
    assert view["n2"]["register_households"] == 9
    assert domain.population_view(register, residents, 25)["n1"]["households"] == 30
