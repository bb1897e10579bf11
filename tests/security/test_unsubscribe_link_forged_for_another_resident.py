"""Abuse: the one-click unsubscribe link needs no session, so a resident who received one could
edit it to name a neighbour (their id is in every post they write) and silence the city's urgent
alerts to them.

Defence: the link's token is the person and the kind under an HMAC only the notification service
knows; a token whose person, kind or signature was changed is refused (400), the same answer for
every forgery, and changes nothing. Here on the shared platform, which writes its e-mails as .eml
files (no SMTP_URL) into its var/mail."""
import base64
import email
import email.policy
import glob
import os

import pytest

from tests.e2e.stack import build_town, wait_until

pytestmark = pytest.mark.timeout(300)

UNSUBSCRIBE = "/api/v1/notifications/unsubscribe"


def mails_of(mail_dir, address):
    found = []
    for path in glob.glob(os.path.join(mail_dir, "*.eml")):
        with open(path, "rb") as handle:
            message = email.message_from_binary_file(handle, policy=email.policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_a_link_edited_to_name_a_neighbour_is_refused(healthy_platform):
    town = build_town(healthy_platform.platform, "unsubscribe", 1, 1, {
        "mallory": ((0, 0), "Rue Haute", "Mallory Meyer"),
        "victor": ((0, 0), "Rue Basse", "Victor Vogel"),
    })
    api = town.api
    mallory_email = api.request("GET", "/api/v1/me", town.tokens["mallory"]).json()["email"]
    created = api.request("POST", "/api/v1/city/announcements", town.staff, json={
        "title": "Storm", "body": "Stay inside.", "urgent": True,
        "neighbourhood_ids": [town.cells["r0c0"]]})
    assert created.status_code == 201, created.text
    mail_dir = os.path.join(healthy_platform.platform.var_dir, "mail")
    _, mails = wait_until(lambda: mails_of(mail_dir, mallory_email), 60)
    token = mails[0]["List-Unsubscribe"].strip("<>").split("token=")[1]
    message, signature = token.split(".")
    victor = town.users["victor"]

    forgeries = [
        b64("%s|urgent_announcement" % victor) + "." + signature,  # someone else, same MAC
        b64("%s|urgent_announcement" % victor) + "." + b64("x" * 24),  # made-up MAC
        message + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),
        b64("%s|announcement" % town.users["mallory"]) + "." + signature,  # another kind
        token + ".",
    ]
    for forged in forgeries:
        refused = api.request("POST", UNSUBSCRIBE, params={"token": forged})
        assert refused.status_code == 400, (forged, refused.text)
        assert refused.json()["error"]["code"] == "invalid"

    settings = api.request("GET", "/api/v1/me/notification-settings", town.tokens["victor"])
    assert settings.json()["channels"]["urgent_announcement"]["email"] is True
    # The genuine link works, for its own reader only.
    genuine = api.request("POST", UNSUBSCRIBE, params={"token": token})
    assert genuine.status_code == 200, genuine.text
    mine = api.request("GET", "/api/v1/me/notification-settings", town.tokens["mallory"])
    assert mine.json()["channels"]["urgent_announcement"]["email"] is False
