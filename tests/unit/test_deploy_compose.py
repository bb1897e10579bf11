"""deploy/compose and deploy/docker: one host runs every Quartier process from one image beside
RabbitMQ (management + prometheus plugins), a MongoDB replica set, Elasticsearch, Prometheus and
Grafana; everything has a health check; secrets come only from the uncommitted .env.

No Docker engine is needed: the file is checked structurally; `docker compose config` runs too
when a compose CLI is installed."""
import os
import re
import shutil
import subprocess

import pytest
import yaml

from deploy.local.processes import PROCESS_NAMES, SERVICE_CLASSES

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPOSE_DIR = os.path.join(REPO, "deploy", "compose")
COMPOSE_FILE = os.path.join(COMPOSE_DIR, "docker-compose.yml")
INFRASTRUCTURE = ("rabbitmq", "mongodb", "elasticsearch", "prometheus", "grafana")
ONE_SHOT = ("mongodb-init",)
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|_PASS$|TOKEN")
_REFERENCE = re.compile(r"\$\{(\w+)(:?[?-])?([^}]*)\}")


def read(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return handle.read()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(read("deploy", "compose", "docker-compose.yml"))


def test_every_process_runs_from_the_one_image_chosen_by_its_command(compose):
    services = compose["services"]
    assert set(PROCESS_NAMES) | set(INFRASTRUCTURE) | set(ONE_SHOT) == set(services)
    for name in PROCESS_NAMES:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/docker/Dockerfile", name
        assert service["image"] == services["gateway"]["image"], name
        assert service["command"] == [name]


def test_the_image_entrypoint_knows_every_service_class():
    entrypoint = read("deploy", "docker", "entrypoint.sh")
    for name, cls in SERVICE_CLASSES.items():
        assert re.search(r"^\s+%s\)\s+service %s %s " % (name, name, cls), entrypoint, re.M), name
    for name in ("gateway", "grpc", "healthcheck"):
        assert re.search(r"^\s+%s\)" % name, entrypoint, re.M), name


def test_the_image_runs_as_a_non_root_user():
    dockerfile = read("deploy", "docker", "Dockerfile")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0"), users
    assert re.search(r'^ENTRYPOINT \["quartier"\]', dockerfile, re.M)


def test_every_long_running_container_has_a_health_check(compose):
    for name, service in compose["services"].items():
        if name in ONE_SHOT:
            assert service["restart"] == "no"
            continue
        check = service.get("healthcheck")
        assert check and check["test"], "%s has no health check" % name
        assert check.get("timeout"), "%s: a health check without timeout can hang" % name


def test_services_wait_for_a_healthy_broker_and_an_initiated_replica_set(compose):
    for name in SERVICE_CLASSES:
        depends = compose["services"][name]["depends_on"]
        assert depends["rabbitmq"]["condition"] == "service_healthy"
        assert depends["mongodb-init"]["condition"] == "service_completed_successfully"


def test_infrastructure_is_configured_for_quartier(compose):
    services = compose["services"]
    plugins = read("deploy", "compose", "rabbitmq", "enabled_plugins")
    assert "rabbitmq_prometheus" in plugins and "rabbitmq_management" in plugins
    assert "--replSet rs0" in " ".join(services["mongodb"]["entrypoint"])
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"
    assert any(v.startswith("../prometheus/prometheus.compose.yml:")
               for v in services["prometheus"]["volumes"])
    uri = services["feed"]["environment"]["MONGO_URI"]
    assert "replicaSet=rs0" in uri and "w=majority" in uri


def _environment_values(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            yield name, key, str(value)


def test_no_secret_is_written_in_the_compose_file(compose):
    for name, key, value in _environment_values(compose):
        if _SECRET_NAME.search(key):
            assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", value), (name, key, value)
        for reference in _REFERENCE.finditer(value):
            variable, operator, default = reference.groups()
            if _SECRET_NAME.search(variable):
                assert operator == ":?", "%s: %s must come from .env, no default" % (name, key)
        # A password in a URI only through a variable (a fixed user name is no secret).
        for user_info in re.findall(r"://(.+?)@", value):
            assert re.fullmatch(r"[\w.-]*:", _REFERENCE.sub("", user_info)), (name, key)


def test_every_required_variable_is_in_the_committed_example_and_env_is_ignored(compose):
    text = read("deploy", "compose", "docker-compose.yml")
    required = {m.group(1) for m in _REFERENCE.finditer(text) if m.group(2) == ":?"}
    example = read("deploy", "compose", ".env.example")
    listed = set(re.findall(r"^(\w+)=", example, re.M))
    assert required <= listed, required - listed
    ignored = subprocess.run(["git", "check-ignore", "-q", "deploy/compose/.env"], cwd=REPO)
    assert ignored.returncode == 0, ".env must be ignored by git"


def test_metrics_ports_match_what_prometheus_scrapes(compose):
    for name, key, _value in _environment_values(compose):
        assert not key.endswith("_METRICS_PORT"), "%s moves its metrics port" % name


def _compose_cli():
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]):
            probe = subprocess.run(command + ["version"], capture_output=True)
            if probe.returncode == 0:
                return command
    return None


@pytest.mark.skipif(_compose_cli() is None, reason="no docker compose CLI on this machine")
def test_docker_compose_accepts_the_file(tmp_path):
    env = os.path.join(COMPOSE_DIR, ".env.example")
    result = subprocess.run(_compose_cli() + ["--env-file", env, "-f", COMPOSE_FILE, "config",
                                              "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_gateway_learns_its_trusted_proxies_from_env_and_identity_its_device_key(compose):
    """Behind a proxy every client would share one limit: the setting comes from .env, where the
    example explains it, and must mean something to the gateway."""
    from gateway.http.client_address import parse_trusted_proxies

    gateway = compose["services"]["gateway"]["environment"]
    assert gateway["GATEWAY_TRUSTED_PROXIES"] == "${GATEWAY_TRUSTED_PROXIES:-}"
    example = read("deploy", "compose", ".env.example")
    (setting,) = re.findall(r"^GATEWAY_TRUSTED_PROXIES=(.*)$", example, re.M)
    parse_trusted_proxies(setting)
    identity = compose["services"]["identity"]["environment"]
    assert identity["QUARTIER_DEVICE_TOKEN_SECRET"].startswith("${QUARTIER_DEVICE_TOKEN_SECRET:?")
