"""Issue 3, acceptance 5, through the gateway against running services: residents registered the
real way (polygons imported, address register placed by point-in-polygon, invitation letters,
registration with a code) see a neighbour list without house numbers, e-mails or phones; other
neighbourhoods are 404 unless followed; only adjacent ones can be followed, and unfollowed.

A municipality of its own keeps these tests independent of the demo seed and of other tests."""
import uuid

import pytest
import requests

from contracts import rpc
from contracts.caller import CITY_STAFF, SYSTEM_CALLER, Caller
from servicekit.rpc_client import RpcClient
from servicekit.tokens import issue_access_token, load_private_key
from tests import neighbourhood_grid as grid
from tests.e2e.stack import wait_until

pytestmark = pytest.mark.timeout(180)

MEMBERSHIP_TIMEOUT = 15.0
# Households of the strip r0c0 | r0c1 | r0c2 (r0c0 and r0c2 are not adjacent).
REGISTER = [
    # address_id, street, number, cell, household_id
    ("a1", "Rue Haute", "12", (0, 0), "h1"),
    ("a2", "Rue Basse", "3b", (0, 0), "h2"),
    ("a3", "Place du Marché", "7", (0, 1), "h3"),
    ("a4", "Rue du Moulin", "1", (0, 2), "h4"),
]
RESIDENTS = {  # household -> (display name, e-mail)
    "h1": ("Marie Dupont", "marie.dupont@example.org"),
    "h2": ("Paul Martin", "paul.martin@example.org"),
    "h3": ("Chloé Petit", "chloe.petit@example.org"),
}
PASSWORD = "correct horse battery staple 42"


class Api:
    def __init__(self, base_url):
        self.base_url = base_url

    def request(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = "Bearer " + token
        return requests.request(method, self.base_url + path, headers=headers, timeout=20,
                                **kwargs)


def register_csv():
    lines = ["address_id,street,number,postcode,locality,latitude,longitude,household_id"]
    for address_id, street, number, (row, col), household in REGISTER:
        lon, lat = grid.point_in(row, col)
        lines.append("%s,%s,%s,1234,Testville,%.6f,%.6f,%s" % (
            address_id, street, number, lat, lon, household))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def town(platform):
    """A municipality with three imported neighbourhoods and three registered residents:
    {"cells": {code: id}, "tokens": {household: access token}, "staff": token, "api": Api}."""
    running = platform.platform
    with RpcClient(running.amqp_uri, client_name="e2e-neighbourhoods") as client:
        municipality = client.call(
            rpc.identity.CREATE_MUNICIPALITY, caller=SYSTEM_CALLER.to_dict(),
            slug="nbh-" + uuid.uuid4().hex[:10], name="Testville", activation_threshold=2)
    staff = issue_access_token(
        load_private_key(running.var_dir),
        Caller(user_id="staff-" + uuid.uuid4().hex[:8], role=CITY_STAFF,
               municipality_id=municipality["id"]))
    api = Api(running.http_url)

    imported = api.request("POST", "/api/v1/city/neighbourhoods/import", staff,
                           json=grid.grid(1, 3))
    assert imported.status_code == 200, imported.text
    cells = {n["code"]: n["id"] for n in imported.json()["neighbourhoods"]}

    placed = api.request("POST", "/api/v1/city/addresses/import", staff, data=register_csv(),
                         headers={"Content-Type": "text/csv"})
    assert placed.status_code == 200, placed.text
    assert placed.json()["rejected"] == []

    letters = api.request("POST", "/api/v1/city/invitations", staff, json={})
    assert letters.status_code == 201, letters.text
    codes = {letter["household_id"]: letter["invitation_code"]
             for letter in letters.json()["letters"]}

    tokens = {}
    for household, (display_name, email) in RESIDENTS.items():
        registered = api.request("POST", "/api/v1/auth/register", json={
            "invitation_code": codes[household], "email": email, "password": PASSWORD,
            "display_name": display_name, "language": "fr"})
        assert registered.status_code == 201, registered.text
        tokens[household] = registered.json()["access_token"]

    world = {"cells": cells, "tokens": tokens, "staff": staff, "api": api}
    # Membership arrives by event (user_registered): wait until all three are members.
    wait_until(lambda: all(
        api.request("GET", "/api/v1/neighbourhoods/%s/members" % cells[cell],
                    tokens[household]).status_code == 200
        for household, cell in (("h1", "r0c0"), ("h2", "r0c0"), ("h3", "r0c1"))
    ) and len(members(world, "h1", "r0c0").json()["items"]) == 2, MEMBERSHIP_TIMEOUT)
    return world


def members(town, household, cell):
    return town["api"].request("GET", "/api/v1/neighbourhoods/%s/members" % town["cells"][cell],
                               town["tokens"][household])


def follow(town, household, cell, method="PUT"):
    return town["api"].request(method, "/api/v1/me/follows/" + town["cells"][cell],
                               town["tokens"][household])


def test_the_neighbour_list_shows_first_name_and_street_only(town):
    response = members(town, "h1", "r0c0")

    assert response.status_code == 200
    items = response.json()["items"]
    assert sorted((m["first_name"], m["street"]) for m in items) == [
        ("Marie", "Rue Haute"), ("Paul", "Rue Basse")]
    assert all(set(m) == {"user_id", "first_name", "street"} for m in items)
    # No house number, surname, e-mail or phone anywhere in the answer.
    assert not any(ch.isdigit() for m in items for ch in m["first_name"] + m["street"])
    text = response.text
    assert "@" not in text and "Dupont" not in text and "Martin" not in text
    assert "phone" not in text and "number" not in text


def test_a_neighbourhood_neither_home_nor_followed_is_not_found(town):
    assert members(town, "h1", "r0c1").status_code == 404
    assert members(town, "h1", "r0c2").status_code == 404
    detail = town["api"].request("GET", "/api/v1/neighbourhoods/" + town["cells"]["r0c2"],
                                 town["tokens"]["h1"])
    assert detail.status_code == 404
    # The same answer as for an id that does not exist: nothing reveals the neighbourhood.
    unknown = town["api"].request("GET", "/api/v1/neighbourhoods/%s/members" % ("0" * 32),
                                  town["tokens"]["h1"])
    assert members(town, "h1", "r0c1").json() == unknown.json() == {
        "error": {"code": "not_found", "message": "neighbourhood not found"}}


def test_following_a_neighbourhood_that_is_not_adjacent_is_refused(town):
    response = follow(town, "h1", "r0c2")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert members(town, "h1", "r0c2").status_code == 404


def test_following_an_adjacent_neighbourhood_opens_it_until_unfollowed(town):
    followed = follow(town, "h1", "r0c1")
    while_following = members(town, "h1", "r0c1")
    listing = town["api"].request("GET", "/api/v1/neighbourhoods", town["tokens"]["h1"]).json()
    unfollowed = follow(town, "h1", "r0c1", method="DELETE")
    again = follow(town, "h1", "r0c1", method="DELETE")

    assert followed.status_code == 200
    assert followed.json() == {"neighbourhood_id": town["cells"]["r0c1"], "following": True}
    assert [(m["first_name"], m["street"]) for m in while_following.json()["items"]] == [
        ("Chloé", "Place du Marché")]
    by_code = {n["code"]: n for n in listing["items"]}
    assert by_code["r0c1"]["following"] is True and by_code["r0c0"]["home"] is True
    assert by_code["r0c0"]["adjacent_ids"] == [town["cells"]["r0c1"]]
    assert unfollowed.status_code == again.status_code == 200
    assert members(town, "h1", "r0c1").status_code == 404


def test_a_resident_who_opts_out_leaves_the_neighbour_list(town):
    api, paul = town["api"], town["tokens"]["h2"]

    opted_out = api.request("PATCH", "/api/v1/me/directory", paul, json={"listed": False})
    without_paul = [m["first_name"] for m in members(town, "h1", "r0c0").json()["items"]]
    api.request("PATCH", "/api/v1/me/directory", paul, json={"listed": True})
    with_paul = [m["first_name"] for m in members(town, "h1", "r0c0").json()["items"]]

    assert opted_out.status_code == 200 and opted_out.json() == {"listed": False}
    assert without_paul == ["Marie"]
    assert sorted(with_paul) == ["Marie", "Paul"]


def test_the_city_sees_household_counts_but_not_the_neighbour_list(town):
    api = town["api"]

    listing = api.request("GET", "/api/v1/neighbourhoods", town["staff"])
    neighbours = api.request(
        "GET", "/api/v1/neighbourhoods/%s/members" % town["cells"]["r0c0"], town["staff"])

    assert {n["code"]: n["households"] for n in listing.json()["items"]} == {
        "r0c0": 2, "r0c1": 1, "r0c2": 0}
    # Threshold 2: the neighbourhood with two households opened.
    assert {n["code"]: n["state"] for n in listing.json()["items"]}["r0c0"] == "active"
    assert neighbours.status_code == 403


def test_the_demo_seed_imports_the_demo_map(platform):
    staff = platform.token(role=CITY_STAFF, user_id="e2e-staff")

    listing = platform.get("/api/v1/neighbourhoods", token=staff)

    assert listing.status_code == 200
    assert sorted(n["code"] for n in listing.json()["items"]) == [
        "bonnevoie", "centre", "gare", "hamm", "kirchberg", "limpertsberg"]
