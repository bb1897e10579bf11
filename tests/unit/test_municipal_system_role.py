"""The `municipal_system` role (a municipality's own systems over gRPC, by API key) in the owning
services' authorization: accepted where city staff are for the register, letters, announcements,
statistics, results and incidents of its own municipality; never a resident, never in chats or
neighbour lists, never running surveys or managing keys."""
import pytest

from contracts import errors
from contracts.caller import MUNICIPAL_SYSTEM, Caller
from contracts.errors import DomainError
from services.feed import chat as feed_chat
from services.feed import domain as feed
from services.identity import addresses, api_keys, invitations
from services.identity import domain as identity
from services.neighbourhood import domain as neighbourhood
from services.neighbourhood.domain import Neighbourhood
from services.participation import domain as participation

SYSTEM_OF_MONS = Caller(user_id="apikey:0123456789abcdef", role=MUNICIPAL_SYSTEM,
                        municipality_id="mons")


def refused(check, *args):
    with pytest.raises(DomainError) as raised:
        check(*args)
    return raised.value.code


def test_identity_lets_it_import_the_register_and_issue_letters_of_its_own_municipality():
    addresses.authorize_import(SYSTEM_OF_MONS, "mons")
    invitations.authorize_issuer(SYSTEM_OF_MONS, "mons")
    identity.authorize_statistics(SYSTEM_OF_MONS, "mons")
    assert refused(addresses.authorize_import, SYSTEM_OF_MONS, "lux") == errors.FORBIDDEN
    assert refused(invitations.authorize_issuer, SYSTEM_OF_MONS, "lux") == errors.FORBIDDEN
    assert refused(identity.authorize_statistics, SYSTEM_OF_MONS, "lux") == errors.FORBIDDEN
    # Keys are the admins' business: a key cannot make or revoke keys.
    assert refused(api_keys.authorize_manager, SYSTEM_OF_MONS, "mons") == errors.FORBIDDEN


def test_the_feed_lets_it_announce_and_count_but_not_post_or_chat():
    feed.require_announcer(SYSTEM_OF_MONS)
    feed.require_statistics_reader(SYSTEM_OF_MONS, "mons")
    assert refused(feed.require_statistics_reader, SYSTEM_OF_MONS, "lux") == errors.FORBIDDEN
    assert refused(feed.require_resident, SYSTEM_OF_MONS) == errors.FORBIDDEN
    assert refused(feed_chat.require_chatter, SYSTEM_OF_MONS) == errors.FORBIDDEN
    # It speaks as the municipality, like staff.
    assert feed.author_view("apikey:x", MUNICIPAL_SYSTEM, None, None, SYSTEM_OF_MONS,
                            "Mons")["city"] is True


def test_the_neighbourhood_service_shows_it_its_municipality_in_counts_only():
    assert neighbourhood.municipality_of(SYSTEM_OF_MONS) == "mons"
    assert refused(neighbourhood.municipality_of, SYSTEM_OF_MONS, "lux") == errors.NOT_FOUND
    centre = Neighbourhood(id="n1", municipality_id="mons", key="c", name="Centre", code="c",
                           geometry={"type": "Polygon", "coordinates": []})
    elsewhere = Neighbourhood(id="n9", municipality_id="lux", key="x", name="X", code="x",
                              geometry={"type": "Polygon", "coordinates": []})
    assert neighbourhood.can_see(SYSTEM_OF_MONS, centre, None, ())
    assert not neighbourhood.can_see(SYSTEM_OF_MONS, elsewhere, None, ())
    assert refused(neighbourhood.require_member_list_access, SYSTEM_OF_MONS, centre, None,
                   ()) == errors.FORBIDDEN


def test_participation_lets_it_read_results_and_move_incidents_but_not_run_surveys():
    assert participation.require_city_reader(SYSTEM_OF_MONS) == "mons"
    assert participation.require_incident_handler(SYSTEM_OF_MONS) == "mons"
    assert refused(participation.require_city_reader, SYSTEM_OF_MONS, "lux") == errors.NOT_FOUND
    assert refused(participation.require_staff, SYSTEM_OF_MONS) == errors.FORBIDDEN
    assert refused(participation.require_resident, SYSTEM_OF_MONS) == errors.FORBIDDEN
