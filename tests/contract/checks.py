"""Static contract checks (ARCHITECTURE §1, §3, §4): the rules that keep six services, the gateway
and `contracts` loosely coupled, checked without a broker.

Each check is a function that returns a list of `Violation`s (empty = the rule holds). The checks
take source text or classes, so the tests run them on the real code and also on crafted bad
examples, proving each one actually catches what it is meant to catch.

The rules
---------
1. Layering, by the modules a file imports (AST over every import statement, in any scope, plus
   `importlib.import_module("...")` / `__import__("...")` with a literal name):
   - a service (`services/<name>/**`) imports only `contracts`, `servicekit`, its own package and
     third-party libraries: never `services.<other>`, the bare `services` namespace, the gateway,
     `deploy`, `bench` or `tests`. Services talk by RPC and events only.
   - `contracts` imports plain Python only: no nameko, eventlet, kombu/amqp/pika, flask/werkzeug,
     grpc, servicekit, services, gateway, deploy, bench or tests.
   - the gateway imports no service, no eventlet and not `servicekit.nameko_extensions` (it runs
     unpatched threads; that module drags nameko and eventlet in).
   - `servicekit` (shared infrastructure) imports no service and not the gateway.
2. Events: every nameko `EventHandler` entrypoint of a service class subscribes to a
   `(source_service, event_type)` pair declared in `contracts.events`.
   Every dispatch through an `EventDispatcher` attribute names its event through a constant: a
   string literal as the event type is refused, and a direct reference
   `events.<CONST>.name` must be a declared event whose source is the dispatching service.
3. RPC methods: every `RpcMethod` declared in `contracts.rpc` exists as an `@rpc` entrypoint
   (a `nameko.rpc.Rpc`) on its service's class, and every `@rpc` entrypoint a service class offers
   is declared (one list of the API, no hidden methods). A service's class is the class in
   `services.<name>.service` whose `name` equals `<name>` and which has entrypoints.
4. Callers (`gateway/**`, `deploy/**`; `bench/` may build throwaway methods on purpose):
   - in every `<expr>.call(...)` / `<expr>.call_async(...)` the method (first positional argument,
     or `method=`) is not a string expression: no literal, f-string, `%`/`+` concatenation or
     `"...".format(...)`. Bare routing keys are forbidden. Calls on a third-party module
     (`subprocess.call`, `mock.call`) are not RPC and are skipped.
   - no string literal anywhere (docstrings aside) looks like a routing key `<service>.<method>`
     of a known service: a routing key kept in a variable is as bare as one passed inline.
   - no `RpcMethod(...)` is built outside `contracts`: methods are declared, not improvised.
   - every reference into `contracts` resolves: `rpc.<namespace>.<CONST>`,
     `contracts.rpc.<namespace>.<CONST>`, `HEALTH[<service>]`, `events.<CONST>`... however the
     module was imported (`from contracts import rpc`, `import contracts.rpc as r`,
     `from contracts.rpc import identity`, inside a function or not). A reference that reaches an
     `RpcMethod` must reach a declared one; an `EventType`, a declared one; `HEALTH[...]` with a
     literal or a `services.<CONST>` key must name a known service. Names bound locally (a
     parameter or variable that shadows an import) are not mistaken for the import.
   Services are held to the reference rule too, and their `RpcProxy` calls
   (`self.<proxy>.<method>(...)`, `.call_async`) must target declared methods.
5. Names: every service class's `name` is a constant of `contracts.services` and equals its
   package directory; every declared service has a class; every declared event and RPC method
   belongs to a declared service, and no pair is declared twice.

What is not checked: methods chosen at run time (`getattr(rpc.identity, name)`, a namespace
passed around as a value). Those defeat any static check; the rules above make them unusual
enough to spot in review.
"""
import ast
import importlib
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = ("contracts", "servicekit", "services", "gateway", "deploy", "bench", "tests")
SKIPPED_DIRS = {"__pycache__", ".venv", "generated"}

CONTRACTS_FORBIDDEN = (
    "nameko", "eventlet", "kombu", "amqp", "pika", "flask", "werkzeug", "grpc", "grpc_health",
    "grpc_reflection", "servicekit", "services", "gateway", "deploy", "bench", "tests",
)
GATEWAY_FORBIDDEN = ("services", "eventlet", "servicekit.nameko_extensions")
SERVICEKIT_FORBIDDEN = ("services", "gateway")
SERVICE_FORBIDDEN_FIRST_PARTY = ("gateway", "deploy", "bench", "tests")
RPC_CALL_ATTRIBUTES = ("call", "call_async")
CALLER_PACKAGES = ("gateway", "deploy")


@dataclass(frozen=True)
class Violation:
    where: str
    message: str

    def __str__(self):
        return "%s: %s" % (self.where, self.message)


def _where(path, node=None):
    line = getattr(node, "lineno", None)
    return "%s:%s" % (path, line) if line else str(path)


# -- the code base -------------------------------------------------------------------------------

def python_files(package, root=REPO_ROOT):
    """Hand-written Python files under `root/package` (generated code and caches skipped)."""
    base = Path(root) / package
    if not base.exists():
        return []
    return sorted(
        path for path in base.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts)
    )


def module_name_for(path, root=REPO_ROOT):
    parts = list(Path(path).relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_sources(package, root=REPO_ROOT):
    """[(display path, module name, source)] for every file of `package`."""
    return [
        (str(path.relative_to(root)), module_name_for(path, root), path.read_text())
        for path in python_files(package, root)
    ]


def service_packages(root=REPO_ROOT):
    """Names of the directories under services/ that hold a service.py."""
    return sorted(p.parent.name for p in (Path(root) / "services").glob("*/service.py"))


# -- 1. layering -----------------------------------------------------------------------------------

def _is_package(path):
    return Path(path).name == "__init__.py"


def _resolve_relative(module_name, level, target, is_package):
    package = module_name.split(".") if is_package else module_name.split(".")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join(package + ([target] if target else []))


def imported_modules(source, module_name="", is_package=False):
    """[(node, dotted name)] for every module (or module attribute) the source imports.

    `import a.b` gives "a.b"; `from a import b` gives "a.b" (b may be a submodule); relative imports
    are resolved against `module_name`; `importlib.import_module("x")` and `__import__("x")` with a
    literal give "x"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve_relative(module_name, node.level, node.module, is_package)
            for alias in node.names:
                found.append((node, base if alias.name == "*" else "%s.%s" % (base, alias.name)))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                found.append((node, first.value))
    return found


def _within(dotted, prefix):
    return dotted == prefix or dotted.startswith(prefix + ".")


def service_import_violations(service, source, path, module_name, is_package=False):
    """Rule 1 for one file of service `service`."""
    own = "services." + service
    problems = []
    for node, dotted in imported_modules(source, module_name, is_package):
        top = dotted.split(".")[0]
        if top == "services" and not _within(dotted, own):
            other = dotted.split(".")[1] if "." in dotted else None
            if other:
                message = "service %s imports %s: services talk by RPC and events only" % (
                    service, dotted)
            else:
                message = "service %s imports the bare `services` namespace" % service
            problems.append(Violation(_where(path, node), message))
        elif top in SERVICE_FORBIDDEN_FIRST_PARTY:
            problems.append(Violation(
                _where(path, node),
                "service %s imports %s: services import only contracts, servicekit, their own "
                "package and third-party libraries" % (service, dotted)))
    return problems


def forbidden_import_violations(owner, forbidden, source, path, module_name, is_package=False):
    """Rule 1 for a layer that must not import any of `forbidden` (dotted prefixes)."""
    problems = []
    for node, dotted in imported_modules(source, module_name, is_package):
        for prefix in forbidden:
            if _within(dotted, prefix):
                problems.append(Violation(
                    _where(path, node), "%s must not import %s (imports %s)" % (owner, prefix,
                                                                               dotted)))
                break
    return problems


def layering_violations(root=REPO_ROOT):
    """Rule 1 over the whole repository."""
    problems = []
    for service in service_packages(root):
        for path, module, source in read_sources("services/" + service, root):
            problems += service_import_violations(service, source, path, module,
                                                  _is_package(path))
    layers = (("contracts", CONTRACTS_FORBIDDEN), ("gateway", GATEWAY_FORBIDDEN),
              ("servicekit", SERVICEKIT_FORBIDDEN))
    for package, forbidden in layers:
        for path, module, source in read_sources(package, root):
            problems += forbidden_import_violations(package, forbidden, source, path, module,
                                                    _is_package(path))
    return problems


# -- service classes -------------------------------------------------------------------------------

def entrypoints_of(service_cls):
    """[(method name, entrypoint instance)] of a nameko service class, inherited ones included."""
    found = []
    for name, member in inspect.getmembers(service_cls):
        for entrypoint in getattr(member, "nameko_entrypoints", None) or ():
            found.append((name, entrypoint))
    return found


def find_service_class(module, service_name):
    """The class in `module` whose `name` is `service_name` and which has entrypoints, or None.
    Two such classes are ambiguous (`nameko run` would need to be told which) and raise."""
    candidates = [
        value for value in vars(module).values()
        if inspect.isclass(value) and getattr(value, "name", None) == service_name
        and entrypoints_of(value)
    ]
    if len(candidates) > 1:
        raise LookupError("%s defines several classes named %r: %s" % (
            module.__name__, service_name, [c.__name__ for c in candidates]))
    return candidates[0] if candidates else None


def nameko_service_classes(module):
    """Classes defined in `module` that are nameko services (a `name` and entrypoints)."""
    return [
        value for value in vars(module).values()
        if inspect.isclass(value) and value.__module__ == module.__name__
        and getattr(value, "name", None) and entrypoints_of(value)
    ]


def load_service_classes(root=REPO_ROOT):
    """{service name: class} for every services/<name>/service.py (importing it)."""
    classes = {}
    for package in service_packages(root):
        module = importlib.import_module("services.%s.service" % package)
        found = find_service_class(module, package)
        if found is not None:
            classes[package] = found
    return classes


# -- 2. events -------------------------------------------------------------------------------------

def declared_event_pairs():
    from contracts import events

    return {(event.source, event.name) for event in events.declared_events()}


def event_handler_violations(service_cls, declared_pairs=None):
    from nameko.events import EventHandler

    declared_pairs = declared_event_pairs() if declared_pairs is None else declared_pairs
    problems = []
    for method, entrypoint in entrypoints_of(service_cls):
        if not isinstance(entrypoint, EventHandler):
            continue
        pair = (entrypoint.source_service, entrypoint.event_type)
        if pair not in declared_pairs:
            problems.append(Violation(
                "%s.%s" % (service_cls.__name__, method),
                "handles undeclared event %s.%s (declare it in contracts.events)" % pair))
    return problems


def _dispatcher_attributes(service_cls):
    from nameko.events import EventDispatcher

    return {
        name for name, value in inspect.getmembers(service_cls)
        if isinstance(value, EventDispatcher)
    }


def _self_attribute_call(node, attributes):
    """`self.<attr>(...)` with attr in attributes → attr, else None."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id == "self" and func.attr in attributes:
        return func.attr
    return None


def dispatch_violations(service_cls, source, path, module_name=""):
    """Rule 2 for dispatches: `self.<dispatcher>(event_type, payload)` in `source`."""
    dispatchers = _dispatcher_attributes(service_cls)
    if not dispatchers:
        return []
    from contracts.events import EventType

    resolver = _ContractReferences(source, module_name)
    problems = []
    for node in ast.walk(resolver.tree):
        if not isinstance(node, ast.Call) or not _self_attribute_call(node, dispatchers):
            continue
        event_arg = node.args[0] if node.args else None
        if event_arg is None:
            continue
        if _is_string_expression(event_arg):
            problems.append(Violation(
                _where(path, node),
                "dispatches an event named by a string; use contracts.events.<EVENT>.name"))
            continue
        if isinstance(event_arg, ast.Attribute) and event_arg.attr == "name":
            target = resolver.resolve_node(event_arg.value)
            if isinstance(target, EventType) and target.source != service_cls.name:
                problems.append(Violation(
                    _where(path, node),
                    "%s dispatches %s.%s, an event of another service" % (
                        service_cls.name, target.source, target.name)))
    return problems


# -- 3. RPC methods --------------------------------------------------------------------------------

def _rpc_entrypoint_names(service_cls):
    from nameko.rpc import Rpc

    return {name for name, entrypoint in entrypoints_of(service_cls) if isinstance(entrypoint, Rpc)}


def missing_rpc_violations(declared_methods, classes):
    """Every declared RpcMethod exists as an @rpc entrypoint on its service's class."""
    problems = []
    for method in sorted(declared_methods, key=lambda m: m.routing_key):
        service_cls = classes.get(method.service)
        if service_cls is None:
            problems.append(Violation(
                "contracts.rpc", "%s is declared but service %r has no class" % (
                    method.routing_key, method.service)))
        elif method.name not in _rpc_entrypoint_names(service_cls):
            problems.append(Violation(
                "contracts.rpc", "%s is declared but %s has no @rpc %s" % (
                    method.routing_key, service_cls.__name__, method.name)))
    return problems


def undeclared_rpc_violations(classes, declared_methods):
    """Every @rpc entrypoint a service offers is declared in contracts.rpc."""
    declared = {(m.service, m.name) for m in declared_methods}
    problems = []
    for service, service_cls in sorted(classes.items()):
        for name in sorted(_rpc_entrypoint_names(service_cls)):
            if (service, name) not in declared:
                problems.append(Violation(
                    "%s.%s" % (service_cls.__name__, name),
                    "@rpc %s.%s is not declared in contracts.rpc" % (service, name)))
    return problems


def rpc_proxy_violations(service_cls, source, path, declared_methods, known_services=None):
    """Services calling services: `RpcProxy(target)` targets a known service and every
    `self.<proxy>.<method>(...)` (or `.call_async`) is a declared method of that target."""
    from nameko.rpc import RpcProxy

    from contracts import services

    known_services = services.ALL if known_services is None else known_services
    proxies = {
        name: value.target_service for name, value in inspect.getmembers(service_cls)
        if isinstance(value, RpcProxy)
    }
    problems = []
    for attribute, target in sorted(proxies.items()):
        if target not in known_services:
            problems.append(Violation(
                "%s.%s" % (service_cls.__name__, attribute),
                "RpcProxy targets unknown service %r" % (target,)))
    declared = {(m.service, m.name) for m in declared_methods}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in RPC_CALL_ATTRIBUTES:
            func = func.value  # self.proxy.method.call_async(...)
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute)):
            continue
        owner = func.value
        if isinstance(owner.value, ast.Name) and owner.value.id == "self" \
                and owner.attr in proxies:
            target = proxies[owner.attr]
            if (target, func.attr) not in declared:
                problems.append(Violation(
                    _where(path, node),
                    "calls %s.%s, which contracts.rpc does not declare" % (target, func.attr)))
    return problems


# -- 4. callers ------------------------------------------------------------------------------------

def _is_string_expression(node):
    """A str literal, f-string, or an expression building a string from literal parts."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_string_expression(node.left) or _is_string_expression(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("format", "join"):
        return _is_string_expression(node.func.value)
    return False


class _Scopes:
    """Which names a module binds to imports, scope by scope, so `rpc` in a function whose
    parameter is called `rpc` is not taken for `from contracts import rpc`."""

    def __init__(self, tree, module_name="", is_package=False):
        self.module_name = module_name
        self.is_package = is_package
        self.scope_of = {}  # id(node) -> scope dict {name: dotted module path or None (local)}
        self._assign(tree, [self._bindings(tree)])

    def _import_bindings(self, node):
        bound = {}
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve_relative(self.module_name, node.level, node.module,
                                         self.is_package)
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = "%s.%s" % (base, alias.name)
        return bound

    @staticmethod
    def _own_nodes(scope_node):
        """Nodes of a scope, not descending into nested scopes."""
        body = scope_node.body if isinstance(scope_node.body, list) else [scope_node.body]
        pending = list(body)
        while pending:
            node = pending.pop()
            yield node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                # decorators, defaults and annotations are evaluated in the enclosing scope
                arguments = node.args
                pending += [d for d in arguments.defaults + arguments.kw_defaults if d]
                pending += getattr(node, "decorator_list", [])
                pending += [a.annotation for a in arguments.posonlyargs + arguments.args
                            + arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]
                            if a is not None and a.annotation is not None]
                if getattr(node, "returns", None) is not None:
                    pending.append(node.returns)
                continue
            if isinstance(node, ast.ClassDef):
                pending += node.decorator_list + node.bases + [k.value for k in node.keywords]
                continue
            pending.extend(ast.iter_child_nodes(node))

    def _bindings(self, scope_node):
        imports, locals_ = {}, set()
        if isinstance(scope_node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = scope_node.args
            for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [
                    arguments.vararg, arguments.kwarg]:
                if arg is not None:
                    locals_.add(arg.arg)
        for node in self._own_nodes(scope_node):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.update(self._import_bindings(node))
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                locals_.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                locals_.add(node.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                locals_.add(node.name)
        bindings = {name: None for name in locals_}
        bindings.update(imports)  # an import wins over a same-scope assignment (try/except import)
        return bindings

    def _assign(self, scope_node, chain):
        for node in self._own_nodes(scope_node):
            self.scope_of[id(node)] = chain
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                # class scopes are not visible from the functions nested in them
                outer = [s for s in chain if not s.get("<class>")]
                self._assign(node, outer + [self._bindings(node)])
            elif isinstance(node, ast.ClassDef):
                bindings = self._bindings(node)
                bindings["<class>"] = True
                self._assign(node, chain + [bindings])

    def lookup(self, name_node):
        chain = self.scope_of.get(id(name_node), [])
        for scope in reversed(chain):
            if name_node.id in scope:
                return scope[name_node.id]
        return None


class _ContractReferences:
    """Resolves expressions to the objects of `contracts` they name, through the file's imports."""

    def __init__(self, source, module_name="", is_package=False):
        self.tree = ast.parse(source)
        self.scopes = _Scopes(self.tree, module_name, is_package)

    def dotted(self, node):
        """'contracts.rpc.identity.GET_X' for an expression naming it, else None."""
        if isinstance(node, ast.Name):
            return self.scopes.lookup(node)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return "%s.%s" % (base, node.attr) if base else None
        return None

    def walk_reference(self, dotted):
        """(object reached, problem or None) walking `dotted` from `contracts`; the walk stops at
        the first value that is not a module or class (an RpcMethod, an EventType, a tuple...)."""
        parts = dotted.split(".")
        try:
            obj = importlib.import_module(parts[0])
        except ImportError:
            return None, "cannot import %s" % parts[0]
        path = parts[0]
        for part in parts[1:]:
            if not (inspect.ismodule(obj) or inspect.isclass(obj)):
                break
            child = getattr(obj, part, _MISSING)
            if child is _MISSING and inspect.ismodule(obj):
                try:
                    child = importlib.import_module("%s.%s" % (path, part))
                except ImportError:
                    child = _MISSING
            if child is _MISSING:
                return None, "%s has no %s" % (path, part)
            obj, path = child, "%s.%s" % (path, part)
        return obj, None

    def resolve_node(self, node):
        dotted = self.dotted(node)
        if not dotted or not _within(dotted, "contracts"):
            return None
        return self.walk_reference(dotted)[0]


_MISSING = object()


def contract_reference_violations(source, path, module_name="", is_package=False):
    """Rule 4's reference rule: every chain into `contracts` resolves, RpcMethods and EventTypes
    reached are declared ones, HEALTH keys are known services."""
    from contracts import events, rpc, services
    from contracts.events import EventType
    from contracts.rpc import RpcMethod

    declared_methods = rpc.declared_methods()
    declared_events = events.declared_events()
    references = _ContractReferences(source, module_name, is_package)
    inner = set()  # nodes that are the base of a longer chain: only maximal chains are checked
    for node in ast.walk(references.tree):
        if isinstance(node, ast.Attribute):
            inner.add(id(node.value))
    problems = []
    for node in ast.walk(references.tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in inner \
                and not isinstance(node.ctx, (ast.Store, ast.Del)):
            dotted = references.dotted(node)
            if not dotted or not _within(dotted, "contracts"):
                continue
            reached, problem = references.walk_reference(dotted)
            if problem:
                problems.append(Violation(_where(path, node), "%s: %s" % (dotted, problem)))
            elif isinstance(reached, RpcMethod) and reached not in declared_methods:
                problems.append(Violation(
                    _where(path, node), "%s is not a declared RPC method" % dotted))
            elif isinstance(reached, EventType) and reached not in declared_events:
                problems.append(Violation(
                    _where(path, node), "%s is not a declared event" % dotted))
        elif isinstance(node, ast.Subscript):
            container = references.resolve_node(node.value)
            if container is not rpc.HEALTH:
                continue
            key = node.slice
            if isinstance(key, ast.Constant):
                name = key.value
            else:
                dotted = references.dotted(key)
                if not dotted or not _within(dotted, "contracts"):
                    continue  # a variable: HEALTH holds declared methods only (checked apart)
                name, problem = references.walk_reference(dotted)
                if problem:
                    continue  # reported as an unresolved reference
            if name not in services.ALL:
                problems.append(Violation(
                    _where(path, node), "HEALTH[%r]: no such service" % (name,)))
    return problems


def _receiver_is_foreign_module(references, receiver):
    """`subprocess.call`, `mock.call`: the receiver is a module imported from outside the
    repository, so this is not an RPC call."""
    if not isinstance(receiver, ast.Name):
        return False
    dotted = references.scopes.lookup(receiver)
    return bool(dotted) and dotted.split(".")[0] not in FIRST_PARTY


def _docstring_nodes(tree):
    nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                nodes.add(id(body[0].value))
    return nodes


def routing_key_pattern(known_services=None):
    from contracts import services

    known_services = services.ALL if known_services is None else known_services
    return re.compile(r"^(%s)\.[a-z_][a-z0-9_]*$" % "|".join(map(re.escape, known_services)))


def caller_violations(source, path, module_name="", is_package=False):
    """Rule 4 for one gateway or deploy file."""
    references = _ContractReferences(source, module_name, is_package)
    tree = references.tree
    problems = []
    routing_key = routing_key_pattern()
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in RPC_CALL_ATTRIBUTES \
                    and not _receiver_is_foreign_module(references, func.value):
                method = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg == "method"), None)
                if method is not None and _is_string_expression(method):
                    problems.append(Violation(
                        _where(path, node),
                        ".%s() with a bare routing key; pass a contracts.rpc constant"
                        % func.attr))
            constructed = references.dotted(func)
            if constructed == "contracts.rpc.RpcMethod":
                problems.append(Violation(
                    _where(path, node),
                    "builds an RpcMethod on the spot; declare it in contracts.rpc instead"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings and routing_key.match(node.value):
            problems.append(Violation(
                _where(path, node),
                "string %r is a bare routing key; use a contracts.rpc constant" % node.value))
    return problems + contract_reference_violations(source, path, module_name, is_package)


def caller_code_violations(root=REPO_ROOT, packages=CALLER_PACKAGES):
    problems = []
    for package in packages:
        for path, module, source in read_sources(package, root):
            problems += caller_violations(source, path, module, _is_package(path))
    return problems


def service_code_violations(classes, root=REPO_ROOT):
    """Rules 2 and 4 (dispatch, references, RPC proxies) over every file of every service."""
    from contracts import rpc

    declared_methods = rpc.declared_methods()
    problems = []
    for service, service_cls in sorted(classes.items()):
        for path, module, source in read_sources("services/" + service, root):
            problems += contract_reference_violations(source, path, module, _is_package(path))
            problems += dispatch_violations(service_cls, source, path, module)
            problems += rpc_proxy_violations(service_cls, source, path, declared_methods)
    return problems


# -- 5. names --------------------------------------------------------------------------------------

def service_name_violations(classes_by_package, known_services=None):
    """`classes_by_package`: {package directory: [nameko service classes defined in its
    service.py]}."""
    from contracts import services

    known_services = services.ALL if known_services is None else known_services
    problems = []
    for package, classes in sorted(classes_by_package.items()):
        if not classes:
            problems.append(Violation(
                "services/%s/service.py" % package, "defines no nameko service class"))
        for service_cls in classes:
            where = "services/%s/service.py:%s" % (package, service_cls.__name__)
            if service_cls.name not in known_services:
                problems.append(Violation(
                    where, "service name %r is not declared in contracts.services"
                    % (service_cls.name,)))
            elif service_cls.name != package:
                problems.append(Violation(
                    where, "service name %r differs from its package %r" % (
                        service_cls.name, package)))
    for name in known_services:
        if name not in classes_by_package:
            problems.append(Violation(
                "contracts.services", "service %r is declared but services/%s/service.py "
                "does not exist" % (name, name)))
    return problems


def declaration_violations(declared_events, declared_methods, health, known_services=None):
    """Declared events and methods belong to declared services; HEALTH covers every service with
    declared methods only."""
    from contracts import services

    known_services = services.ALL if known_services is None else known_services
    problems = []
    seen_events = {}
    for event in sorted(declared_events, key=lambda e: (e.source, e.name)):
        if event.source not in known_services:
            problems.append(Violation(
                "contracts.events", "event %s has unknown source %r" % (event.name, event.source)))
        if not re.match(r"^[a-z][a-z0-9_]*$", event.name):
            problems.append(Violation(
                "contracts.events", "event name %r is not snake_case" % (event.name,)))
        if (event.source, event.name) in seen_events:
            problems.append(Violation(
                "contracts.events", "event %s.%s is declared twice with different fields" % (
                    event.source, event.name)))
        seen_events[(event.source, event.name)] = event
    for method in sorted(declared_methods, key=lambda m: m.routing_key):
        if method.service not in known_services:
            problems.append(Violation(
                "contracts.rpc", "%s belongs to unknown service %r" % (method.routing_key,
                                                                       method.service)))
    if set(health) != set(known_services):
        problems.append(Violation(
            "contracts.rpc", "HEALTH covers %s, not every service" % sorted(health)))
    for name, method in sorted(health.items()):
        if method not in declared_methods:
            problems.append(Violation(
                "contracts.rpc", "HEALTH[%r] = %s is not declared in a namespace" % (
                    name, method.routing_key)))
    return problems
