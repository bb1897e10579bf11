"""A real Prometheus, configured from deploy/prometheus (only the addresses of this test's
platform and shorter intervals changed), scrapes every process, sees a business counter rise
after API calls, and fires the alert for a stopped service.

Needs the `prometheus` binary (Debian's package, installed by `make test` when it can); skipped
without it."""
import os
import shutil
import subprocess
import uuid

import pytest
import requests
import yaml

from deploy.local.processes import free_ports, tail
from tests.e2e import stack

PROMETHEUS = shutil.which("prometheus")
RULES_DIR = os.path.join(stack.REPO_ROOT, "deploy", "prometheus", "rules")
BASE_CONFIG = os.path.join(stack.REPO_ROOT, "deploy", "prometheus", "prometheus.yml")
RABBITMQ_METRICS = "127.0.0.1:15692"
# Test configuration: the rules' `for:` shortened so an outage fires in seconds, not minutes.
ALERT_FOR = "3s"

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(PROMETHEUS is None, reason="no prometheus binary (Debian: apt-get "
                       "install prometheus; `make test` installs it as root)"),
]


class PrometheusApi:
    def __init__(self, url):
        self.url = url

    def get(self, path, **params):
        response = requests.get(self.url + path, params=params, timeout=5)
        response.raise_for_status()
        return response.json()["data"]

    def query(self, expr):
        """The instant vector of `expr` as {frozenset(labels): float value}."""
        result = self.get("/api/v1/query", query=expr)["result"]
        return {frozenset(s["metric"].items()): float(s["value"][1]) for s in result}

    def target_health(self):
        return {(t["labels"]["job"], t["labels"].get("process", t["labels"]["instance"])):
                t["health"] for t in self.get("/api/v1/targets")["activeTargets"]}

    def firing(self, alertname):
        return [a["labels"] for a in self.get("/api/v1/alerts")["alerts"]
                if a["labels"]["alertname"] == alertname and a["state"] == "firing"]


def rabbitmq_metrics_answer():
    try:
        return requests.get("http://%s/metrics" % RABBITMQ_METRICS, timeout=2).ok
    except requests.RequestException:
        return False


def prometheus_configuration(platform, directory):
    """deploy/prometheus/prometheus.yml pointed at this platform's ports, scraping every second,
    with the alert rules' `for:` shortened."""
    with open(BASE_CONFIG) as handle:
        config = yaml.safe_load(handle)
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    jobs = []
    for job in config["scrape_configs"]:
        if job["job_name"] == "quartier":
            for group in job["static_configs"]:
                port = platform.metrics_ports[group["labels"]["process"]]
                group["targets"] = ["127.0.0.1:%d" % port]
        elif job["job_name"] == "rabbitmq" and not rabbitmq_metrics_answer():
            continue
        jobs.append(job)
    config["scrape_configs"] = jobs
    rule_files = []
    for name in ("recording.yml", "alerts.yml"):
        with open(os.path.join(RULES_DIR, name)) as handle:
            rules = yaml.safe_load(handle)
        for group in rules["groups"]:
            for rule in group["rules"]:
                if "alert" in rule and "for" in rule:
                    rule["for"] = ALERT_FOR
        path = os.path.join(directory, name)
        with open(path, "w") as handle:
            yaml.safe_dump(rules, handle)
        rule_files.append(path)
    config["rule_files"] = rule_files
    path = os.path.join(directory, "prometheus.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(config, handle)
    return path, [job["job_name"] for job in jobs]


@pytest.fixture(scope="module")
def own_platform(rabbit_admin, tmp_path_factory):
    """A platform of its own: these tests register residents and stop a service."""
    with stack.platform_of_its_own(rabbit_admin, tmp_path_factory, "prometheus") as running:
        yield running


@pytest.fixture(scope="module")
def prometheus(own_platform, tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("prometheus"))
    config, jobs = prometheus_configuration(own_platform.platform, directory)
    (port,) = free_ports(1)
    log_path = os.path.join(directory, "prometheus.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + directory + "/data",
             "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    api = PrometheusApi("http://127.0.0.1:%d" % port)
    api.jobs = jobs

    def ready():
        if process.poll() is not None:
            raise AssertionError("prometheus exited: " + tail(log_path))
        try:
            return requests.get(api.url + "/-/ready", timeout=1).ok
        except requests.RequestException:
            return False

    try:
        stack.wait_until(ready, timeout=30)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_every_process_is_a_target_and_up(prometheus, own_platform):
    expected = {("quartier", name): "up" for name in own_platform.platform.names}
    if "rabbitmq" in prometheus.jobs:
        expected[("rabbitmq", RABBITMQ_METRICS)] = "up"
    stack.wait_until(lambda: prometheus.target_health() == expected, timeout=30,
                     describe=lambda _: prometheus.target_health())


def register_resident(running, code):
    response = requests.post(running.platform.http_url + "/api/v1/auth/register", json={
        "invitation_code": code, "email": "%s@example.org" % uuid.uuid4().hex[:10],
        "password": "a long passphrase 1", "display_name": "Prometheus Tester", "language": "fr",
    }, timeout=10)
    assert response.status_code == 201, response.text


def test_the_registration_rate_rises_after_residents_register(prometheus, own_platform):
    selector = 'quartier_registrations_total{municipality="%s"}' % own_platform.municipality_id
    # The demo seed registered residents already, so the series exists (a counter's series is
    # born with its first increment, and rate() cannot see that first step).
    _, before = stack.wait_until(lambda: prometheus.query(selector), timeout=15)
    (count_before,) = before.values()
    for invitation in own_platform.credentials["invitation_codes"][:2]:
        register_resident(own_platform, invitation["code"])
    stack.wait_until(lambda: list(prometheus.query(selector).values()) == [count_before + 2],
                     timeout=20, describe=lambda _: prometheus.query(selector))
    (rate,) = prometheus.query("sum(rate(%s[30s]))" % selector).values()
    assert rate > 0


def test_stopping_a_service_fires_its_alerts(prometheus, own_platform):
    platform = own_platform.platform
    platform.kill("translation")
    try:
        _, alerts = stack.wait_until(
            lambda: [a for a in prometheus.firing("QuartierProcessDown")
                     if a["process"] == "translation"],
            timeout=30, describe=lambda _: prometheus.get("/api/v1/alerts"))
        assert alerts[0]["severity"] == "page"
        if "rabbitmq" in prometheus.jobs:
            stack.wait_until(
                lambda: [a for a in prometheus.firing("QuartierServiceWithoutConsumers")
                         if a["queue"] == "rpc-translation" and a["vhost"] == own_platform.vhost],
                timeout=30, describe=lambda _: prometheus.get("/api/v1/alerts"))
        assert not [a for a in prometheus.firing("QuartierProcessDown")
                    if a["process"] != "translation"]
    finally:
        platform.start_process("translation")
        platform.wait_healthy(60)


def publish(running, token, title):
    response = requests.post(
        running.platform.http_url + "/api/v1/posts",
        json={"category": "message", "title": title, "body": "Counted by Prometheus"},
        headers={"Authorization": "Bearer " + token}, timeout=10)
    assert response.status_code == 201, response.text


def test_the_post_rate_rises_after_posts_are_made_through_the_gateway(prometheus, own_platform):
    resident = own_platform.credentials["residents"][0]
    response = requests.post(own_platform.platform.http_url + "/api/v1/auth/login", json={
        "email": resident["email"], "password": resident["password"]}, timeout=10)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    selector = 'quartier_posts_created_total{municipality="%s", category="message"}' % (
        own_platform.municipality_id)
    # The first post creates the labelled series (rate() cannot see a series' birth) ...
    publish(own_platform, token, "First")
    _, first = stack.wait_until(lambda: prometheus.query(selector), timeout=15)
    (count_before,) = first.values()
    # ... the next ones make it rise.
    for title in ("Second", "Third"):
        publish(own_platform, token, title)
    stack.wait_until(lambda: list(prometheus.query(selector).values()) == [count_before + 2],
                     timeout=20, describe=lambda _: prometheus.query(selector))
    (rate,) = prometheus.query("sum(rate(%s[30s]))" % selector).values()
    assert rate > 0
