"""Feed's pure rules: post types and limits, audience, who reads what, author names, edits,
announcements and translations."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts import errors
from contracts.caller import CITY_STAFF, RESIDENT, Caller
from contracts.errors import DomainError
from services.feed import domain

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
MARIE = Caller(user_id="u1", role=RESIDENT, municipality_id="m1", neighbourhood_id="n1",
               household_id="h1")
PAUL = Caller(user_id="u2", role=RESIDENT, municipality_id="m1", neighbourhood_id="n2")
STAFF = Caller(user_id="s1", role=CITY_STAFF, municipality_id="m1")


def post_by(caller=MARIE, visible=("n1", "n2"), **request):
    request = dict({"category": "message", "title": "Hello", "body": "Hi all"}, **request)
    return domain.new_post(caller, request, list(visible), NOW)


def problems(call):
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.code == errors.INVALID
    return raised.value.details


@pytest.mark.parametrize("request_fields, details", [
    ({"category": "classified", "kind": "give"}, {"kind": "give"}),
    ({"category": "pet", "pet_status": "lost", "animal": "cat"},
     {"pet_status": "lost", "animal": "cat"}),
    ({"category": "help"}, {"solved": False}),
    ({"category": "event", "starts_at": "2026-12-01T18:00:00+01:00", "place": "Hall"},
     {"starts_at": "2026-12-01T17:00:00.000000Z", "place": "Hall"}),
    ({"category": "recommendation"}, {}),
    ({"category": "safety"}, {}),
])
def test_each_type_keeps_its_own_fields(request_fields, details):
    assert post_by(**request_fields).details == details


def test_every_problem_of_a_post_is_named_at_once():
    found = problems(lambda: post_by(category="classified", title=" ", body="x" * 5001,
                                     colour="red"))

    assert set(found) == {"title", "body", "kind", "colour"}
    assert set(problems(lambda: post_by(category="advert"))) == {"category"}


def test_the_audience_is_home_or_home_and_followed():
    assert post_by().audience == ("n1",)
    assert post_by(audience="home_and_followed").audience == ("n1", "n2")
    assert post_by(audience=["n2", "n1"]).audience == ("n1", "n2")
    assert "audience" in problems(lambda: post_by(audience=["n1", "n9"]))
    assert "audience" in problems(lambda: post_by(audience=["n2"]))


def test_the_city_announces_instead_of_posting():
    with pytest.raises(DomainError) as raised:
        post_by(caller=STAFF)
    assert raised.value.code == errors.FORBIDDEN


def test_readers_see_posts_to_their_neighbourhoods_and_the_city_only_shared_ones():
    post = post_by()
    now = domain.timestamp(NOW + timedelta(seconds=1))

    assert domain.may_read(PAUL, post, ["n2", "n1"], now)
    assert not domain.may_read(PAUL, post, ["n2"], now)
    assert not domain.may_read(STAFF, post, [], now)
    assert domain.may_read(STAFF, domain.Post.from_dict(
        dict(post.to_dict(), shared_with_city=True)), [], now)
    assert not domain.may_read(Caller(user_id="s9", role=CITY_STAFF, municipality_id="m2"),
                               domain.Post.from_dict(dict(post.to_dict(), shared_with_city=True)),
                               [], now)


def test_authors_outside_their_neighbourhood_show_as_first_name_and_initial():
    post = post_by()
    authors = {"u1": domain.Author("u1", "m1", "n1", RESIDENT, "Marie Dupont")}
    neighbour = Caller(user_id="u3", role=RESIDENT, neighbourhood_id="n1")

    assert domain.present_post(post, neighbour, authors)["author"]["name"] == "Marie Dupont"
    assert domain.present_post(post, PAUL, authors)["author"]["name"] == "Marie D."
    assert domain.present_post(post, STAFF, authors)["author"]["name"] == "Marie D."
    assert domain.present_post(post, PAUL, {})["author"]["name"] == domain.UNKNOWN_AUTHOR
    assert "shared_with_city" not in domain.present_post(post, PAUL, authors)
    news = domain.new_announcement(STAFF, {"title": "t", "body": "b", "neighbourhood_ids": "all"},
                                   ["n1"], NOW)
    assert domain.present_post(news, MARIE, {}, city_names={"m1": "Testville"})["author"] == {
        "id": "s1", "name": "Testville", "city": True}


def test_only_the_author_edits_and_only_a_help_request_is_solved():
    help_request = post_by(category="help")
    solved = domain.edit_post(MARIE, help_request, {"solved": True, "title": "Found it"}, NOW)

    assert (solved.details["solved"], solved.title) == (True, "Found it")
    with pytest.raises(DomainError) as raised:
        domain.edit_post(PAUL, help_request, {"solved": True}, NOW)
    assert raised.value.code == errors.FORBIDDEN
    assert "solved" in problems(lambda: domain.edit_post(MARIE, post_by(), {"solved": True}, NOW))
    assert "category" in problems(lambda: domain.edit_post(MARIE, post_by(),
                                                           {"category": "pet"}, NOW))


def announcement(**request):
    request = dict({"title": "Works", "body": "Road closed", "neighbourhood_ids": ["n1"]},
                   **request)
    return domain.new_announcement(STAFF, request, ["n1", "n2", "n3"], NOW)


def test_announcements_go_to_chosen_or_all_neighbourhoods_and_may_wait():
    later = announcement(neighbourhood_ids="all", publish_at="2026-11-23T08:00:00+01:00",
                         urgent=True)

    assert later.audience == ("n1", "n2", "n3") and later.urgent
    assert later.published_at == "2026-11-23T07:00:00.000000Z"
    assert not domain.may_read(MARIE, later, ["n1"], domain.timestamp(NOW))
    assert domain.may_read(MARIE, later, ["n1"], "2026-11-23T07:00:00.000000Z")
    assert "neighbourhood_ids" in problems(lambda: announcement(neighbourhood_ids=["n1", "x"]))
    assert "publish_at" in problems(lambda: announcement(publish_at="tomorrow"))
    # A publication time in the past publishes now.
    assert announcement(publish_at="2020-01-01T00:00:00Z").published_at == domain.timestamp(NOW)


def test_translations_are_the_authors_own_or_none():
    post = announcement(language="fr", translations={"de": {"title": "Arbeiten",
                                                            "body": "Straße gesperrt"}})

    assert domain.translation(post, "de") == {
        "post_id": post.id, "lang": "de", "title": "Arbeiten", "body": "Straße gesperrt",
        "machine": False, "source": "fr",
        "original": {"lang": "fr", "title": post.title, "body": post.body}}
    assert domain.translation(post, "fr")["body"] == "Road closed"
    assert domain.translation(post, "en") is None
    assert "translations.xx" in problems(lambda: announcement(
        translations={"xx": {"title": "t", "body": "b"}}))


def test_a_cursor_holds_an_instant_and_an_id():
    assert domain.check_position(["2026-11-22T12:00:00.000000Z", "p1"]) == (
        "2026-11-22T12:00:00.000000Z", "p1")
    for bad in ([1, 2], ["a"], "x", [None, "p"]):
        with pytest.raises(DomainError):
            domain.check_position(bad)


def test_events_carry_what_consumers_need():
    post = post_by(audience="home_and_followed")
    _, created = domain.post_created(post)
    comment = domain.new_comment(PAUL, post, "Thanks!", NOW)
    _, commented = domain.comment_created(comment, post)

    assert created["neighbourhood_ids"] == ["n1", "n2"] and created["category"] == "message"
    assert commented["post_author_id"] == "u1" and commented["event_id"].endswith(comment.id)


def test_sharing_a_post_does_not_share_the_comments_under_it():
    shared = domain.Post.from_dict(dict(post_by().to_dict(), shared_with_city=True))
    news = domain.new_announcement(STAFF, {"title": "t", "body": "b", "neighbourhood_ids": "all"},
                                   ["n1"], NOW)

    with pytest.raises(DomainError) as raised:
        domain.require_comment_reader(STAFF, shared)
    assert raised.value.code == errors.FORBIDDEN
    domain.require_comment_reader(STAFF, news)
    domain.require_comment_reader(PAUL, shared)


def test_statistics_hide_small_counts_and_a_second_cell_beside_a_lone_one():
    counts = {"neighbourhoods": {"n1": {"posts": 40, "comments": 3, "reactions": 0},
                                 "n2": {"posts": 2, "comments": 50, "reactions": 0},
                                 "n3": {"posts": 15, "comments": 60, "reactions": 0}},
              "weeks": {"2026-W01": {"posts": 57, "comments": 113, "reactions": 0}},
              "categories": {"general": 50, "lost_found": 7}}

    view = domain.statistics_view(counts, 10)

    hoods = view["neighbourhoods"]
    assert (hoods["n1"]["posts"], hoods["n2"]["posts"], hoods["n3"]["posts"]) == (40, None, None)
    assert (hoods["n1"]["comments"], hoods["n2"]["comments"], hoods["n3"]["comments"]) == (
        None, None, 60)
    assert hoods["n2"]["suppressed"] == ["posts", "comments"] and "suppressed" not in \
        view["weeks"]["2026-W01"]
    # A lone category would come back as the total minus the other: both are hidden.
    assert view["categories"] == {"general": None, "lost_found": None}
    assert view["categories_suppressed"] == ["general", "lost_found"]
    assert counts["neighbourhoods"]["n2"]["posts"] == 2  # the input is left as it was
