"""Every service starts on a real broker and answers `health` over RPC."""
import os

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from contracts import services
from servicekit import VERSION
from services.feed.service import FeedService
from services.identity.service import IdentityService
from services.moderation.service import ModerationService
from services.neighbourhood.service import NeighbourhoodService
from services.notification.service import NotificationService
from services.participation.service import ParticipationService
from services.translation.service import TranslationService
from tests.integration.helpers import RPC_TIMEOUT

SERVICE_CLASSES = {
    services.IDENTITY: IdentityService,
    services.NEIGHBOURHOOD: NeighbourhoodService,
    services.FEED: FeedService,
    services.TRANSLATION: TranslationService,
    services.MODERATION: ModerationService,
    services.PARTICIPATION: ParticipationService,
    services.NOTIFICATION: NotificationService,
}


def assert_healthy(report, service):
    assert report["service"] == service
    assert report["status"] == "ok"
    assert report["version"] == VERSION
    assert report["store"] == "sqlite"
    assert isinstance(report["uptime_s"], (int, float)) and report["uptime_s"] >= 0


@pytest.mark.parametrize("service", services.ALL)
def test_service_answers_health_with_its_store_and_keeps_data_under_var(
        service, start_service, rabbit_config, service_config):
    start_service(SERVICE_CLASSES[service])

    with ServiceRpcProxy(service, rabbit_config, timeout=RPC_TIMEOUT) as proxy:
        report = proxy.health()

    assert_healthy(report, service)
    sqlite_file = os.path.join(service_config["VAR_DIR"], service, service + ".sqlite3")
    assert os.path.isfile(sqlite_file)


def test_all_seven_services_run_side_by_side_on_one_broker(runner_factory, service_config,
                                                          cluster_rpc):
    runner = runner_factory(service_config, *SERVICE_CLASSES.values())
    runner.start()

    # Every request goes out before any answer is awaited.
    pending = {name: getattr(cluster_rpc, name).health.call_async() for name in services.ALL}

    for name, reply in pending.items():
        assert_healthy(reply.result(), name)
