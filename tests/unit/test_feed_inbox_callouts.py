"""A city call-out becomes one inbox entry per invited helper, keyed so a redelivery adds none."""
from contracts import events
from services.feed import inbox


def issued(helper_ids):
    return events.CALLOUT_ISSUED.payload(
        "callout_issued:c1", callout_id="c1", municipality_id="m1", neighbourhood_id="n1",
        skill="gardening", skill_label="Gardening", message="Planting day",
        helper_ids=helper_ids)


def test_each_invited_helper_gets_one_entry_naming_the_callout():
    made = inbox.callouts(issued(["u1", "u2", "u1", ""]), "2026-11-22T04:00:00Z")
    assert [(n.user_id, n.kind, n.key) for n in made] == [
        ("u1", inbox.CALLOUT, "callout:c1"), ("u2", inbox.CALLOUT, "callout:c1")]
    assert made[0].data == {"callout_id": "c1", "neighbourhood_id": "n1", "skill": "gardening",
                            "skill_label": "Gardening", "message": "Planting day"}


def test_nobody_invited_means_no_entry():
    assert inbox.callouts(issued([]), "2026-11-22T04:00:00Z") == []
