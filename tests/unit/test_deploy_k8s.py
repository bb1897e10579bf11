"""deploy/k8s: every manifest is valid against the Kubernetes API schemas (kubernetes-validate,
offline, strict: unknown fields are errors), the kustomizations build, and the things an
operator relies on hold: every process deployed from the one image with probes, resources,
several non-root replicas, metrics annotations Prometheus can use, HPAs for feed and gateway in
production, secrets only by reference, majority writes in the MongoDB URI."""
import glob
import os
import re
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from deploy.local.processes import DEFAULT_METRICS_PORTS, PROCESS_NAMES

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K8S = os.path.join(REPO, "deploy", "k8s")
BASE = os.path.join(K8S, "base")
PRODUCTION = os.path.join(K8S, "overlays", "production")
KUBERNETES_VERSION = "1.30.0"  # oldest release the manifests target (native gRPC probes: 1.27)
KUBECTL = shutil.which("kubectl")


def load_all(path):
    with open(path) as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def kustomization(directory):
    return load_all(os.path.join(directory, "kustomization.yaml"))[0]


def base_resources():
    """The base's objects, read the way kustomize lists them (without its transformations)."""
    return [doc for name in kustomization(BASE)["resources"]
            for doc in load_all(os.path.join(BASE, name))]


def built(directory):
    result = subprocess.run([KUBECTL, "kustomize", directory], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def manifest_files():
    return sorted(glob.glob(os.path.join(K8S, "**", "*.yaml"), recursive=True))


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: os.path.relpath(p, K8S))
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path):
    for doc in load_all(path):
        if doc.get("kind") == "Kustomization":
            continue
        if os.path.dirname(path) == PRODUCTION and doc["kind"] == "Deployment":
            continue  # a strategic-merge patch: partial by design, validated once built below
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_resources_and_patches_exist():
    for directory in (BASE, PRODUCTION):
        spec = kustomization(directory)
        for entry in spec.get("resources", []) + [p["path"] for p in spec.get("patches", [])]:
            target = os.path.normpath(os.path.join(directory, entry))
            assert os.path.isfile(target) or os.path.isfile(
                os.path.join(target, "kustomization.yaml")), "%s: missing %s" % (directory, entry)


def test_every_process_is_deployed_from_the_one_image_with_its_command():
    deployments = by_kind(base_resources(), "Deployment")
    assert set(deployments) == set(PROCESS_NAMES)
    for name, deployment in deployments.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == "quartier" and container["args"] == [name]


def check_deployment(name, deployment, min_replicas):
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    assert spec["replicas"] >= min_replicas, name
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"]
    (container,) = pod["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container.get(probe), "%s has no %s" % (name, probe)
        assert container[probe].get("timeoutSeconds"), "%s: %s without timeout" % (name, probe)
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, bound)
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    annotations = spec["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(DEFAULT_METRICS_PORTS[name])
    assert {"name": "metrics", "containerPort": DEFAULT_METRICS_PORTS[name]} in container["ports"]


def test_base_deployments_are_probed_bounded_non_root_and_replicated():
    for name, deployment in by_kind(base_resources(), "Deployment").items():
        check_deployment(name, deployment, min_replicas=2)


def test_services_route_to_named_container_ports():
    docs = base_resources()
    deployments = by_kind(docs, "Deployment")
    for name, service in by_kind(docs, "Service").items():
        target = deployments[service["spec"]["selector"]["app.kubernetes.io/name"]]
        (container,) = target["spec"]["template"]["spec"]["containers"]
        names = {port["name"] for port in container["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names, (name, port)


def test_configuration_and_secrets_are_referenced_not_written():
    docs = base_resources()
    config_maps = by_kind(docs, "ConfigMap")
    example = open(os.path.join(BASE, "secrets.env.example")).read()
    secret_keys = set(re.findall(r"^(\w+)=", example, re.M))
    assert not by_kind(docs, "Secret"), "secrets do not belong in the repository"
    for name, deployment in by_kind(docs, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        for source in container.get("envFrom", []):
            assert source["configMapRef"]["name"] in config_maps
        for variable in container.get("env", []):
            assert "value" not in variable, "%s sets %s inline" % (name, variable["name"])
            reference = variable["valueFrom"]["secretKeyRef"]
            assert reference["name"] == "quartier-secrets" and reference["key"] in secret_keys


def test_mongodb_uri_asks_for_majority_writes_on_a_replica_set():
    example = open(os.path.join(BASE, "secrets.env.example")).read()
    (uri,) = re.findall(r"^MONGO_URI=(.+)$", example, re.M)
    assert "replicaSet=" in uri and "w=majority" in uri


def test_rabbitmq_definitions_make_the_service_queues_quorum_queues():
    import json

    with open(os.path.join(K8S, "rabbitmq", "definitions.json")) as handle:
        definitions = json.load(handle)
    (vhost,) = definitions["vhosts"]
    assert vhost["default_queue_type"] == "quorum"
    patterns = {p["pattern"] for p in definitions["policies"] if p["apply-to"] == "quorum_queues"}
    assert patterns == {"^rpc-", "^evt-"}


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (with kustomize) not installed")
def test_production_builds_with_three_replicas_and_autoscaled_feed_and_gateway():
    docs = built(PRODUCTION)
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    deployments = by_kind(docs, "Deployment")
    for name, deployment in deployments.items():
        check_deployment(name, deployment, min_replicas=3)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith("registry.example.org/quartier/quartier:")
        assert deployment["metadata"]["namespace"] == "quartier"
    autoscalers = by_kind(docs, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {"feed", "gateway"}
    for name, hpa in autoscalers.items():
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                 "name": name}
        assert hpa["spec"]["minReplicas"] >= 3 and hpa["spec"]["maxReplicas"] > 3
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["resources"]["requests"]["cpu"] == "500m"  # the HPA's 100 %


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (with kustomize) not installed")
def test_base_builds():
    assert {doc["kind"] for doc in built(BASE)} >= {"Namespace", "ConfigMap", "Deployment",
                                                     "Service", "PodDisruptionBudget"}


def test_the_gateway_trusts_the_ingress_in_front_of_it_and_identity_shares_a_device_key():
    """Behind the Ingress every request comes from the controller: without the setting the
    per-client limits (failed codes, failed logins) would be the whole city's."""
    from gateway.http.client_address import parse_trusted_proxies

    docs = base_resources()
    config = by_kind(docs, "ConfigMap")["quartier-config"]["data"]
    assert parse_trusted_proxies(config["GATEWAY_TRUSTED_PROXIES"]).hops == 1
    (gateway,) = by_kind(docs, "Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    assert {"configMapRef": {"name": "quartier-config"}} in gateway["envFrom"]
    (identity,) = by_kind(docs, "Deployment")["identity"]["spec"]["template"]["spec"][
        "containers"]
    assert "QUARTIER_DEVICE_TOKEN_SECRET" in {variable["name"] for variable in identity["env"]}


def test_only_the_gateway_and_grpc_ports_are_open_and_metrics_only_to_monitoring():
    """A pod elsewhere in the cluster reaches no service and no metrics port: ingress is denied by
    default, the public edges open their own port only, Prometheus's namespace the metrics ports."""
    policies = by_kind(base_resources(), "NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"]
    assert "ingress" not in deny
    edges = policies["public-edges"]["spec"]
    assert edges["podSelector"]["matchExpressions"][0]["values"] == ["gateway", "grpc"]
    assert [port["port"] for rule in edges["ingress"] for port in rule["ports"]] == ["http", "grpc"]
    metrics = policies["metrics-from-monitoring"]["spec"]["ingress"]
    assert [port["port"] for rule in metrics for port in rule["ports"]] == ["metrics"]
    assert all(rule["from"] for rule in metrics)
    # every process names its metrics port, so the policy's named port reaches all of them
    for deployment in by_kind(base_resources(), "Deployment").values():
        ports = deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert "metrics" in {port["name"] for port in ports}, deployment["metadata"]["name"]
