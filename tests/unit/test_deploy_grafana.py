"""deploy/grafana: the provisioned dashboards load (valid JSON, unique uids, the provisioned
datasource) and every panel and variable reads metrics that exist — a renamed metric or a typo
would otherwise show as an empty graph in front of an operator at the worst moment."""
import glob
import json
import os
import re

import pytest
import yaml

from tests.promql_names import unknown_names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRAFANA = os.path.join(REPO, "deploy", "grafana")
DASHBOARDS = sorted(glob.glob(os.path.join(GRAFANA, "dashboards", "*.json")))
RULE_FILES = [os.path.join(REPO, "deploy", "prometheus", "rules", n)
              for n in ("recording.yml", "alerts.yml")]
_LABEL_VALUES = re.compile(r"label_values\((?:(.+),\s*)?(\w+)\)")


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def recorded_series():
    return {rule["record"] for path in RULE_FILES for group in load_yaml(path)["groups"]
            for rule in group["rules"] if "record" in rule}


def panels(dashboard):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", ())  # panels inside a collapsed row


def load_dashboard(path):
    with open(path) as handle:
        return json.load(handle)


def provisioned_datasource_uid():
    (source,) = load_yaml(os.path.join(GRAFANA, "provisioning", "datasources",
                                       "prometheus.yml"))["datasources"]
    return source["uid"]


def test_the_three_dashboards_are_there_with_unique_uids():
    uids = [load_dashboard(path)["uid"] for path in DASHBOARDS]
    assert sorted(uids) == ["quartier-business", "quartier-overview", "quartier-rabbitmq"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=os.path.basename)
def test_every_panel_queries_the_provisioned_prometheus_for_existing_metrics(path):
    dashboard = load_dashboard(path)
    uid = provisioned_datasource_uid()
    recorded = recorded_series()
    problems = []
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["targets"], "panel %r queries nothing" % panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid, panel["title"]
            unknown = unknown_names(target["expr"], recorded)
            if unknown:
                problems.append((panel["title"], sorted(unknown)))
    assert problems == []


@pytest.mark.parametrize("path", DASHBOARDS, ids=os.path.basename)
def test_every_variable_lists_values_of_an_existing_metric(path):
    for variable in load_dashboard(path)["templating"]["list"]:
        metric, _label = _LABEL_VALUES.fullmatch(variable["query"]["query"]).groups()
        assert unknown_names(metric) == set(), variable["name"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=os.path.basename)
def test_panels_do_not_overlap(path):
    taken = set()
    for panel in load_dashboard(path)["panels"]:
        box = panel["gridPos"]
        cells = {(x, y) for x in range(box["x"], box["x"] + box["w"])
                 for y in range(box["y"], box["y"] + box["h"])}
        assert not cells & taken, "%r overlaps another panel" % panel["title"]
        taken |= cells


def test_business_dashboard_shows_posts_registrations_and_participation():
    text = json.dumps(load_dashboard(os.path.join(GRAFANA, "dashboards", "business.json")))
    for metric in ("quartier_posts_created", "quartier_registrations", "quartier_ballots_cast",
                   "quartier_survey_responses", "quartier_content_moderated"):
        assert metric in text, metric


def test_dashboards_provider_points_where_compose_mounts_them():
    (provider,) = load_yaml(os.path.join(GRAFANA, "provisioning", "dashboards",
                                         "quartier.yml"))["providers"]
    compose = load_yaml(os.path.join(REPO, "deploy", "compose", "docker-compose.yml"))
    mounts = compose["services"]["grafana"]["volumes"]
    assert any(m.endswith(":" + provider["options"]["path"] + ":ro") for m in mounts), mounts
