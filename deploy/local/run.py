"""`python -m deploy.local.run` (what `make run` calls): the whole platform on this machine.

Makes sure the broker answers, starts the seven services, the HTTP gateway and the gRPC server,
waits until they report healthy, seeds the demo municipality on first start, prints where
everything is, and stays in the foreground until Ctrl-C or SIGTERM, when it stops every process.
A process that dies on its own is reported with its log tail; the others keep running.

Every address is overridable by environment: GATEWAY_HOST, GATEWAY_PORT, GRPC_HOST, GRPC_PORT,
<NAME>_METRICS_PORT (GATEWAY_, IDENTITY_, ..., GRPC_), RPC_TIMEOUT, AMQP_URI, QUARTIER_VAR.
"""
import os
import signal
import subprocess
import sys
import time

from contracts.errors import DomainError
from deploy.local import processes, seed
from deploy.local.processes import Platform, PlatformNotHealthy
from servicekit.rpc_client import RpcClient

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEALTH_TIMEOUT = 60.0
WATCH_INTERVAL = 0.5


def settings_from_environment(env=os.environ):
    metrics_ports = {
        name: int(env.get(processes.metrics_port_variable(name), default))
        for name, default in processes.DEFAULT_METRICS_PORTS.items()
    }
    var_dir = env.get("QUARTIER_VAR") or os.path.join(REPO_ROOT, "var")
    return {
        "repo_root": REPO_ROOT,
        "var_dir": os.path.abspath(var_dir),
        "amqp_uri": env.get("AMQP_URI", processes.DEFAULT_AMQP_URI),
        "host": env.get("GATEWAY_HOST", processes.DEFAULT_HOST),
        "grpc_host": env.get("GRPC_HOST", processes.DEFAULT_HOST),
        "http_port": int(env.get("GATEWAY_PORT", processes.DEFAULT_HTTP_PORT)),
        "grpc_port": int(env.get("GRPC_PORT", processes.DEFAULT_GRPC_PORT)),
        "metrics_ports": metrics_ports,
        "rpc_timeout": float(env.get("RPC_TIMEOUT", 5)),
        # Production back ends only when the operator asked for them.
        "extra_env": {k: env[k] for k in processes.BACKEND_SELECTORS if env.get(k)},
    }


def ensure_broker(amqp_uri):
    script = os.path.join(REPO_ROOT, "deploy", "local", "ensure_broker.sh")
    env = dict(os.environ, AMQP_URI=amqp_uri)
    return subprocess.run([script], env=env, stdin=subprocess.DEVNULL).returncode == 0


def say(text=""):
    print(text, flush=True)


def print_addresses(platform, credentials_file, credentials):
    urls = platform.urls
    say()
    say("Quartier is running.")
    say("  web app       %s/" % urls["http"])
    say("  HTTP API      %s/api/v1" % urls["http"])
    say("  OpenAPI       %s" % urls["openapi"])
    say("  API docs      %s" % urls["docs"])
    say("  health        %s" % urls["healthz"])
    say("  gRPC          %s" % urls["grpc"])
    say("  metrics")
    for name, url in urls["metrics"].items():
        say("    %-14s %s" % (name, url))
    say("  logs          %s" % platform.logs_dir)
    say("  demo          %s" % credentials_file)
    say("    municipality %s" % credentials.get("municipality_id"))
    for role in ("admin", "staff", "moderator"):
        account = credentials.get(role)
        if account:
            say("    %-12s %s / %s" % (role, account["email"], account["password"]))
    if credentials.get("note"):
        say("    (%s)" % credentials["note"])
    say()
    say("Ctrl-C stops everything.")


def report_exit(platform, name, code):
    say()
    say("!! %s exited unexpectedly (code %s); the other processes keep running." % (name, code))
    say("!! last lines of %s:" % platform.log_path(name))
    for line in platform.log_tail(name, 30).rstrip().splitlines():
        say("   | " + line)


def watch(platform):
    """Foreground loop until interrupted: report each process that dies on its own, once."""
    reported = set()
    while True:
        for name, code in platform.unexpected_exits().items():
            if name not in reported:
                reported.add(name)
                report_exit(platform, name, code)
        time.sleep(WATCH_INTERVAL)


def seed_demo(settings):
    client = RpcClient(settings["amqp_uri"], client_name="seed").start()
    try:
        return seed.seed_demo(client, settings["var_dir"])[0]
    except DomainError as exc:
        # The platform is usable without demo data: say so and keep running.
        say("demo seed failed (%s: %s); the platform runs without it" % (exc.code, exc.message))
        return {}
    finally:
        client.stop()


def interrupt(signum, _frame):
    raise KeyboardInterrupt


def main():
    settings = settings_from_environment()
    if not ensure_broker(settings["amqp_uri"]):
        return 1
    platform = Platform(**settings)
    # SIGTERM (a supervisor, `kill`) stops the platform like Ctrl-C. SIGINT is set explicitly:
    # a shell starts background jobs with SIGINT ignored, and Python would then keep ignoring it.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    say("starting %d processes; logs in %s" % (len(platform.names), platform.logs_dir))
    try:
        platform.start()
        seconds = platform.wait_healthy(HEALTH_TIMEOUT)
        say("healthy after %.1fs" % seconds)
        credentials = seed_demo(settings)
        print_addresses(platform, seed.credentials_path(settings["var_dir"]), credentials)
        watch(platform)
    except PlatformNotHealthy as exc:
        say(str(exc))
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C must not abandon the children half-stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say("\nstopping...")
        platform.stop()
        say("stopped.")


if __name__ == "__main__":
    sys.exit(main())
