"""The gateway's auth, me and city routes with identity replaced by a scripted RPC client, and the
identity CLI's chunked register import."""
import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts import errors, rpc
from contracts.caller import ADMIN, CITY_STAFF, RESIDENT, Caller
from contracts.errors import DomainError
from gateway.http.app import GatewaySettings, create_app
from gateway.http.routes import me as me_routes
from servicekit import tokens
from services.identity import cli
from tests.unit.scripted_rpc import ScriptedRpc


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def fake():
    return ScriptedRpc()


@pytest.fixture
def client(key, fake):
    return create_app(GatewaySettings(rpc=fake, public_key=key.public_key())).test_client()


def bearer(key, role=RESIDENT, municipality_id="m1"):
    caller = Caller(user_id="u1", role=role, municipality_id=municipality_id)
    return {"Authorization": "Bearer " + tokens.issue_access_token(key, caller)}


def test_register_is_open_and_passes_the_client_address_for_the_code_limit(client, fake):
    fake.answers[rpc.identity.REGISTER] = {"access_token": "a", "refresh_token": "r"}
    body = {"invitation_code": "AB7K-Q9XZ", "email": "ana@example.org",
            "password": "a long passphrase", "display_name": "Ana", "language": "fr"}

    response = client.post("/api/v1/auth/register", json=body,
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})

    assert response.status_code == 201
    assert fake.calls == [(rpc.identity.REGISTER, dict(body, client_id="192.0.2.7",
                                                       caller=Caller().to_dict()))]


def test_a_lockout_answers_429_with_the_services_retry_after(client, fake):
    fake.answers[rpc.identity.LOGIN] = DomainError(
        errors.RATE_LIMITED, "too many failed logins; try again in 14 minutes",
        details={"retry_after": "840"})

    response = client.post("/api/v1/auth/login",
                           json={"email": "ana@example.org", "password": "x"})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "840"
    assert "14 minutes" in response.get_json()["error"]["message"]


LOGGED_IN = {"access_token": "a", "refresh_token": "r", "device_token": "qd1.n.1.s",
             "device_token_expires_in": 7776000}


def test_login_passes_the_device_token_and_client_address_and_hands_the_token_back(client, fake):
    fake.answers[rpc.identity.LOGIN] = LOGGED_IN

    response = client.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                           json={"email": "ana@example.org", "password": "x",
                                 "device_token": "qd1.from-the-body"})

    assert response.status_code == 200
    assert response.get_json()["device_token"] == "qd1.n.1.s"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("quartier_device=qd1.n.1.s;")
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth/login",
                      "Max-Age=7776000"):
        assert attribute in cookie
    assert fake.calls == [(rpc.identity.LOGIN, {
        "email": "ana@example.org", "password": "x", "device_token": "qd1.from-the-body",
        "client_id": "192.0.2.7", "caller": Caller().to_dict()})]


def test_a_browser_logs_in_with_its_device_cookie_and_keeps_it_out_of_scripts(client, fake):
    fake.answers[rpc.identity.LOGIN] = LOGGED_IN
    client.set_cookie("quartier_device", "qd1.from-the-cookie", path="/api/v1/auth/login")

    response = client.post("/api/v1/auth/login", headers={"X-Quartier-Client": "web"},
                           json={"email": "ana@example.org", "password": "x"})

    assert response.status_code == 200
    assert "device_token" not in response.get_json()
    assert any(c.startswith("quartier_device=qd1.n.1.s;")
               for c in response.headers.getlist("Set-Cookie"))
    assert fake.calls[0][1]["device_token"] == "qd1.from-the-cookie"


def test_behind_trusted_proxies_the_limits_count_the_forwarded_client(key, fake):
    from gateway.http.client_address import parse_trusted_proxies

    app = create_app(GatewaySettings(rpc=fake, public_key=key.public_key(),
                                     trusted_proxies=parse_trusted_proxies("10.0.0.0/8")))
    fake.answers[rpc.identity.LOGIN] = LOGGED_IN

    app.test_client().post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": "10.42.0.9"},
                           headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.5"},
                           json={"email": "ana@example.org", "password": "x"})

    assert fake.calls[0][1]["client_id"] == "203.0.113.5"


@pytest.mark.parametrize("field", ["role", "neighbourhood_id", "household_id", "verified"])
def test_patch_me_naming_a_protected_field_is_refused_before_any_call(client, fake, key, field):
    response = client.patch("/api/v1/me", json={"display_name": "Ana", field: "admin"},
                            headers=bearer(key))

    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert fake.calls == []


def test_export_gathers_every_services_part(client, fake, key):
    fake.answers[rpc.identity.EXPORT_USER] = {"account": {"id": "u1"}}
    others = [m for m in me_routes.exporters() if m != rpc.identity.EXPORT_USER]
    for method in others:
        fake.answers[method] = {"from": method.service}

    response = client.get("/api/v1/me/export", headers=bearer(key))

    assert response.status_code == 200
    document = response.get_json()
    assert document["identity"] == {"account": {"id": "u1"}}
    assert {name: part for name, part in document.items() if name != "identity"} == {
        m.service: {"from": m.service} for m in others}
    assert fake.methods()[0] == rpc.identity.EXPORT_USER


def test_an_erased_account_has_no_export(client, fake, key):
    fake.answers[rpc.identity.EXPORT_USER] = DomainError(errors.UNAUTHENTICATED, "gone")

    assert client.get("/api/v1/me/export", headers=bearer(key)).status_code == 401
    assert fake.methods() == [rpc.identity.EXPORT_USER]


def test_staff_import_csv_in_chunks_and_residents_cannot(client, fake, key):
    fake.answers[rpc.identity.IMPORT_ADDRESSES] = {"received": 1, "rejected": []}
    text = "address_id,street\nA1,x\n"

    response = client.post("/api/v1/city/addresses/import?first_line=502", data=text,
                           content_type="text/csv", headers=bearer(key, CITY_STAFF))

    assert response.status_code == 200
    assert fake.calls[-1][1]["csv_text"] == text
    assert fake.calls[-1][1]["first_line"] == 502
    assert fake.calls[-1][1]["municipality_id"] == "m1"
    assert client.post("/api/v1/city/addresses/import", json={"a": 1},
                       headers=bearer(key, CITY_STAFF)).status_code == 400
    assert client.post("/api/v1/city/addresses/import", data=text, content_type="text/csv",
                       headers=bearer(key, RESIDENT)).status_code == 403
    too_big = "x" * (64 * 1024 + 1)
    assert client.post("/api/v1/city/addresses/import", data=too_big, content_type="text/csv",
                       headers=bearer(key, CITY_STAFF)).status_code == 413


def test_letters_come_as_csv_safe_for_spreadsheets(client, fake, key):
    fake.answers[rpc.identity.ISSUE_INVITATIONS] = {
        "letters": [{"household_id": "H1", "street": "=HYPERLINK(\"x\")", "number": "1",
                     "invitation_code": "AB7K-Q9XZ", "expires_on": "2026-12-22"}],
        "skipped": 0, "unknown_household_ids": [], "next_cursor": "abc"}

    response = client.post("/api/v1/city/invitations?format=csv", json={},
                           headers=bearer(key, CITY_STAFF))

    assert response.status_code == 201
    assert response.mimetype == "text/csv"
    assert response.headers["X-Next-Cursor"] == "abc"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == ",".join(cli.LETTER_COLUMNS)
    assert "AB7K-Q9XZ" in lines[1] and "'=HYPERLINK" in lines[1]


def test_only_admins_create_staff_accounts(client, fake, key):
    body = {"email": "s@example.org", "role": "city_staff", "display_name": "S"}
    fake.answers[rpc.identity.CREATE_STAFF_ACCOUNT] = {"created": True}

    assert client.post("/api/v1/city/accounts", json=body,
                       headers=bearer(key, CITY_STAFF)).status_code == 403
    assert client.post("/api/v1/city/accounts", json=dict(body, role="admin"),
                       headers=bearer(key, ADMIN)).status_code == 400
    assert client.post("/api/v1/city/accounts", json=body,
                       headers=bearer(key, ADMIN)).status_code == 201


# -- the CLI ----------------------------------------------------------------------------------

HEADER = "address_id,street,number,postcode,locality,latitude,longitude,household_id\n"


def test_the_register_is_sent_in_chunks_with_header_and_file_line_numbers():
    rows = "".join("A%d,Street,%d,7000,Mons,50.4,3.9,H%d\n" % (i, i, i) for i in range(7))

    chunks = list(cli.register_chunks(io.StringIO(HEADER + rows + "\n"), rows_per_chunk=3))

    assert [(first, count) for first, count, _ in chunks] == [(2, 3), (5, 3), (8, 1)]
    assert all(text.startswith(HEADER) for _, _, text in chunks)
    assert chunks[2][2] == HEADER + "A6,Street,6,7000,Mons,50.4,3.9,H6\n"


def test_the_cli_import_reports_progress_and_every_rejected_row(tmp_path, capsys):
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "".join(
        "A%d,Street,%d,7000,Mons,50.4,3.9,H%d\n" % (i, i, i) for i in range(5)))
    fake = ScriptedRpc()
    fake.answers[rpc.identity.LIST_MUNICIPALITIES] = {
        "items": [{"id": "m1", "slug": "mons"}], "next_cursor": None}
    fake.answers[rpc.identity.IMPORT_ADDRESSES] = lambda first_line, **_: {
        "received": 2, "created": 1, "updated": 0, "unchanged": 0,
        "rejected": [{"line": first_line, "address_id": "A?", "reason": "missing number"}]}
    out = io.StringIO()

    totals, rejected = cli.import_addresses(fake, str(path), "mons", rows_per_chunk=2, out=out)

    assert [kwargs["first_line"] for method, kwargs in fake.calls
            if method == rpc.identity.IMPORT_ADDRESSES] == [2, 4, 6]
    assert totals["created"] == 3 and len(rejected) == 3
    assert "line 4 (A?): missing number" in out.getvalue()
    assert "5/5 rows, 3 rejected" in capsys.readouterr().err
