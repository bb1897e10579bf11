"""Integration tests: real nameko containers on a real RabbitMQ, one throwaway vhost per test.

Runs in its own pytest process (`.venv/bin/python -m pytest tests/integration`): nameko needs the
interpreter monkey-patched by eventlet, and the patch must come before anything else imports
socket, threading or ssl — hence the first statement below. The other suites (unit, contract,
e2e with the threaded gateway and grpcio) must never share this process.

Broker: nameko's pytest plugin (auto-loaded) provides `rabbit_config` — a fresh vhost on the
broker given by `--amqp-uri` (default amqp://guest:guest@localhost:5672/), created and deleted
through the management API at `--rabbit-api-uri` (default http://guest:guest@localhost:15672) —
plus `container_factory` and `runner_factory`, which kill what they started.
"""
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402

import pytest  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from tests.integration.helpers import RPC_TIMEOUT  # noqa: E402

INTEGRATION_DIR = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    """Refuse to share the process with other suites: they would run eventlet-patched."""
    strangers = sorted({
        str(item.path) for item in items
        if not str(item.path).startswith(INTEGRATION_DIR + os.sep)
    })
    if strangers:
        raise pytest.UsageError(
            "tests/integration monkey-patches the interpreter with eventlet; run it in its own "
            "pytest invocation (`python -m pytest tests/integration`), not together with %s"
            % ", ".join(os.path.relpath(p) for p in strangers[:3]))


@pytest.fixture
def service_config(rabbit_config, tmp_path):
    """Config for a container: the test's vhost, no /metrics server (many containers share this
    process and the prometheus registry), and all state in the test's tmp dir (each service's
    SQLite file lands in <VAR_DIR>/<service>/<service>.sqlite3)."""
    return dict(rabbit_config, METRICS_PORT=0, VAR_DIR=str(tmp_path / "var"))


@pytest.fixture
def start_service(container_factory, service_config):
    """start_service(ServiceClass, **config overrides) → the started container."""

    def start(service_cls, **overrides):
        container = container_factory(service_cls, dict(service_config, **overrides))
        container.start()
        return container

    return start


@pytest.fixture
def cluster_rpc(rabbit_config):
    """A standalone RPC client on the test's vhost: `cluster_rpc.identity.health()`."""
    with ClusterRpcProxy(rabbit_config, timeout=RPC_TIMEOUT) as proxy:
        yield proxy

