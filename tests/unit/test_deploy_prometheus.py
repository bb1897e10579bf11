"""deploy/prometheus: the configurations and rules load in Prometheus (promtool), the alerts fire
on the series an outage produces (promtool's rule unit tests), every process of the platform is
scraped, and no rule reads a metric that nothing exposes.

promtool comes with Debian's `prometheus` package; `make test` installs it when it can
(deploy/local/ensure_prometheus.sh). Without it the promtool checks skip, saying so."""
import os
import shutil
import subprocess

import pytest
import yaml

from deploy.local.processes import DEFAULT_METRICS_PORTS, PROCESS_NAMES
from tests.promql_names import unknown_names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMETHEUS_DIR = os.path.join(REPO, "deploy", "prometheus")
CONFIGS = ("prometheus.yml", "prometheus.compose.yml", "prometheus.kubernetes.yml")
RULE_FILES = ("rules/recording.yml", "rules/alerts.yml")
PROMTOOL_TESTS = ("tests/alerts.test.yml", "tests/slow-burn.test.yml")
PROMTOOL = shutil.which("promtool")

needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not installed (Debian: apt-get install prometheus; `make test` does it as "
           "root via deploy/local/ensure_prometheus.sh)")


def promtool(*args):
    result = subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS_DIR, capture_output=True,
                            text=True, timeout=60)
    output = result.stdout + result.stderr
    if "field kubernetes_sd_configs not found" in output:
        # Debian builds Prometheus without Kubernetes discovery; upstream builds have it.
        pytest.skip("this promtool build has no Kubernetes service discovery")
    assert result.returncode == 0, output
    return result.stdout


def load(relative):
    with open(os.path.join(PROMETHEUS_DIR, relative)) as handle:
        return yaml.safe_load(handle)


def all_rules():
    return [rule for name in RULE_FILES
            for group in load(name)["groups"] for rule in group["rules"]]


@needs_promtool
@pytest.mark.parametrize("config", CONFIGS)
def test_promtool_accepts_the_configuration(config):
    assert "SUCCESS" in promtool("check", "config", config)


@needs_promtool
def test_promtool_accepts_the_rules():
    promtool("check", "rules", *RULE_FILES)


@needs_promtool
def test_the_alerts_fire_on_outages_and_stay_quiet_otherwise():
    promtool("test", "rules", *PROMTOOL_TESTS)


def test_make_run_config_scrapes_every_process_on_its_port():
    (job,) = [j for j in load("prometheus.yml")["scrape_configs"] if j["job_name"] == "quartier"]
    scraped = {group["labels"]["process"]: group["targets"] for group in job["static_configs"]}
    assert scraped == {
        name: ["127.0.0.1:%d" % DEFAULT_METRICS_PORTS[name]] for name in PROCESS_NAMES
    }


def test_compose_config_scrapes_every_process_as_job_quartier():
    jobs = load("prometheus.compose.yml")["scrape_configs"]
    processes = {}
    for job in jobs:
        if not job["job_name"].startswith("quartier-"):
            continue
        labels = {r["target_label"]: r["replacement"] for r in job["relabel_configs"]}
        assert labels["job"] == "quartier"
        (discovery,) = job["dns_sd_configs"]
        processes[labels["process"]] = discovery["port"]
    assert processes == {name: DEFAULT_METRICS_PORTS[name] for name in PROCESS_NAMES}


def test_kubernetes_config_labels_pods_like_the_other_configs():
    (job,) = [j for j in load("prometheus.kubernetes.yml")["scrape_configs"]
              if j["job_name"] == "quartier"]
    targets = {r.get("target_label"): r["source_labels"] for r in job["relabel_configs"]}
    assert targets["process"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    assert "__address__" in targets and "__metrics_path__" in targets


def test_every_config_scrapes_rabbitmq_per_queue():
    for config in CONFIGS:
        (job,) = [j for j in load(config)["scrape_configs"] if j["job_name"] == "rabbitmq"]
        assert job["metrics_path"] == "/metrics/per-object"


def test_rules_read_only_metrics_that_exist():
    recorded = {rule["record"] for rule in all_rules() if "record" in rule}
    problems = {
        rule.get("record") or rule["alert"]: unknown_names(rule["expr"], recorded)
        for rule in all_rules()
    }
    assert {name: names for name, names in problems.items() if names} == {}


def test_every_alert_has_a_severity_and_a_runbook_entry():
    with open(os.path.join(REPO, "docs", "operations.md")) as handle:
        operations = handle.read().lower()
    for rule in all_rules():
        if "alert" not in rule:
            continue
        assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
        anchor = rule["annotations"]["runbook"].split("#")[1]
        assert "### %s" % anchor in operations, "no runbook entry for %s" % rule["alert"]


def test_the_name_check_catches_a_typo():
    assert unknown_names('sum(rate(quartier_post_created_total{municipality="m"}[5m]))') == {
        "quartier_post_created_total"}
    assert unknown_names("rate(quartier_posts_created_total[$__rate_interval])") == set()


def test_every_alert_is_proven_to_fire_and_to_stay_quiet_by_a_promtool_case():
    alerts = {rule["alert"] for rule in all_rules() if "alert" in rule}
    fires, quiet = set(), set()
    for case in [case for name in PROMTOOL_TESTS for case in load(name)["tests"]]:
        for check in case["alert_rule_test"]:
            (fires if check["exp_alerts"] else quiet).add(check["alertname"])
    assert alerts - fires == set(), "no promtool case shows these firing"
    assert alerts - quiet == set(), "no promtool case shows these quiet"
