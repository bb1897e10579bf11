"""The local process table and the `Platform` that runs it: seven nameko services, the HTTP gateway
and the gRPC server, each a child process in its own process group with its log in var/logs/.

`make run` (deploy/local/run.py) and the end-to-end tests (tests/e2e) both start the platform
through this module, so there is one place that knows how every process is launched.

This module is plain Python (no eventlet): it is imported by the e2e tests, which must not be
monkey-patched because the gRPC client and the gateway's pika client do not survive that.
"""
import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field

import requests

from contracts import services

# Order of ARCHITECTURE §7: metrics ports 9101..9106 follow this order; notification, the
# seventh, came after the gRPC process had 9107 and takes 9108.
SERVICE_CLASSES = {
    services.IDENTITY: "IdentityService",
    services.NEIGHBOURHOOD: "NeighbourhoodService",
    services.FEED: "FeedService",
    services.TRANSLATION: "TranslationService",
    services.MODERATION: "ModerationService",
    services.PARTICIPATION: "ParticipationService",
    services.NOTIFICATION: "NotificationService",
}
GATEWAY = "gateway"
GRPC = "grpc"
PROCESS_NAMES = (*SERVICE_CLASSES, GATEWAY, GRPC)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 8080
DEFAULT_GRPC_PORT = 50051
DEFAULT_METRICS_PORTS = {
    GATEWAY: 9100,
    **{name: 9101 + index for index, name in enumerate(SERVICE_CLASSES)},
    services.NOTIFICATION: 9108,
    GRPC: 9107,
}
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"

# Configuration that selects production back ends. A local platform runs on the embedded defaults
# unless the caller passes these explicitly (extra_env), so tests never touch a shared database.
BACKEND_SELECTORS = ("MONGO_URI", "ELASTICSEARCH_URL")

STOP_GRACE_SECONDS = 10.0


def metrics_port_variable(name):
    """IDENTITY_METRICS_PORT, GATEWAY_METRICS_PORT, GRPC_METRICS_PORT..."""
    return "%s_METRICS_PORT" % name.upper()


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    kind: str  # "service", "gateway" or "grpc"
    argv: tuple
    env: dict = field(default_factory=dict)  # on top of the platform's common environment
    metrics_port: int = 0


def process_table(python, http_port, grpc_port, metrics_ports, rpc_timeout, host=DEFAULT_HOST,
                  grpc_host=None):
    """name -> ProcessSpec for every process of the platform, in start order (services first,
    so their RPC queues exist by the time the gateways start asking for health)."""
    bin_dir = os.path.dirname(python)
    nameko = os.path.join(bin_dir, "nameko")
    table = {}
    for name, cls in SERVICE_CLASSES.items():
        table[name] = ProcessSpec(
            name=name,
            kind="service",
            argv=(nameko, "run", "services.%s.service:%s" % (name, cls),
                  "--config", os.path.join("services", name, "config.yaml")),
            env={metrics_port_variable(name): str(metrics_ports[name])},
            metrics_port=metrics_ports[name],
        )
    table[GATEWAY] = ProcessSpec(
        name=GATEWAY,
        kind="gateway",
        argv=(python, "-m", "gateway.http.server"),
        env={
            "GATEWAY_HOST": host,
            "GATEWAY_PORT": str(http_port),
            metrics_port_variable(GATEWAY): str(metrics_ports[GATEWAY]),
            "RPC_TIMEOUT": str(rpc_timeout),
        },
        metrics_port=metrics_ports[GATEWAY],
    )
    table[GRPC] = ProcessSpec(
        name=GRPC,
        kind="grpc",
        argv=(python, "-m", "gateway.grpc.server"),
        env={
            "GRPC_HOST": grpc_host or host,
            "GRPC_PORT": str(grpc_port),
            metrics_port_variable(GRPC): str(metrics_ports[GRPC]),
            "RPC_TIMEOUT": str(rpc_timeout),
        },
        metrics_port=metrics_ports[GRPC],
    )
    return table


def _port_is_free(port):
    # Bind the wildcard address: the metrics servers listen on 0.0.0.0, and a port taken on any
    # address would make them fail.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def free_ports(count, low=20000, high=32000):
    """`count` distinct ports that are free right now. Drawn below the kernel's ephemeral range
    (32768+) so an outgoing connection of some other process does not take one between this
    check and our bind; randomised so parallel test runs on one machine rarely collide."""
    chosen = []
    candidates = random.sample(range(low, high), k=min(high - low, count * 50))
    for port in candidates:
        if port not in chosen and _port_is_free(port):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise RuntimeError("could not find %d free ports in %d-%d" % (count, low, high))


def free_port_settings():
    """http_port, grpc_port and metrics_ports for a platform on free ports (tests)."""
    ports = free_ports(2 + len(PROCESS_NAMES))
    return {
        "http_port": ports[0],
        "grpc_port": ports[1],
        "metrics_ports": dict(zip(PROCESS_NAMES, ports[2:])),
    }


def _load_libc():
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None  # not Linux: the parent's stop() is the only cleanup


# Loaded here, not in the child: dlopen between fork and exec can deadlock in a threaded parent.
_LIBC = _load_libc()
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in the child before exec: ask Linux to SIGTERM it if the parent dies, so a parent
    killed with SIGKILL (a CI timeout) does not leave the platform running."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except FileNotFoundError:
        return "(no log at %s)\n" % path


class PlatformNotHealthy(RuntimeError):
    pass


class Platform:
    """Runs the process table on this machine.

    Every child gets its own process group (so stop/kill reach anything it spawned, and a Ctrl-C
    in the terminal reaches only the parent, which then stops the children in order) and appends
    to var_dir/logs/NAME.log.
    """

    def __init__(self, repo_root, var_dir, amqp_uri, http_port, grpc_port, metrics_ports,
                 rpc_timeout=5, extra_env=None, host=DEFAULT_HOST, grpc_host=None, python=None,
                 names=None):
        self.repo_root = os.path.abspath(repo_root)
        self.var_dir = os.path.abspath(var_dir)
        self.amqp_uri = amqp_uri
        self.host = host
        self.grpc_host = grpc_host or host
        self.http_port = http_port
        self.grpc_port = grpc_port
        self.metrics_ports = dict(metrics_ports)
        self.rpc_timeout = rpc_timeout
        self.extra_env = dict(extra_env or {})
        python = python or os.path.join(self.repo_root, ".venv", "bin", "python")
        if not os.path.exists(python):
            python = sys.executable
        self.specs = process_table(python, http_port, grpc_port, self.metrics_ports,
                                   rpc_timeout, host, self.grpc_host)
        # A subset (e.g. only the services) is useful when a gateway is not needed.
        self.names = tuple(names or self.specs)
        self.logs_dir = os.path.join(self.var_dir, "logs")
        self.processes = {}  # name -> Popen
        self._deliberate_exits = set()  # names we killed or stopped: not "unexpected" deaths

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def http_url(self):
        return "http://%s:%d" % (self.host, self.http_port)

    @property
    def grpc_target(self):
        return "%s:%d" % (self.grpc_host, self.grpc_port)

    def metrics_url(self, name):
        return "http://%s:%d/metrics" % (self.host, self.metrics_ports[name])

    @property
    def urls(self):
        return {
            "http": self.http_url,
            "openapi": self.http_url + "/api/v1/openapi.json",
            "docs": self.http_url + "/api/v1/docs",
            "healthz": self.http_url + "/healthz",
            "grpc": self.grpc_target,
            "metrics": {name: self.metrics_url(name) for name in self.names},
        }

    def log_path(self, name):
        return os.path.join(self.logs_dir, "%s.log" % name)

    def log_tail(self, name, lines=40):
        return tail(self.log_path(name), lines)

    # -- lifecycle ---------------------------------------------------------------------------------

    def _environment(self, spec):
        env = {k: v for k, v in os.environ.items() if k not in BACKEND_SELECTORS}
        env.update(
            AMQP_URI=self.amqp_uri,
            QUARTIER_VAR=self.var_dir,
            PYTHONUNBUFFERED="1",  # logs reach the file as they happen, not at exit
            # Children import the repository's packages (contracts, servicekit...) from the root.
            PYTHONPATH=os.pathsep.join(p for p in (self.repo_root, env.get("PYTHONPATH")) if p),
        )
        env.update(spec.env)
        env.update(self.extra_env)
        return env

    def start(self):
        os.makedirs(self.logs_dir, exist_ok=True)
        for name in self.names:
            self.start_process(name)
        return self

    def start_process(self, name):
        """Start (or restart) one process. Its log is appended to, with a marker per start."""
        current = self.processes.get(name)
        if current is not None and current.poll() is None:
            raise RuntimeError("%s is already running (pid %d)" % (name, current.pid))
        spec = self.specs[name]
        os.makedirs(self.logs_dir, exist_ok=True)
        with open(self.log_path(name), "ab") as log:
            log.write(("\n=== %s start %s: %s\n" % (
                time.strftime("%Y-%m-%d %H:%M:%S"), name, " ".join(spec.argv))).encode())
            log.flush()
            process = subprocess.Popen(
                spec.argv,
                cwd=self.repo_root,
                env=self._environment(spec),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.processes[name] = process
        self._deliberate_exits.discard(name)
        return process

    def _signal_group(self, process, signum):
        try:
            os.killpg(process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass  # already gone

    def kill(self, name):
        """SIGKILL one process (and its group) and reap it: a crash, as far as anyone can tell."""
        process = self.processes[name]
        self._deliberate_exits.add(name)
        self._signal_group(process, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, grace=STOP_GRACE_SECONDS):
        """SIGTERM every process group, wait up to `grace` seconds, then SIGKILL what is left.
        The gateways go first so they do not report services as down while those shut down."""
        running = [(n, p) for n, p in reversed(list(self.processes.items())) if p.poll() is None]
        self._deliberate_exits.update(self.processes)
        for _, process in running:
            self._signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _, process in running:
            # Also reaps any grandchild left in the group after its leader exited.
            self._signal_group(process, signal.SIGKILL)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def unexpected_exits(self):
        """name -> exit code of every process that died without us asking."""
        return {
            name: process.returncode
            for name, process in self.processes.items()
            if process.poll() is not None and name not in self._deliberate_exits
        }

    # -- health ------------------------------------------------------------------------------------

    def http_health(self, timeout=2.0):
        """(status code, body) of GET /healthz, or (None, error text) if it does not answer."""
        try:
            response = requests.get(self.http_url + "/healthz", timeout=timeout)
        except requests.RequestException as exc:
            return None, str(exc)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def grpc_health(self, service="", timeout=2.0):
        """The grpc.health.v1 status name for `service` ("" = the whole server), or an error
        text if the server does not answer."""
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        with grpc.insecure_channel(self.grpc_target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
            except grpc.RpcError as exc:
                return "error: %s" % exc.code().name
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

    def metrics_answer(self, name, timeout=2.0):
        try:
            return requests.get(self.metrics_url(name), timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def health_problems(self):
        """What stands between the platform and healthy, as readable lines; empty when healthy.
        Every process must serve /metrics (for the services this is the only sign of life when the
        platform runs without gateways); the gateways must report every service ok."""
        problems = []
        for name, code in sorted(self.unexpected_exits().items()):
            problems.append("%s exited with code %s" % (name, code))
        for name in self.names:
            if not self.metrics_answer(name):
                problems.append("%s: no /metrics on port %s" % (name, self.metrics_ports[name]))
        if GATEWAY in self.names:
            status, body = self.http_health()
            if status != 200:
                problems.append("GET /healthz -> %s %s" % (status, body))
        if GRPC in self.names:
            status = self.grpc_health()
            if status != "SERVING":
                problems.append("grpc health -> %s" % status)
        return problems

    def wait_healthy(self, timeout=60.0, interval=0.25):
        """Poll until /healthz answers 200 and the gRPC health service says SERVING. Returns the
        seconds it took; raises PlatformNotHealthy with every log's tail otherwise. A process that
        exits while we wait fails at once: it will not get healthier."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            problems = self.health_problems()
            if not problems:
                return time.monotonic() - started
            if self.unexpected_exits() or time.monotonic() >= deadline:
                raise PlatformNotHealthy(self.describe_failure(problems))
            time.sleep(interval)

    def describe_failure(self, problems, lines=25):
        parts = ["platform not healthy:"] + ["  " + p for p in problems]
        for name in self.names:
            parts.append("--- %s (%s) last %d lines ---" % (name, self.log_path(name), lines))
            parts.append(self.log_tail(name, lines).rstrip())
        return "\n".join(parts)
