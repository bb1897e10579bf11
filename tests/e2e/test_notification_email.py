"""Issue 17 through the gateway, against a real SMTP server started by the test (aiosmtpd,
tests/mail_sink.py) that a platform of its own sends to (SMTP_URL).

The town: two neighbourhoods side by side. Ana (Portuguese) and Dirk (German) live in the first,
Zoé in the second. An urgent announcement to the first reaches Ana and Dirk by e-mail, each in
their language, and nobody else; the one-click unsubscribe link of an e-mail stops that kind for
its reader only; quiet hours do not hold back an urgent alert; an ordinary announcement sends no
e-mail at all (it waits for the digests). A forgotten password is reset through the e-mailed
link, once, ending every session; an unknown address is answered alike and gets nothing."""
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.e2e import stack
from tests.e2e.stack import build_town, wait_until
from tests.mail_sink import MailSink
from tests.push_endpoint import PushEndpoint

pytestmark = pytest.mark.timeout(600)

DELIVERY_DEADLINE = 60.0
TRANSLATIONS = {
    "pt": {"title": "Corte de água", "body": "A água será cortada amanhã das 8h às 12h."},
    "de": {"title": "Wasserabstellung", "body": "Das Wasser wird morgen von 8 bis 12 Uhr "
                                                "abgestellt."},
}


@pytest.fixture(scope="module")
def sink():
    with MailSink() as running:
        yield running


@pytest.fixture(scope="module")
def pushes():
    with PushEndpoint() as running:
        yield running


@pytest.fixture(scope="module")
def mailing(rabbit_admin, tmp_path_factory, sink, pushes):
    # The local push endpoint is http on 127.0.0.1: allowed here only, explicitly.
    env = {"SMTP_URL": sink.url, "PUSH_ALLOW_PRIVATE_ENDPOINTS": "true"}
    with stack.platform_of_its_own(rabbit_admin, tmp_path_factory, "mail", extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def town(mailing):
    town = build_town(mailing.platform, "mail", 1, 2, {
        "ana": ((0, 0), "Rua Alta", "Ana Silva"),
        "dirk": ((0, 0), "Hauptstraße", "Dirk Weber"),
        "zoe": ((0, 1), "Rue Basse", "Zoé Martin"),
    })
    for key, language in (("ana", "pt"), ("dirk", "de")):
        changed = town.api.request("PATCH", "/api/v1/me", town.tokens[key],
                                   json={"language": language})
        assert changed.status_code == 200, changed.text
    town.emails = {key: town.api.request("GET", "/api/v1/me", token).json()["email"]
                   for key, token in town.tokens.items()}
    town.push_names = {}
    return town


def subscribe(town, pushes, key):
    name = "%s-%s" % (key, time.time_ns())
    added = town.api.request("POST", "/api/v1/me/push-subscriptions", town.tokens[key],
                             json=pushes.subscription(name))
    assert added.status_code == 201, added.text
    town.push_names[key] = name
    return added.json()["id"]


def announce(town, title, urgent=True, cells=("r0c0",)):
    created = town.api.request("POST", "/api/v1/city/announcements", town.staff, json={
        "title": title, "body": "Water will be cut tomorrow from 8 to 12.",
        "neighbourhood_ids": [town.cells[c] for c in cells], "urgent": urgent,
        "language": "en", "translations": TRANSLATIONS})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def mails_about(sink, town, key, announcement_id):
    return [m for m in sink.to(town.emails[key])
            if m["X-Quartier-Announcement"] == announcement_id]


def deliveries(town, announcement_id):
    response = town.api.request(
        "GET", "/api/v1/city/announcements/%s/deliveries" % announcement_id, town.staff)
    return response


def pushes_sent(town, announcement_id):
    response = deliveries(town, announcement_id)  # 404 until the fan-out started
    return response.json()["deliveries"]["push"]["sent"] if response.status_code == 200 else 0


def wait_for_sent(town, announcement_id, count):
    def done():
        response = deliveries(town, announcement_id)
        return response.status_code == 200 and \
            response.json()["deliveries"]["email"]["sent"] == count
    wait_until(done, DELIVERY_DEADLINE)


def test_an_urgent_announcement_reaches_its_residents_in_their_language_and_nobody_else(
        town, sink):
    started = time.monotonic()
    announcement_id = announce(town, "Water cut")

    wait_until(lambda: len(mails_about(sink, town, "ana", announcement_id)) == 1
               and len(mails_about(sink, town, "dirk", announcement_id)) == 1,
               DELIVERY_DEADLINE)
    stack.record_timing("urgent announcement -> e-mails accepted by SMTP",
                        time.monotonic() - started)
    wait_for_sent(town, announcement_id, 2)

    ana = mails_about(sink, town, "ana", announcement_id)[0]
    dirk = mails_about(sink, town, "dirk", announcement_id)[0]
    assert ana["Subject"] == "Mensagem urgente do seu município: Corte de água"
    assert "A água será cortada" in ana.get_body(("plain",)).get_content()
    assert dirk["Subject"] == "Dringende Mitteilung Ihrer Gemeinde: Wasserabstellung"
    for message in (ana, dirk):
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"] and message["Date"]
    assert mails_about(sink, town, "zoe", announcement_id) == []
    progress = deliveries(town, announcement_id).json()
    assert progress["recipients"] == 2 and progress["batches"] == progress["batches_done"] == 1
    # A resident reads no delivery counts.
    assert deliveries(town, announcement_id).status_code == 200
    assert town.api.request("GET", "/api/v1/city/announcements/%s/deliveries"
                            % announcement_id, town.tokens["ana"]).status_code == 403


def test_the_one_click_link_stops_that_kind_for_its_reader_only(town, sink):
    first = announce(town, "Storm warning")
    wait_for_sent(town, first, 2)
    link = mails_about(sink, town, "dirk", first)[0]["List-Unsubscribe"].strip("<>")
    local = link.replace("http://127.0.0.1:8080", town.api.base_url)

    answered = requests.post(local, data="List-Unsubscribe=One-Click", timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"kind": "urgent_announcement", "channel": "email",
                               "subscribed": False}
    settings = town.api.request("GET", "/api/v1/me/notification-settings", town.tokens["dirk"])
    assert settings.json()["channels"]["urgent_announcement"]["email"] is False

    second = announce(town, "Storm warning, update")
    wait_for_sent(town, second, 1)
    assert len(mails_about(sink, town, "ana", second)) == 1
    assert mails_about(sink, town, "dirk", second) == []


def test_quiet_hours_do_not_hold_back_an_urgent_alert(town, sink):
    now = time.gmtime()
    start = "%02d:%02d" % (now.tm_hour, 0)
    end = "%02d:%02d" % ((now.tm_hour + 2) % 24, 0)
    quiet = town.api.request("PUT", "/api/v1/me/notification-settings", town.tokens["ana"],
                             json={"quiet_hours": {"start": start, "end": end}})
    assert quiet.status_code == 200, quiet.text

    announcement_id = announce(town, "Gas leak")
    wait_until(lambda: len(mails_about(sink, town, "ana", announcement_id)) == 1,
               DELIVERY_DEADLINE)


def test_an_ordinary_announcement_sends_no_email(town, sink):
    ordinary = announce(town, "Library hours", urgent=False)
    urgent = announce(town, "Boil your water")  # sent after it: once it is there, so is any other
    wait_for_sent(town, urgent, 1)

    assert deliveries(town, ordinary).status_code == 404
    assert mails_about(sink, town, "ana", ordinary) == []


def test_bad_settings_are_a_clear_400(town):
    refused = town.api.request("PUT", "/api/v1/me/notification-settings", town.tokens["zoe"],
                               json={"channels": {"urgent_announcement": {"fax": True}}})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid"


# -- password reset, end to end through the e-mail ---------------------------------------------

def reset_token_in(message):
    link = [line for line in message.get_body(("plain",)).get_content().splitlines()
            if "/reset-password?token=" in line][0].strip()
    return parse_qs(urlsplit(link).query)["token"][0]


def test_a_forgotten_password_is_reset_through_the_emailed_link_once(town, sink):
    api, email = town.api, town.emails["zoe"]
    login = api.request("POST", "/api/v1/auth/login",
                        json={"email": email, "password": stack.TOWN_PASSWORD})
    assert login.status_code == 200, login.text
    old_refresh, old_access = login.json()["refresh_token"], login.json()["access_token"]

    asked = api.request("POST", "/api/v1/auth/password-reset", json={"email": email.upper()})
    assert (asked.status_code, asked.json()) == (202, {})
    wait_until(lambda: any(m["Subject"] == "Réinitialiser votre mot de passe Quartier"
                           for m in sink.to(email)), DELIVERY_DEADLINE)
    message = [m for m in sink.to(email) if "mot de passe" in m["Subject"]][-1]
    assert message["Auto-Submitted"] == "auto-generated"
    token = reset_token_in(message)

    weak = api.request("POST", "/api/v1/auth/password-reset/confirm",
                       json={"token": token, "password": "short"})
    assert weak.status_code == 400  # and the link still works:
    new_password = "a brand new passphrase 2026"
    confirmed = api.request("POST", "/api/v1/auth/password-reset/confirm",
                            json={"token": token, "password": new_password})
    assert (confirmed.status_code, confirmed.json()) == (200, {"password_changed": True})

    again = api.request("POST", "/api/v1/auth/password-reset/confirm",
                        json={"token": token, "password": "yet another passphrase 2026"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid"
    assert api.request("POST", "/api/v1/auth/login", json={
        "email": email, "password": stack.TOWN_PASSWORD}).status_code == 401
    assert api.request("POST", "/api/v1/auth/refresh",
                       json={"refresh_token": old_refresh}).status_code == 401
    wait_until(lambda: api.request("GET", "/api/v1/me", old_access).status_code == 401, 20)
    relogin = api.request("POST", "/api/v1/auth/login",
                          json={"email": email, "password": new_password})
    assert relogin.status_code == 200, relogin.text
    town.tokens["zoe"] = relogin.json()["access_token"]


def test_an_unknown_address_gets_the_same_answer_and_no_email(town, sink):
    stranger = "nobody-%s@mail.example" % time.time_ns()
    asked = town.api.request("POST", "/api/v1/auth/password-reset", json={"email": stranger})
    assert (asked.status_code, asked.json()) == (202, {})
    known = town.api.request("POST", "/api/v1/auth/password-reset",
                             json={"email": town.emails["ana"]})
    assert (known.status_code, known.json()) == (202, {})
    # Ana's e-mail arrives; by then a stranger's would have too.
    wait_until(lambda: any("palavra-passe" in m["Subject"]
                           for m in sink.to(town.emails["ana"])), DELIVERY_DEADLINE)
    assert sink.to(stranger) == []


# -- Web Push ------------------------------------------------------------------------------------

def test_an_urgent_announcement_is_pushed_encrypted_in_each_language_and_nobody_else(
        town, pushes):
    assert town.api.request("GET", "/api/v1/push/public-key").json()["public_key"]
    for key in ("ana", "dirk", "zoe"):
        subscribe(town, pushes, key)
    announcement_id = announce(town, "Flood warning")

    def pushed(key):
        return [p for p in pushes.payloads(town.push_names[key])
                if p["url"].endswith(announcement_id)]
    wait_until(lambda: len(pushed("ana")) == 1 and len(pushed("dirk")) == 1,
               DELIVERY_DEADLINE)
    assert pushed("ana")[0]["title"] == "Corte de água"
    assert pushed("dirk")[0]["title"] == "Wasserabstellung"
    assert pushed("ana")[0]["kind"] == "urgent_announcement"
    wait_until(lambda: pushes_sent(town, announcement_id) == 2, DELIVERY_DEADLINE)
    assert pushed("zoe") == []


def test_an_expired_subscription_is_dropped(town, pushes):
    subscription_id = subscribe(town, pushes, "ana")
    pushes.gone.add(town.push_names["ana"])
    first = announce(town, "Heat wave")
    wait_until(lambda: pushes_sent(town, first) >= 1, DELIVERY_DEADLINE)  # Dirk's
    wait_until(lambda: town.api.request(
        "DELETE", "/api/v1/me/push-subscriptions/%s" % subscription_id,
        town.tokens["ana"]).status_code == 404, DELIVERY_DEADLINE)


def test_a_push_endpoint_inside_the_network_is_refused_without_the_test_setting(town):
    # This platform allows http and private endpoints (explicitly, for its local endpoint);
    # the production rule is in tests/security and tests/unit. Here: malformed keys.
    bad = town.api.request("POST", "/api/v1/me/push-subscriptions", town.tokens["zoe"], json={
        "endpoint": "https://push.example.org/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]) == {"keys.p256dh", "keys.auth"}
