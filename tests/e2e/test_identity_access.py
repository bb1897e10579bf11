"""Issue 3, acceptance 1, 2, 3, 4 and 6, through the gateway against running services: staff import
2,000 households and the polygons, issue letters as CSV, a resident registers and GET /me shows the
neighbourhood computed from the address point; used, expired and wrong codes (the 6th wrong one
from a client → 429); defective tokens and refresh-token reuse; PATCH /me of protected fields;
erasure.

The municipality is created here (its first admin through the platform bootstrap, its staff by
that admin), so these tests depend on neither the demo seed nor the other test modules."""
import csv
import io
import random
import sqlite3
import time
import uuid

import jwt
import pytest
import requests
from requests.adapters import HTTPAdapter

from contracts import rpc
from contracts.caller import SYSTEM_CALLER
from servicekit.rpc_client import RpcClient
from servicekit.tokens import AUDIENCE, ISSUER, load_private_key
from tests import neighbourhood_grid as grid
from tests.e2e.stack import wait_until

pytestmark = pytest.mark.timeout(300)

HOUSEHOLDS = 2000
CHUNK_BYTES = 60 * 1024  # the gateway's body limit is 64 KiB: the register goes in chunks
PASSWORD = "correct horse battery staple 42"
HEADER = "address_id,street,number,postcode,locality,latitude,longitude,household_id"
STREETS = ["Rue Haute", "Rue Basse", "Place du Marché", "Rue du Moulin", "Avenue de la Gare"]
EVENT_TIMEOUT = 15.0
REVOCATION_TIMEOUT = 10.0


class SourceAddressAdapter(HTTPAdapter):
    """Connect from another loopback address: to the gateway, another client."""

    def __init__(self, source_ip):
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


class Api:
    def __init__(self, base_url, source_ip=None):
        self.base_url = base_url
        self.session = requests.Session()
        if source_ip:
            self.session.mount("http://", SourceAddressAdapter(source_ip))

    def request(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = "Bearer " + token
        return self.session.request(method, self.base_url + path, headers=headers, timeout=60,
                                    **kwargs)


def register_rows():
    """2,000 households spread over a 2×2 grid of neighbourhoods, as register rows."""
    rng = random.Random(3)
    rows = []
    for index in range(HOUSEHOLDS):
        row, col = rng.randrange(2), rng.randrange(2)
        lon, lat = grid.point_in(row, col, (rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)))
        rows.append(("a%04d" % index, rng.choice(STREETS), str(rng.randrange(1, 200)), "1234",
                     "Testville", "%.6f" % lat, "%.6f" % lon, "h%04d" % index))
    return rows


def csv_chunks(rows):
    """(first file line, CSV text with header) chunks under the body limit."""
    chunks, current, first_line, size = [], [], 2, len(HEADER) + 1
    for line_no, row in enumerate(rows, start=2):
        line = ",".join(row)
        if size + len(line) + 1 > CHUNK_BYTES:
            chunks.append((first_line, "\n".join([HEADER] + current) + "\n"))
            current, first_line, size = [], line_no, len(HEADER) + 1
        current.append(line)
        size += len(line) + 1
    chunks.append((first_line, "\n".join([HEADER] + current) + "\n"))
    return chunks


def cell_of(lon, lat):
    return grid.code(int((lat - grid.ORIGIN[1]) // grid.CELL_LAT),
                     int((lon - grid.ORIGIN[0]) // grid.CELL_LON))


def tokens_of(response):
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
def town(platform):
    running = platform.platform
    api = Api(running.http_url)
    admin_email = "admin-%s@testville.example" % uuid.uuid4().hex[:8]
    with RpcClient(running.amqp_uri, client_name="e2e-identity") as client:
        municipality = client.call(
            rpc.identity.CREATE_MUNICIPALITY, caller=SYSTEM_CALLER.to_dict(),
            slug="id-" + uuid.uuid4().hex[:10], name="Testville", activation_threshold=2)
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM_CALLER.to_dict(),
                    municipality_id=municipality["id"], email=admin_email, role="admin",
                    display_name="Admin", password=PASSWORD)
    admin = tokens_of(api.request("POST", "/api/v1/auth/login",
                                  json={"email": admin_email, "password": PASSWORD}))
    created = api.request("POST", "/api/v1/city/accounts", admin["access_token"], json={
        "email": "staff-" + admin_email, "role": "city_staff", "display_name": "Staff"})
    assert created.status_code == 201, created.text
    staff = tokens_of(api.request("POST", "/api/v1/auth/login", json={
        "email": "staff-" + admin_email, "password": created.json()["initial_password"]}))
    return {"api": api, "running": running, "municipality_id": municipality["id"],
            "staff": staff["access_token"], "admin": admin,
            "admin_login": {"email": admin_email, "password": PASSWORD}}


@pytest.fixture(scope="module")
def register(town):
    """The polygons and the 2,000-household register imported, and every letter issued (CSV)."""
    api, staff = town["api"], town["staff"]
    imported = api.request("POST", "/api/v1/city/neighbourhoods/import", staff,
                           json=grid.grid(2, 2))
    assert imported.status_code == 200, imported.text
    cells = {n["code"]: n["id"] for n in imported.json()["neighbourhoods"]}
    rows = register_rows()
    totals = {"received": 0, "created": 0, "rejected": []}
    for first_line, text in csv_chunks(rows):
        placed = api.request("POST", "/api/v1/city/addresses/import?first_line=%d" % first_line,
                             staff, data=text.encode(), headers={"Content-Type": "text/csv"})
        assert placed.status_code == 200, placed.text
        for key in ("received", "created"):
            totals[key] += placed.json()[key]
        totals["rejected"] += placed.json()["rejected"]
    letters, cursor = [], None
    while True:
        body = {"limit": 1000}
        if cursor:
            body["cursor"] = cursor
        issued = api.request("POST", "/api/v1/city/invitations?format=csv", staff, json=body)
        assert issued.status_code == 201, issued.text
        assert issued.headers["Content-Type"].startswith("text/csv")
        letters.extend(csv.DictReader(io.StringIO(issued.text)))
        cursor = issued.headers.get("X-Next-Cursor")
        if not cursor:
            break
    points = {row[7]: (float(row[6]), float(row[5])) for row in rows}
    return {"cells": cells, "totals": totals, "letters": {l["household_id"]: l for l in letters},
            "points": points, "rows": rows}


def register_resident(town, code, email, name="Marie Dupont", api=None):
    return (api or town["api"]).request("POST", "/api/v1/auth/register", json={
        "invitation_code": code, "email": email, "password": PASSWORD, "display_name": name,
        "language": "fr"})


def test_staff_import_2000_households_issue_letters_and_a_resident_sees_their_neighbourhood(
        town, register):
    assert register["totals"]["received"] == HOUSEHOLDS
    assert register["totals"]["created"] == HOUSEHOLDS
    assert register["totals"]["rejected"] == []
    assert len(register["letters"]) == HOUSEHOLDS
    letter = register["letters"]["h0007"]
    assert len(letter["invitation_code"].replace("-", "")) == 8

    registered = register_resident(town, letter["invitation_code"],
                                   "marie-%s@example.org" % uuid.uuid4().hex[:6])
    assert registered.status_code == 201, registered.text
    me = town["api"].request("GET", "/api/v1/me", registered.json()["access_token"])

    expected_cell = cell_of(*register["points"]["h0007"])
    assert me.status_code == 200
    assert me.json()["neighbourhood_id"] == register["cells"][expected_cell]
    assert (me.json()["household_id"], me.json()["verified"]) == ("h0007", True)
    # The register lists that household's letter as used; the codes themselves never again.
    listed = town["api"].request("GET", "/api/v1/city/invitations?limit=10", town["staff"])
    assert {i["household_id"]: i["letter"] for i in listed.json()["items"]}["h0007"] == "used"
    assert "invitation_code" not in listed.text


def test_a_reimport_changes_nothing_and_points_outside_are_rejected(town, register):
    rows = register["rows"][:3] + [("out-1", "Nowhere", "1", "1234", "Testville", "10.0",
                                    "10.0", "h-out")]
    text = "\n".join([HEADER] + [",".join(row) for row in rows]) + "\n"

    again = town["api"].request("POST", "/api/v1/city/addresses/import", town["staff"],
                                data=text.encode(), headers={"Content-Type": "text/csv"})

    assert again.status_code == 200, again.text
    assert (again.json()["unchanged"], again.json()["created"]) == (3, 0)
    assert again.json()["rejected"] == [{"line": 5, "address_id": "out-1", "reason":
                                         "the address lies outside every neighbourhood of the "
                                         "municipality"}]


def test_used_expired_and_wrong_codes(town, register):
    # Its own client address: these failures count against that client only.
    api = Api(town["running"].http_url, source_ip="127.0.0.%d" % random.randrange(20, 250))
    used = register["letters"]["h0010"]["invitation_code"]
    assert register_resident(town, used, "a-%s@example.org" % uuid.uuid4().hex[:6],
                             api=api).status_code == 201
    again = register_resident(town, used, "b-%s@example.org" % uuid.uuid4().hex[:6], api=api)
    assert again.status_code == 409
    assert "already been used" in again.json()["error"]["message"]

    # Thirty-one days later (the store's clock moved back instead of waiting).
    with sqlite3.connect(town["running"].var_dir + "/identity/identity.sqlite3") as db:
        db.execute("UPDATE invitations SET expires_at = ? WHERE municipality_id = ? AND "
                   "household_id = ?", (time.time() - 86400, town["municipality_id"], "h0011"))
    expired = register_resident(town, register["letters"]["h0011"]["invitation_code"],
                                "c-%s@example.org" % uuid.uuid4().hex[:6], api=api)
    assert expired.status_code == 422
    assert "expired on" in expired.json()["error"]["message"]

    # Two failures so far (used, expired); three wrong codes make five, the sixth is refused.
    for _ in range(3):
        assert register_resident(town, "ZZZZ-ZZZZ", "d@example.org", api=api).status_code == 400
    sixth = register_resident(town, register["letters"]["h0012"]["invitation_code"],
                              "e-%s@example.org" % uuid.uuid4().hex[:6], api=api)
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) > 3000
    # Another client is not affected.
    assert register_resident(town, register["letters"]["h0012"]["invitation_code"],
                             "f-%s@example.org" % uuid.uuid4().hex[:6]).status_code == 201


def forged(claims, key=None, algorithm="EdDSA"):
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "iat": int(time.time()),
            "exp": int(time.time()) + 600, "role": "admin", "mun": "m"}
    base.update(claims)
    if algorithm == "none":
        return jwt.encode(base, None, algorithm="none")
    return jwt.encode(base, key, algorithm=algorithm)


def test_defective_access_tokens_and_refresh_token_reuse(town):
    api, key = town["api"], load_private_key(town["running"].var_dir)
    for token in (forged({}, algorithm="none"), forged({"aud": "someone-else"}, key),
                  forged({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, key)):
        assert api.request("GET", "/api/v1/me", token).status_code == 401

    first = tokens_of(api.request("POST", "/api/v1/auth/refresh", json={
        "refresh_token": town["admin"]["refresh_token"]}))
    second = tokens_of(api.request("POST", "/api/v1/auth/refresh", json={
        "refresh_token": first["refresh_token"]}))
    assert api.request("GET", "/api/v1/me", second["access_token"]).status_code == 200

    reused = api.request("POST", "/api/v1/auth/refresh",
                         json={"refresh_token": first["refresh_token"]})
    newest = api.request("POST", "/api/v1/auth/refresh",
                         json={"refresh_token": second["refresh_token"]})

    assert reused.status_code == 401 and "already used" in reused.json()["error"]["message"]
    assert newest.status_code == 401
    # The chain's access tokens stop too, once the gateway has heard (it polls every 2 s).
    wait_until(lambda: api.request("GET", "/api/v1/me", second["access_token"]).status_code
               == 401, REVOCATION_TIMEOUT)


def test_patch_me_cannot_change_role_or_neighbourhood(town, register):
    api = town["api"]
    tokens = tokens_of(register_resident(town, register["letters"]["h0020"]["invitation_code"],
                                         "p-%s@example.org" % uuid.uuid4().hex[:6]))
    before = api.request("GET", "/api/v1/me", tokens["access_token"]).json()

    for change in ({"role": "admin"}, {"neighbourhood_id": register["cells"]["r1c1"]},
                   {"display_name": "Still Me", "role": "admin"}):
        refused = api.request("PATCH", "/api/v1/me", tokens["access_token"], json=change)
        assert refused.status_code == 400
        assert [name for name in change if name != "display_name"][0] in refused.text

    assert api.request("GET", "/api/v1/me", tokens["access_token"]).json() == before
    changed = api.request("PATCH", "/api/v1/me", tokens["access_token"],
                          json={"bio": "Gardener", "language": "de"})
    assert (changed.status_code, changed.json()["bio"], changed.json()["role"]) == (
        200, "Gardener", "resident")


def test_an_erased_user_cannot_log_in_leaves_the_member_list_and_has_no_export(town, register):
    api = town["api"]
    # Two neighbours in one household's neighbourhood.
    cell = cell_of(*register["points"]["h0030"])
    same_cell = next(h for h, point in sorted(register["points"].items())
                     if cell_of(*point) == cell and h not in ("h0030",) and h > "h0100")
    email = "gone-%s@example.org" % uuid.uuid4().hex[:6]
    leaving = tokens_of(register_resident(town, register["letters"]["h0030"]["invitation_code"],
                                          email, name="Léa Gone"))
    staying = tokens_of(register_resident(
        town, register["letters"][same_cell]["invitation_code"],
        "stay-%s@example.org" % uuid.uuid4().hex[:6], name="Sam Stay"))
    members_path = "/api/v1/neighbourhoods/%s/members" % register["cells"][cell]

    def names():
        answer = api.request("GET", members_path, staying["access_token"])
        return [m["first_name"] for m in answer.json()["items"]] if answer.ok else []

    wait_until(lambda: "Léa" in names() and "Sam" in names(), EVENT_TIMEOUT, describe=repr)
    export = api.request("GET", "/api/v1/me/export", leaving["access_token"])
    assert export.status_code == 200 and export.json()["identity"]["account"]["email"] == email

    erased = api.request("DELETE", "/api/v1/me", leaving["access_token"])

    assert erased.status_code == 200
    assert api.request("POST", "/api/v1/auth/login",
                       json={"email": email, "password": PASSWORD}).status_code == 401
    assert api.request("POST", "/api/v1/auth/refresh", json={
        "refresh_token": leaving["refresh_token"]}).status_code == 401
    assert api.request("GET", "/api/v1/me/export", leaving["access_token"]).status_code == 401
    wait_until(lambda: "Léa" not in names(), EVENT_TIMEOUT, describe=repr)
    # The erased account's access token is refused everywhere, not only by identity.
    wait_until(lambda: api.request("GET", "/api/v1/neighbourhoods", leaving["access_token"])
               .status_code == 401, REVOCATION_TIMEOUT)
    assert "Sam" in names()
    assert api.request("GET", "/api/v1/me", staying["access_token"]).status_code == 200


def test_the_demo_credentials_sign_in_at_once(platform):
    """ARCHITECTURE §7: the seed's accounts work as written in var/demo/credentials.json."""
    api, credentials = Api(platform.platform.http_url), platform.credentials
    for role, key in (("admin", "admin"), ("city_staff", "staff"), ("moderator", "moderator")):
        signed_in = tokens_of(api.request("POST", "/api/v1/auth/login", json={
            "email": credentials[key]["email"], "password": credentials[key]["password"]}))
        assert signed_in["user"]["role"] == role
        assert signed_in["user"]["municipality_id"] == credentials["municipality_id"]
    for resident in credentials["residents"]:
        signed_in = tokens_of(api.request("POST", "/api/v1/auth/login", json={
            "email": resident["email"], "password": resident["password"]}))
        me = api.request("GET", "/api/v1/me", signed_in["access_token"]).json()
        assert me["neighbourhood_id"] == resident["neighbourhood_id"] is not None
    assert len(credentials["residents"]) == 3
    assert len({c["code"] for c in credentials["invitation_codes"]}) == 5
    assert all(c["neighbourhood_id"] for c in credentials["invitation_codes"])


def test_ten_failed_logins_lock_the_account_across_gateway_requests(town):
    """The counter lives in identity, not in a gateway process: the 11th try, even with the right
    password, is refused with the time left."""
    api = town["api"]
    # A session of its own: another test ends the admin's first one.
    admin = tokens_of(api.request("POST", "/api/v1/auth/login", json=town["admin_login"]))
    created = api.request("POST", "/api/v1/city/accounts", admin["access_token"], json={
        "email": "lock-%s@testville.example" % uuid.uuid4().hex[:6], "role": "moderator",
        "display_name": "Mo"})
    account = created.json()
    email, password = account["account"]["email"], account["initial_password"]

    answers = [api.request("POST", "/api/v1/auth/login",
                           json={"email": email, "password": "wrong password %d" % i})
               for i in range(10)]
    locked = api.request("POST", "/api/v1/auth/login",
                         json={"email": email, "password": password})

    assert [a.status_code for a in answers] == [401] * 10
    assert locked.status_code == 429
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    assert "try again in" in locked.json()["error"]["message"]


def test_a_resident_invites_the_people_they_live_with_up_to_the_cap(town, register):
    api = town["api"]
    first = tokens_of(register_resident(town, register["letters"]["h0040"]["invitation_code"],
                                        "h40-a-%s@example.org" % uuid.uuid4().hex[:6]))
    codes = []
    for _ in range(3):
        invited = api.request("POST", "/api/v1/me/household/invitations", first["access_token"])
        assert invited.status_code == 201, invited.text
        codes.append(invited.json()["invitation_code"])
    full = api.request("POST", "/api/v1/me/household/invitations", first["access_token"])

    assert full.status_code == 409 and "at most 4 adults" in full.json()["error"]["message"]
    joined = tokens_of(register_resident(town, codes[0],
                                         "h40-b-%s@example.org" % uuid.uuid4().hex[:6],
                                         name="Tom Dupont"))
    me = api.request("GET", "/api/v1/me", joined["access_token"]).json()
    assert (me["household_id"], me["neighbourhood_id"]) == (
        "h0040", register["cells"][cell_of(*register["points"]["h0040"])])
    assert api.request("POST", "/api/v1/me/household/invitations",
                       town["staff"]).status_code == 403
