"""Rule 3 of tests/contract/checks.py: declared RPC methods and @rpc entrypoints match one to one;
services calling services use declared methods."""
import textwrap

from nameko.rpc import RpcProxy

from contracts import rpc, services
from contracts.rpc import RpcMethod
from servicekit.nameko_extensions import QuartierService
from servicekit.nameko_extensions import rpc as rpc_entrypoint
from tests.contract import checks


def test_every_declared_method_is_served_by_its_service():
    classes = checks.load_service_classes()

    assert [str(v) for v in checks.missing_rpc_violations(rpc.declared_methods(), classes)] == []


def test_every_rpc_entrypoint_is_declared():
    classes = checks.load_service_classes()

    assert [str(v) for v in checks.undeclared_rpc_violations(classes, rpc.declared_methods())] \
        == []


def test_every_service_answers_health():
    declared = rpc.declared_methods()

    assert {method.service for method in declared if method.name == "health"} == set(services.ALL)


class Billing(QuartierService):
    name = "billing"

    @rpc_entrypoint
    def charge(self, caller, amount):
        pass

    def refund(self, caller, amount):  # a plain method, not an entrypoint
        pass

    @rpc_entrypoint
    def secret_backdoor(self, caller):
        pass


BILLING_DECLARED = {
    RpcMethod("billing", "health"),
    RpcMethod("billing", "charge"),
    RpcMethod("billing", "refund"),
    RpcMethod("billing", "invoice"),
    RpcMethod("accounting", "close_books"),
}


def test_declared_method_without_an_rpc_entrypoint_is_refused():
    problems = checks.missing_rpc_violations(BILLING_DECLARED, {"billing": Billing})

    assert [p.message for p in problems] == [
        "accounting.close_books is declared but service 'accounting' has no class",
        "billing.invoice is declared but Billing has no @rpc invoice",
        "billing.refund is declared but Billing has no @rpc refund",
    ]


def test_rpc_entrypoint_nobody_declared_is_refused():
    problems = checks.undeclared_rpc_violations({"billing": Billing}, BILLING_DECLARED)

    assert [str(p) for p in problems] == [
        "Billing.secret_backdoor: @rpc billing.secret_backdoor is not declared in contracts.rpc"]


def test_service_class_is_found_by_its_name_among_helper_classes():
    import types

    module = types.ModuleType("services.billing.service")

    class Helper:
        name = "billing"  # same name but no entrypoints: not a service

    module.Helper, module.Billing = Helper, Billing

    assert checks.find_service_class(module, "billing") is Billing
    assert checks.find_service_class(module, "feed") is None


class CallsIdentity(QuartierService):
    name = services.FEED
    identity = RpcProxy(services.IDENTITY)


def proxy_problems(body, service_cls=CallsIdentity):
    source = "class Caller:\n    def handler(self, caller):\n" + textwrap.indent(
        textwrap.dedent(body), " " * 8)
    return checks.rpc_proxy_violations(service_cls, source, "services/feed/service.py",
                                       rpc.declared_methods())


def test_proxy_calls_to_declared_methods_pass():
    assert proxy_problems("""\
        self.identity.get_municipality(caller, "m1")
        self.identity.list_municipalities.call_async(caller)
        self.unrelated.delete_everything()  # not a proxy attribute
        """) == []


def test_proxy_call_to_an_undeclared_method_is_refused():
    problems = proxy_problems("""\
        self.identity.delete_everything(caller)
        self.identity.get_municipalty.call_async(caller, "m1")
        """)

    assert [p.message for p in problems] == [
        "calls identity.delete_everything, which contracts.rpc does not declare",
        "calls identity.get_municipalty, which contracts.rpc does not declare",
    ]


def test_proxy_to_an_unknown_service_is_refused():
    class CallsGhost(QuartierService):
        name = services.FEED
        ghost = RpcProxy("ghost")

    assert [str(p) for p in proxy_problems("pass\n", CallsGhost)] == [
        "CallsGhost.ghost: RpcProxy targets unknown service 'ghost'"]
