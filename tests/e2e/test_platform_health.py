"""The whole platform comes up healthy and observable: health over HTTP and gRPC, Prometheus
metrics on every process, the API description, the demo seed."""
import json
import os

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from contracts import services
from deploy.local import seed
from deploy.local.processes import GATEWAY, GRPC, PROCESS_NAMES
from servicekit.rpc_client import RpcClient

pytestmark = pytest.mark.timeout(120)

HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check"


def test_healthz_answers_200_with_all_six_services_ok(healthy_platform):
    response = healthy_platform.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "services": {name: "ok" for name in services.ALL},
    }


def test_grpc_health_service_reports_serving(healthy_platform):
    assert healthy_platform.platform.grpc_health("") == "SERVING"


def _scrape(platform, name):
    response = requests.get(platform.metrics_url(name), timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    # The parser raises on anything Prometheus could not ingest.
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def _bucket_labels(family):
    return [s.labels for s in family.samples if s.name == family.name + "_bucket"]


@pytest.mark.parametrize("service", services.ALL)
def test_service_metrics_expose_an_entrypoint_latency_histogram(healthy_platform, service):
    families = _scrape(healthy_platform.platform, service)
    family = families["quartier_entrypoint_duration_seconds"]
    assert family.type == "histogram"
    assert any(labels["service"] == service and labels["entrypoint"] == "health"
               for labels in _bucket_labels(family))


def test_gateway_metrics_expose_the_http_latency_histogram(healthy_platform):
    healthy_platform.get("/healthz")  # at least one request measured
    family = _scrape(healthy_platform.platform, GATEWAY)["quartier_http_request_duration_seconds"]
    assert family.type == "histogram"
    assert _bucket_labels(family), "no HTTP request measured"


def test_grpc_metrics_expose_the_grpc_latency_histogram(healthy_platform):
    assert healthy_platform.platform.grpc_health("") == "SERVING"  # at least one call measured
    family = _scrape(healthy_platform.platform, GRPC)["quartier_grpc_request_duration_seconds"]
    assert family.type == "histogram"
    assert any(labels["method"] == HEALTH_CHECK_METHOD for labels in _bucket_labels(family))


def test_every_process_serves_metrics_on_its_own_port(healthy_platform):
    ports = healthy_platform.platform.metrics_ports
    assert sorted(ports) == sorted(PROCESS_NAMES)
    assert len(set(ports.values())) == len(ports)
    for name in PROCESS_NAMES:
        assert requests.get(healthy_platform.platform.metrics_url(name), timeout=5).ok, name


def test_openapi_document_is_served_as_json_with_paths(healthy_platform):
    response = healthy_platform.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/municipalities/{municipality_id}" in document["paths"]


def test_api_docs_page_is_served(healthy_platform):
    response = healthy_platform.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


def test_demo_seed_writes_credentials_once_and_replays_as_a_no_op(healthy_platform):
    var_dir = healthy_platform.platform.var_dir
    path = seed.credentials_path(var_dir)
    with open(path) as handle:
        written = json.load(handle)
    assert {"admin", "staff", "moderator", "municipality_id", "residents",
            "invitation_codes"} <= set(written)
    assert written["municipality_id"] == healthy_platform.municipality_id
    assert os.stat(path).st_mode & 0o077 == 0, "credentials must be readable by the owner only"
    with RpcClient(healthy_platform.platform.amqp_uri, client_name="e2e-seed") as client:
        again, created = seed.seed_demo(client, var_dir)
    assert not created
    assert again == written


def test_seeded_municipality_is_readable_through_the_gateway(healthy_platform):
    response = healthy_platform.get_municipality()
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == healthy_platform.municipality_id
    assert body["slug"] == "demo"
    assert body["languages"] == ["fr", "de", "en", "nl", "pt", "lb"]
