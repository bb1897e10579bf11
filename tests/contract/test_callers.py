"""Rule 4 of tests/contract/checks.py: the gateway and deploy scripts call services only through
declared contracts.rpc methods."""
import textwrap

import pytest

from tests.contract import checks

HEADER = "from contracts import rpc, services\n"


def with_imports(body):
    return HEADER + textwrap.dedent(body)


def problems_in(source, module="gateway.http.routes.example"):
    return checks.caller_violations(textwrap.dedent(source), module.replace(".", "/") + ".py",
                                    module)


def messages(source, module="gateway.http.routes.example"):
    return [p.message for p in problems_in(source, module)]


def test_gateway_and_deploy_call_only_declared_methods():
    assert [str(v) for v in checks.caller_code_violations()] == []


def test_the_scan_covers_the_gateway_and_deploy_code():
    scanned = {module for package in checks.CALLER_PACKAGES
               for _, module, _ in checks.read_sources(package)}

    assert any(m.startswith("gateway.http") for m in scanned)
    assert any(m.startswith("deploy.") for m in scanned)
    assert not any(".generated" in m for m in scanned)  # protoc output is not hand-written


def test_calls_through_declared_constants_pass():
    assert problems_in(with_imports("""
        import contracts.rpc
        import contracts.rpc as contract_rpc
        from contracts.rpc import HEALTH, identity
        from contracts.rpc import identity as identity_rpc

        def handler(client, ctx, name, method):
            client.call(rpc.identity.GET_MUNICIPALITY, caller={}, municipality_id="m1")
            client.call_async(contracts.rpc.identity.LIST_MUNICIPALITIES, caller={})
            ctx.call(contract_rpc.identity.CREATE_MUNICIPALITY, slug="x", name="X")
            ctx.call(identity.GET_MUNICIPALITY, municipality_id="m1")
            ctx.call(identity_rpc.GET_MUNICIPALITY, municipality_id="m1")
            ctx.call(rpc.HEALTH[name])
            ctx.call(HEALTH[services.FEED])
            ctx.call(rpc.HEALTH["identity"])
            ctx.call(method)  # a method chosen above from the constants
            ctx.call(method=rpc.identity.GET_MUNICIPALITY)
            return rpc.identity.GET_MUNICIPALITY.routing_key
        """)) == []


@pytest.mark.parametrize("call", [
    'client.call("identity.get_municipality", caller={})',
    'client.call_async("identity.get_municipality")',
    'client.call(f"{service}.health")',
    'client.call("%s.health" % service)',
    'client.call(service + ".health")',
    'client.call("{}.health".format(service))',
    'client.call(".".join((service, "health")))',
    'client.call(method="feed." + "post")',
], ids=["literal", "literal-async", "f-string", "percent", "concat", "format", "join",
        "keyword"])
def test_a_bare_routing_key_is_refused(call):
    found = messages("def handler(client, service):\n    %s\n" % call)

    assert any("bare routing key" in m for m in found), found


def test_a_routing_key_hidden_in_a_variable_is_refused():
    found = messages("""\
        GET = "identity.get_municipality"

        def handler(client):
            return client.call(GET)
        """)

    assert found == ["string 'identity.get_municipality' is a bare routing key; "
                     "use a contracts.rpc constant"]


def test_routing_keys_in_docstrings_and_other_strings_are_not_calls():
    assert problems_in('''\
        """Calls identity.get_municipality for the page."""
        import subprocess

        LABEL = "identity"
        FILE = "feed.json.gz"
        GRPC_NAME = "quartier.identity"

        def run():
            """Mentions feed.health too."""
            subprocess.call("echo identity.get", shell=True)
        ''') == []


@pytest.mark.parametrize("reference, expected", [
    ("rpc.identity.DELETE_MUNICIPALITY",
     "contracts.rpc.identity.DELETE_MUNICIPALITY: contracts.rpc.identity has no "
     "DELETE_MUNICIPALITY"),
    ("rpc.billing.CHARGE", "contracts.rpc.billing.CHARGE: contracts.rpc has no billing"),
    ("contracts.rpc.feed.NO_SUCH_METHOD",
     "contracts.rpc.feed.NO_SUCH_METHOD: contracts.rpc.feed has no NO_SUCH_METHOD"),
    ("identity_rpc.GET_MUNICIPALTY",
     "contracts.rpc.identity.GET_MUNICIPALTY: contracts.rpc.identity has no GET_MUNICIPALTY"),
    ('rpc.HEALTH["billing"]', "HEALTH['billing']: no such service"),
    ("HEALTH[services.BILLING]", "contracts.services.BILLING: contracts.services has no BILLING"),
])
def test_a_reference_to_a_method_no_service_declares_is_refused(reference, expected):
    found = messages(with_imports("""
        import contracts.rpc
        from contracts.rpc import HEALTH
        from contracts.rpc import identity as identity_rpc

        def handler(client):
            return client.call(%s)
        """) % reference)

    assert found == [expected]


def test_an_rpc_method_that_exists_but_is_not_declared_is_refused(monkeypatch):
    from contracts import rpc
    from contracts.rpc import RpcMethod

    # A constant added to contracts.rpc outside the service namespaces: reachable, not declared.
    monkeypatch.setattr(rpc, "STRAY", RpcMethod("identity", "stray"), raising=False)

    assert messages(with_imports("\ndef handler(client):\n    client.call(rpc.STRAY)\n")) == [
        "contracts.rpc.STRAY is not a declared RPC method"]


def test_building_an_rpc_method_in_the_gateway_is_refused():
    found = messages("""\
        from contracts.rpc import RpcMethod
        from contracts import rpc

        DELETE = RpcMethod("identity", "delete_everything")
        OTHER = rpc.RpcMethod("feed", "purge")
        """)

    assert found == [
        "builds an RpcMethod on the spot; declare it in contracts.rpc instead",
        "builds an RpcMethod on the spot; declare it in contracts.rpc instead",
    ]


def test_a_local_name_shadowing_the_import_is_not_taken_for_it():
    assert problems_in(with_imports("""
        def handler(rpc):
            # `rpc` here is the client passed in, not contracts.rpc
            return rpc.identity.ANYTHING

        class Routes:
            rpc = None

            def method(self):
                return rpc.identity.GET_MUNICIPALITY  # the module again: class scope is skipped
        """)) == []


def test_an_import_inside_a_function_is_resolved():
    found = messages("""\
        def handler(client):
            from contracts import rpc as contract
            return client.call(contract.identity.NOPE)
        """)

    assert found == ["contracts.rpc.identity.NOPE: contracts.rpc.identity has no NOPE"]


def test_relative_imports_inside_the_gateway_are_not_mistaken_for_contracts():
    assert problems_in("""\
        from . import rpc

        def handler():
            return rpc.identity.WHATEVER
        """, module="gateway.http.routes.example") == []
