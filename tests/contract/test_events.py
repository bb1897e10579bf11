"""Rule 2 of tests/contract/checks.py: handlers subscribe to declared events, dispatches name
events through contracts constants."""
import textwrap

from nameko.events import BROADCAST, EventDispatcher, event_handler

from contracts import events, services
from servicekit.nameko_extensions import QuartierService
from tests.contract import checks


def test_every_service_handles_only_declared_events():
    classes = checks.load_service_classes()

    assert set(classes) == set(services.ALL)
    for service_cls in classes.values():
        assert [str(v) for v in checks.event_handler_violations(service_cls)] == []


def test_services_dispatch_and_reference_only_declared_events():
    assert [str(v) for v in checks.service_code_violations(checks.load_service_classes())] == []


class ListensToDeclaredEvents(QuartierService):
    name = services.FEED

    @event_handler(events.USER_ERASED.source, events.USER_ERASED.name)
    def forget_author(self, payload):
        pass

    @event_handler(events.CONTENT_HIDDEN.source, events.CONTENT_HIDDEN.name,
                   handler_type=BROADCAST, reliable_delivery=False)
    def drop_from_cache(self, payload):
        pass


class ListensToUndeclaredEvents(QuartierService):
    name = services.FEED

    @event_handler(services.IDENTITY, "user_renamed")  # no such event
    def rename_author(self, payload):
        pass

    @event_handler(services.FEED, events.USER_ERASED.name)  # declared name, wrong source
    def forget_author(self, payload):
        pass


def test_declared_subscriptions_pass():
    assert checks.event_handler_violations(ListensToDeclaredEvents) == []


def test_undeclared_event_or_wrong_source_is_refused():
    problems = checks.event_handler_violations(ListensToUndeclaredEvents)

    assert sorted(str(v) for v in problems) == [
        "ListensToUndeclaredEvents.forget_author: handles undeclared event feed.user_erased "
        "(declare it in contracts.events)",
        "ListensToUndeclaredEvents.rename_author: handles undeclared event identity.user_renamed "
        "(declare it in contracts.events)",
    ]


def test_inherited_handlers_are_checked_too():
    class Subclass(ListensToUndeclaredEvents):
        pass

    assert len(checks.event_handler_violations(Subclass)) == 2


class Dispatches(QuartierService):
    name = services.FEED
    publish = EventDispatcher()


def dispatch_problems(body):
    source = textwrap.dedent("""\
        from contracts import events
        from contracts.events import POST_CREATED
        import contracts.events

        class Dispatches:
            def create(self, post, event):
        """) + textwrap.indent(textwrap.dedent(body), " " * 8)
    return checks.dispatch_violations(Dispatches, source, "services/feed/service.py",
                                      "services.feed.service")


def test_dispatching_own_events_through_constants_passes():
    assert dispatch_problems("""\
        self.publish(events.POST_CREATED.name, {})
        self.publish(POST_CREATED.name, {})
        self.publish(contracts.events.COMMENT_CREATED.name, {})
        self.publish(event.name, {})  # a value the domain returned
        """) == []


def test_dispatching_an_event_named_by_a_string_is_refused():
    problems = dispatch_problems("""\
        self.publish("post_created", {})
        self.publish("post_" + "created", {})
        self.publish(f"{post}_created", {})
        """)

    assert len(problems) == 3
    assert all("string" in p.message for p in problems)


def test_dispatching_another_services_event_is_refused():
    problems = dispatch_problems("self.publish(events.USER_ERASED.name, {})\n")

    assert [p.message for p in problems] == [
        "feed dispatches identity.user_erased, an event of another service"]


def test_referencing_an_undeclared_event_constant_is_refused():
    source = "from contracts import events\n\nTOPIC = events.POST_PUBLISHED\n"

    problems = checks.contract_reference_violations(source, "services/feed/domain.py",
                                                    "services.feed.domain")

    assert [p.message for p in problems] == [
        "contracts.events.POST_PUBLISHED: contracts.events has no POST_PUBLISHED"]
