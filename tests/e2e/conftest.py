"""End-to-end fixtures: the whole platform (six services, HTTP gateway, gRPC server) as real
processes on free ports, in a temporary var dir and a vhost of its own on the machine's RabbitMQ.

Not eventlet-patched, on purpose: the test process is a plain client (requests, grpcio, the pika
RPC client), as real users of the platform are.
"""
import pytest

from tests.e2e import stack

HEALTHY_AGAIN_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def rabbit_admin():
    admin = stack.RabbitAdmin()
    if not admin.answers():
        pytest.fail(
            "the RabbitMQ management API does not answer on %s; the e2e tests create a vhost "
            "through it. Run deploy/local/ensure_broker.sh (it enables the plugin when it can) "
            "or point RABBIT_API_URI at one." % admin.base, pytrace=False)
    return admin


@pytest.fixture(scope="session")
def platform(rabbit_admin, tmp_path_factory):
    """The shared platform, connected straight to the broker."""
    try:
        with stack.running_platform(rabbit_admin, tmp_path_factory.mktemp("var"), "main") as running:
            yield running
    except stack.Timeout as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def healthy_platform(platform):
    """The shared platform, checked healthy before the test: a test that broke it and could not
    mend it shows up here, named, instead of as a puzzling failure in the next test."""
    try:
        platform.platform.wait_healthy(HEALTHY_AGAIN_TIMEOUT)
    except stack.PlatformNotHealthy as exc:
        pytest.fail("the shared platform is not healthy (an earlier test left it broken?)\n%s"
                    % exc, pytrace=False)
    return platform


def pytest_terminal_summary(terminalreporter):
    if stack.TIMINGS:
        terminalreporter.section("e2e timings")
        for what, seconds in stack.TIMINGS:
            terminalreporter.write_line("%6.2fs  %s" % (seconds, what))
