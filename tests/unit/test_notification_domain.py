"""Notification's pure rules: settings and their validation, quiet hours (the urgent alert
passes them), batches, signed unsubscribe links, and the e-mail itself."""
from datetime import datetime, timezone

import pytest

from contracts.errors import DomainError
from services.notification import domain, messages, push

SECRET = b"k" * 32


def test_defaults_send_everything_but_chat_by_email():
    settings = domain.default_settings()
    assert settings["channels"]["urgent_announcement"] == {
        "in_app": True, "email": True, "push": True}
    assert settings["channels"]["chat_message"]["email"] is False
    assert settings["digest"] == "none" and settings["quiet_hours"] is None


def test_a_change_names_only_what_changes():
    request = domain.check_settings({"channels": {"reply": {"email": False}},
                                     "quiet_hours": {"start": "22:00", "end": "07:00"}})
    settings = domain.apply_settings(None, request)
    assert settings["channels"]["reply"] == {"in_app": True, "email": False, "push": True}
    assert settings["quiet_hours"] == {"start": "22:00", "end": "07:00",
                                       "utc_offset_minutes": 0}


@pytest.mark.parametrize("bad", [
    {"channels": {"spam": {"email": True}}}, {"channels": {"reply": {"fax": True}}},
    {"channels": {"reply": {"email": "yes"}}}, {"digest": "hourly"},
    {"quiet_hours": {"start": "25:00", "end": "07:00"}}, {"colour": "blue"}, [],
])
def test_bad_settings_are_refused_with_the_field(bad):
    with pytest.raises(DomainError) as refused:
        domain.check_settings(bad)
    assert refused.value.code == "invalid"


def test_quiet_hours_hold_back_all_but_the_urgent_alert():
    settings = domain.apply_settings(None, {"quiet_hours": {
        "start": "22:00", "end": "07:00", "utc_offset_minutes": 60}})
    night = datetime(2026, 12, 7, 23, 30, tzinfo=timezone.utc)  # 00:30 local
    day = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)

    assert domain.wants(settings, "urgent_announcement", "email", night) is True
    assert domain.wants(settings, "announcement", "email", night) is False
    assert domain.wants(settings, "announcement", "email", day) is True


def test_a_city_is_split_into_batches_with_their_own_keys():
    queued = domain.batch_events("a1", "m1", ["u%05d" % i for i in range(1201)], size=500)
    assert [len(payload["user_ids"]) for _, payload in queued] == [500, 500, 201]
    assert len({payload["event_id"] for _, payload in queued}) == 3


def test_an_unsubscribe_link_names_one_person_and_cannot_be_turned_to_another():
    token = domain.unsubscribe_token(SECRET, "u1", "announcement")
    assert domain.read_unsubscribe_token(SECRET, token) == ("u1", "announcement")
    forged = domain.unsubscribe_token(b"x" * 32, "u2", "announcement")
    swapped = forged.split(".")[0] + "." + token.split(".")[1]
    for bad in (forged, swapped, token + "x", "", "a.b.c", None):
        with pytest.raises(DomainError):
            domain.read_unsubscribe_token(SECRET, bad)


def test_the_email_is_escaped_localised_and_carries_one_click_unsubscribe():
    message = messages.announcement_mail(
        "Quartier <noreply@q.test>", "ana@example.org", "pt", "urgent_announcement",
        "Água\ncortada <b>", "Sem água <script>x</script>", "https://q.test/u?token=t",
        "q.test")
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert message["Subject"].startswith("Mensagem urgente do seu município: Água cortada")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    assert messages.phrases("tr") == messages.PHRASES["en"]


@pytest.mark.parametrize("endpoint", [
    "http://push.example.org/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
    "https://[::1]/x", "https://169.254.169.254/x", "https://localhost/x", "https://rabbitmq/x",
    "https://u:p@push.example.org/x", "ftp://push.example.org/x", "", None, "https://" + "a" * 1000,
])
def test_a_push_endpoint_must_be_https_on_a_public_host(endpoint):
    with pytest.raises(DomainError):
        push.check_endpoint(endpoint, allow_private=False)


def test_tests_may_allow_a_local_push_endpoint_explicitly():
    assert push.check_endpoint("http://127.0.0.1:8123/push/a", allow_private=True)
    assert push.check_endpoint("https://fcm.googleapis.com/fcm/send/abc", allow_private=False)
