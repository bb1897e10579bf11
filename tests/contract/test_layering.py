"""Rule 1 of tests/contract/checks.py: services don't import each other, contracts stay plain,
the gateway and servicekit import no service."""
import textwrap

import pytest

from tests.contract import checks


def service_problems(source, service="identity", module="services.identity.service",
                     is_package=False):
    return checks.service_import_violations(service, textwrap.dedent(source),
                                            module.replace(".", "/") + ".py", module, is_package)


def test_the_code_base_respects_the_layering():
    assert [str(v) for v in checks.layering_violations()] == []


def test_every_service_package_is_scanned():
    assert set(checks.service_packages()) >= {"identity", "neighbourhood", "feed", "translation",
                                              "moderation", "participation"}
    assert any(p.name == "repository.py" for p in checks.python_files("services/identity"))


@pytest.mark.parametrize("source", [
    "import services.feed.domain",
    "import services.feed as feed",
    "from services.feed import domain",
    "from services.feed.repository import Posts",
    "from services import feed",
    "from ..feed import domain",  # relative, from services/identity/service.py
    "import importlib\nimportlib.import_module('services.feed.repository')",
    "def later():\n    from services.moderation import rules\n",
], ids=["import", "import-as", "from-module", "from-submodule", "from-namespace", "relative",
        "import_module", "inside-function"])
def test_a_service_importing_another_service_is_refused(source):
    problems = service_problems(source)

    assert len(problems) == 1
    assert "services talk by RPC and events only" in problems[0].message
    assert problems[0].where.startswith("services/identity/service.py:")


@pytest.mark.parametrize("source", [
    "import services",
    "from gateway.http import errors",
    "import deploy.local.seed",
    "from tests.contract import checks",
])
def test_a_service_importing_outside_its_allowed_layers_is_refused(source):
    assert len(service_problems(source)) == 1


def test_a_service_may_import_contracts_servicekit_itself_and_libraries():
    source = """
        import json
        import pymongo
        from nameko.events import EventDispatcher
        from contracts import errors, events
        from servicekit.nameko_extensions import QuartierService, rpc
        from services.identity import domain
        from services.identity.repository import SqliteMunicipalities
        from . import dependencies
        from .domain import Municipality
    """
    assert service_problems(source) == []


def test_relative_imports_resolve_from_a_package_init():
    # services/identity/__init__.py: `from . import x` is services.identity.x; `..feed` escapes
    assert service_problems("from . import domain", module="services.identity",
                            is_package=True) == []
    assert len(service_problems("from ..feed import domain", module="services.identity",
                                is_package=True)) == 1


@pytest.mark.parametrize("module", ["nameko.rpc", "eventlet", "flask", "grpc", "servicekit.store",
                                    "services.identity.domain", "gateway.http.errors"])
def test_contracts_importing_machinery_or_other_layers_is_refused(module):
    problems = checks.forbidden_import_violations(
        "contracts", checks.CONTRACTS_FORBIDDEN, "import %s\n" % module, "contracts/x.py",
        "contracts.x")

    assert len(problems) == 1
    assert "contracts must not import" in problems[0].message


def test_contracts_may_import_itself_and_plain_libraries():
    source = ("import dataclasses\nimport jsonschema\nfrom contracts import services\n"
              "from . import errors\n")
    assert checks.forbidden_import_violations(
        "contracts", checks.CONTRACTS_FORBIDDEN, source, "contracts/x.py", "contracts.x") == []


@pytest.mark.parametrize("source", [
    "from services.identity.domain import Municipality",
    "import services.feed.service",
    "from servicekit.nameko_extensions import rpc",
    "import eventlet",
])
def test_the_gateway_importing_a_service_or_eventlet_machinery_is_refused(source):
    problems = checks.forbidden_import_violations(
        "gateway", checks.GATEWAY_FORBIDDEN, source, "gateway/http/app.py", "gateway.http.app")

    assert len(problems) == 1


def test_the_gateway_may_use_contracts_and_the_rpc_client():
    source = ("from contracts import rpc\nfrom servicekit.rpc_client import RpcClient\n"
              "import flask\n")
    assert checks.forbidden_import_violations(
        "gateway", checks.GATEWAY_FORBIDDEN, source, "gateway/http/app.py",
        "gateway.http.app") == []


def test_servicekit_importing_a_service_is_refused():
    problems = checks.forbidden_import_violations(
        "servicekit", checks.SERVICEKIT_FORBIDDEN, "from services.identity import domain",
        "servicekit/store.py", "servicekit.store")

    assert len(problems) == 1


def test_the_repository_walk_finds_a_bad_import_in_any_file_of_any_layer(tmp_path):
    files = {
        "services/identity/service.py": "from contracts import services\n",
        "services/identity/adapters/mongo.py": "from services.feed.repository import Posts\n",
        "services/feed/service.py": "import json\n",
        "contracts/events.py": "from nameko.events import EventDispatcher\n",
        "gateway/http/routes/posts.py": "from services.feed import domain\n",
        "gateway/grpc/generated/x_pb2.py": "import services.feed\n",  # generated: not scanned
        "servicekit/store.py": "import sqlite3\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)

    found = sorted(v.where for v in checks.layering_violations(root=tmp_path))

    assert found == ["contracts/events.py:1", "gateway/http/routes/posts.py:1",
                     "services/identity/adapters/mongo.py:1"]
