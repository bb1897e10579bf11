"""Rule 5 of tests/contract/checks.py: service, event and method names come from contracts."""
import importlib

from contracts import events, rpc, services
from contracts.events import EventType
from contracts.rpc import RpcMethod
from servicekit.nameko_extensions import QuartierService
from tests.contract import checks


def real_service_classes():
    return {
        package: checks.nameko_service_classes(
            importlib.import_module("services.%s.service" % package))
        for package in checks.service_packages()
    }


def test_service_classes_are_named_by_contracts_and_live_in_their_package():
    assert [str(v) for v in checks.service_name_violations(real_service_classes())] == []


def test_declared_events_and_methods_belong_to_declared_services():
    problems = checks.declaration_violations(events.declared_events(), rpc.declared_methods(),
                                             rpc.HEALTH)

    assert [str(v) for v in problems] == []


class Billing(QuartierService):
    name = "billing"


class MisplacedFeed(QuartierService):
    name = services.FEED


def test_a_service_name_not_in_contracts_is_refused():
    problems = checks.service_name_violations(
        {"billing": [Billing]}, known_services=("billing_v2",))

    assert [p.message for p in problems] == [
        "service name 'billing' is not declared in contracts.services",
        "service 'billing_v2' is declared but services/billing_v2/service.py does not exist",
    ]


def test_a_service_in_the_wrong_package_or_a_package_without_one_is_refused():
    problems = checks.service_name_violations(
        {"identity": [MisplacedFeed], "feed": []},
        known_services=(services.IDENTITY, services.FEED))

    assert sorted(str(p) for p in problems) == [
        "services/feed/service.py: defines no nameko service class",
        "services/identity/service.py:MisplacedFeed: service name 'feed' differs from its "
        "package 'identity'",
    ]


def test_events_and_methods_of_unknown_services_or_declared_twice_are_refused():
    known_events = {events.POST_CREATED}
    bad_events = known_events | {
        EventType("billing", "invoice_sent"),
        EventType(services.FEED, "PostCreated"),
        EventType(services.FEED, "post_created", frozenset({"other"})),  # same pair, new fields
    }
    bad_methods = {rpc.identity.GET_MUNICIPALITY, RpcMethod("billing", "charge")}
    health = {services.IDENTITY: rpc.identity.HEALTH}  # the other services are missing

    problems = checks.declaration_violations(bad_events, bad_methods, health,
                                             known_services=(services.IDENTITY, services.FEED))

    assert sorted(p.message for p in problems) == sorted([
        "event invoice_sent has unknown source 'billing'",
        "event name 'PostCreated' is not snake_case",
        "event feed.post_created is declared twice with different fields",
        "billing.charge belongs to unknown service 'billing'",
        "HEALTH covers ['identity'], not every service",
        "HEALTH['identity'] = identity.health is not declared in a namespace",
    ])
