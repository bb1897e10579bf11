"""The moderation repository contract, on every adapter through the shared `store` fixture."""
from dataclasses import replace

import pytest

from contracts.caller import Caller
from servicekit.store import repository_for
from services.moderation import domain
from services.moderation.repository import MongoModeration, SqliteModeration

MOD = Caller(user_id="mod", role="moderator", municipality_id="A")


@pytest.fixture
def repo(store):
    return repository_for(store, SqliteModeration, MongoModeration)


def case(content_id, at, municipality="A", sources=("held",)):
    return domain.Case(id=domain.case_id("post", content_id), municipality_id=municipality,
                       neighbourhood_id="n1", content_kind="post", content_id=content_id,
                       post_id="", author_id="u1", text="t", sources=sources,
                       opened_at=at, updated_at=at)


def test_rules_per_municipality_in_creation_order_and_deleted_by_their_municipality(repo):
    rules = [domain.new_rule(MOD, "A", {"pattern": "w%d" % i, "action": "flag"}, 0,
                             "2026-11-22T12:00:0%d.000000Z" % i) for i in range(3)]
    for r in rules:
        repo.add_rule(r)
    repo.add_rule(domain.new_rule(MOD, "B", {"pattern": "b", "action": "flag"}, 0, "x"))
    assert [r.pattern for r in repo.rules_of("A")] == ["w0", "w1", "w2"]
    assert [r.pattern for r in repo.rules_of("A", after=(rules[0].created_at, rules[0].id),
                                             limit=1)] == ["w1"]
    assert repo.count_rules("A") == 3
    assert not repo.delete_rule("B", rules[0].id)
    assert repo.delete_rule("A", rules[0].id)
    assert repo.count_rules("A") == 2


def test_report_threshold_defaults_to_three(repo):
    assert repo.report_threshold("A") == 3
    repo.set_report_threshold("A", 5)
    repo.set_report_threshold("A", 4)
    assert repo.report_threshold("A") == 4 and repo.report_threshold("B") == 3


def test_one_case_per_content_changed_by_compare_and_set(repo):
    first = case("p1", "2026-11-22T12:00:00.000000Z")
    assert repo.add_case(first)
    assert not repo.add_case(first)
    moved = replace(first, status="decided", updated_at="2026-11-22T12:01:00.000000Z")
    assert repo.replace_case(moved, first.updated_at)
    stale = replace(first, status="decided", updated_at="2026-11-22T12:02:00.000000Z")
    assert not repo.replace_case(stale, first.updated_at)
    assert repo.get_case(first.id).updated_at == moved.updated_at


def test_queue_is_per_municipality_newest_first_with_filters_and_cursor(repo):
    for i in range(4):
        repo.add_case(case("p%d" % i, "2026-11-22T12:00:0%d.000000Z" % i,
                           sources=("held",) if i % 2 else ("reported", "auto_hidden")))
    repo.add_case(case("x", "2026-11-22T12:00:09.000000Z", municipality="B"))
    page = repo.queue("A", limit=2)
    assert [c.content_id for c in page] == ["p3", "p2"]
    rest = repo.queue("A", before=(page[-1].opened_at, page[-1].id), limit=5)
    assert [c.content_id for c in rest] == ["p1", "p0"]
    assert [c.content_id for c in repo.queue("A", source="auto_hidden")] == ["p2", "p0"]
    assert repo.queue("A", status="decided") == []


def test_reports_count_distinct_households(repo):
    assert repo.add_report("post_p1", "h1", "u1", "spam_commercial", "t")
    assert repo.add_report("post_p1", "h1", "u2", "offensive", "t")
    assert not repo.add_report("post_p1", "h1", "u2", "offensive", "t")
    repo.add_report("post_p1", "h2", "u3", "spam_commercial", "t")
    assert repo.report_summary("post_p1") == (2, {"spam_commercial": 2, "offensive": 1})


def test_audit_newest_first_per_municipality_and_case(repo):
    c = case("p1", "t")
    for i in range(3):
        repo.add_audit(domain.audit_entry(c, "mod", "a%d" % i, "why",
                                          "2026-11-22T12:00:0%d.000000Z" % i))
    repo.add_audit(domain.audit_entry(case("q", "t", municipality="B"), "m", "b", "w", "z"))
    page = repo.audit_page("A", limit=2)
    assert [e["action"] for e in page] == ["a2", "a1"]
    assert [e["action"] for e in repo.audit_page("A", before=(page[-1]["at"], page[-1]["id"]))] \
        == ["a0"]
    assert len(repo.audit_page("A", case_id="post_p1")) == 3
    assert repo.audit_page("A", case_id="post_other") == []


def test_erasure_forgets_the_author_s_texts(repo):
    repo.remember_text("post_p1", "u1", "hello", "t")
    repo.add_case(case("p1", "t"))
    repo.erase_user("u1", "erased-x")
    assert repo.screened_text("post_p1") == ""
    assert repo.get_case("post_p1").text == ""


def test_erasure_takes_the_author_s_words_quoted_in_screening_reasons(repo):
    reasons = ("reads as advertising (0.97): 'estimation gratuite chez Zorglub'",
               'a price together with sales words ("35 €", "promo")')
    held = replace(case("p1", "t"), reasons=reasons)
    repo.add_case(held)
    repo.add_audit(domain.audit_entry(held, "system", "screening:hold", "; ".join(reasons), "t1"))

    repo.erase_user("u1", "erased-x")

    kept = repo.get_case("post_p1")
    assert list(kept.reasons) == ["reads as advertising (0.97)",
                                  "a price together with sales words"]
    [entry] = repo.audit_page("A")
    assert entry["reason"] == "reads as advertising (0.97); a price together with sales words"
    assert "Zorglub" not in repr(kept.to_dict()) + repr(entry) and "35" not in entry["reason"]


def test_erasure_keeps_decisions_and_reports_counted_under_a_pseudonym(repo):
    appealed = replace(
        case("p1", "t"), decision={"decision": "remove", "reason": "ads", "by": "m1", "at": "t"},
        appeal={"reason": "it was jam, u1 here", "by": "u1", "at": "t"})
    repo.add_case(appealed)
    repo.add_audit(domain.audit_entry(appealed, "m1", "decision:remove", "ads", "t1"))
    repo.add_audit(domain.audit_entry(appealed, "u1", "appeal", "it was jam, u1 here", "t2"))
    repo.add_report("post_p1", "h-u1", "u1", "offensive", "t")
    repo.add_report("post_p1", "user:u1", "u1", "spam_commercial", "t")
    repo.add_report("post_p1", "h2", "u2", "offensive", "t")

    repo.erase_user("u1", "erased-x")
    repo.erase_user("u1", "erased-y")  # a replay finds nothing left to change

    kept = repo.get_case("post_p1")
    assert kept.author_id == "erased-x" and kept.text == ""
    assert kept.decision == {"decision": "remove", "reason": "ads", "by": "m1", "at": "t"}
    assert kept.appeal == {"reason": "", "by": "erased-x", "at": "t"}
    audit = repo.audit_page("A")
    assert [(e["actor"], e["author_id"], e["reason"]) for e in audit] == [
        ("erased-x", "erased-x", ""), ("m1", "erased-x", "ads")]
    assert repo.report_summary("post_p1") == (3, {"offensive": 2, "spam_commercial": 1})
    assert "u1" not in repr(audit) + repr(kept.to_dict())
