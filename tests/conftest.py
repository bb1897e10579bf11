"""Fixtures shared by every suite. Kept light on purpose: this file is loaded by the eventlet-
patched integration suite and by the unpatched ones alike, so it imports nothing that starts a
thread or opens a socket at import time (and never eventlet).

Repository contract tests
-------------------------
ARCHITECTURE §2: every repository has a SQLite and a MongoDB adapter held to one contract. The
`store` fixture is parametrized over the adapters' backends, so one test function runs against
each of them:

- ``sqlite``    — a `SqliteStore` on a fresh file under the test's tmp dir;
- ``mongomock`` — a `MongoStore` over an in-memory `mongomock.MongoClient`;
- ``mongo``     — a `MongoStore` on the real server `MONGO_URI` points at, in a database of its
  own that is dropped afterwards; skipped (with the reason shown) when `MONGO_URI` is unset.

A repository's contract test asks for `store` and builds its repository with the same factory the
service uses, so the adapter under test is the one production would pick::

    import pytest
    from servicekit.store import repository_for
    from services.feed.repository import MongoPosts, SqlitePosts

    @pytest.fixture
    def posts(store):
        return repository_for(store, SqlitePosts, MongoPosts)

    def test_feed_page_is_newest_first(posts):
        ...

Run one backend with ``-k sqlite``, ``-k mongomock`` or ``-k "mongo and not mongomock"``.
`store.kind` ("sqlite" or "mongo") tells a test which engine it has, for the rare rule that
differs on purpose.
"""
import os
import sys
import uuid

import pytest

from servicekit.store import MongoStore, SqliteStore

STORE_BACKENDS = ("sqlite", "mongomock", "mongo")
_DEAD_MONGO = {}  # MONGO_URI -> why it failed, so one dead server costs one timeout, not one each


def _sqlite_store(tmp_path):
    return SqliteStore(str(tmp_path / "contract.sqlite3")), None


def _mongomock_store(_tmp_path):
    import mongomock

    return MongoStore(mongomock.MongoClient(), "test_db"), None


def _real_mongo_store(_tmp_path):
    uri = os.environ.get("MONGO_URI")
    if not uri:
        pytest.skip("MONGO_URI is not set: the real-MongoDB contract run needs a server "
                    "(e.g. MONGO_URI=mongodb://127.0.0.1:27017)")
    if uri in _DEAD_MONGO:  # already waited for this server once: fail at once
        pytest.fail(_DEAD_MONGO[uri])
    database = "quartier_test_%s" % uuid.uuid4().hex[:12]
    store = MongoStore.from_uri(uri, database, timeout_ms=3000)
    try:
        store.ping()
    except Exception as exc:  # a set but dead MONGO_URI is a broken environment, not a skip
        store.close()
        _DEAD_MONGO[uri] = "MONGO_URI=%s does not answer: %r" % (uri, exc)
        pytest.fail(_DEAD_MONGO[uri])

    def drop():
        store.client.drop_database(database)

    return store, drop


_OPENERS = {"sqlite": _sqlite_store, "mongomock": _mongomock_store, "mongo": _real_mongo_store}


@pytest.fixture(params=STORE_BACKENDS)
def store(request, tmp_path):
    """A fresh, empty store of each backend in turn (see the module docstring)."""
    opened, cleanup = _OPENERS[request.param](tmp_path)
    try:
        yield opened
    finally:
        try:
            if cleanup is not None:
                cleanup()
        finally:
            opened.close()


# -- the whole platform, for tests/e2e and tests/security -----------------------------------------
# Defined here rather than in tests/e2e/conftest.py so that both suites, run in one pytest process,
# share one session platform. tests.e2e.stack is imported inside the fixtures: the integration
# suite loads this file too and must not import it before eventlet patches the interpreter.

HEALTHY_AGAIN_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def rabbit_admin():
    from tests.e2e import stack

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
    from tests.e2e import stack

    try:
        with stack.running_platform(rabbit_admin, tmp_path_factory.mktemp("var"), "main") as running:
            yield running
    except stack.Timeout as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def healthy_platform(platform):
    """The shared platform, checked healthy before the test: a test that broke it and could not
    mend it shows up here, named, instead of as a puzzling failure in the next test."""
    from tests.e2e import stack

    try:
        platform.platform.wait_healthy(HEALTHY_AGAIN_TIMEOUT)
    except stack.PlatformNotHealthy as exc:
        pytest.fail("the shared platform is not healthy (an earlier test left it broken?)\n%s"
                    % exc, pytrace=False)
    return platform


def pytest_terminal_summary(terminalreporter):
    stack = sys.modules.get("tests.e2e.stack")
    if stack is not None and stack.TIMINGS:
        terminalreporter.section("e2e timings")
        for what, seconds in stack.TIMINGS:
            terminalreporter.write_line("%6.2fs  %s" % (seconds, what))
