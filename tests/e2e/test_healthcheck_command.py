"""The container health command against a running platform: a service that runs passes, one
that is not running on this broker fails within its timeout."""
import os
import subprocess
import sys

import pytest

from contracts import services

pytestmark = pytest.mark.timeout(60)


def run_healthcheck(platform, *args):
    env = dict(os.environ, AMQP_URI=platform.amqp_uri)
    return subprocess.run([sys.executable, "-m", "servicekit.healthcheck", *args], env=env,
                          cwd=platform.repo_root, capture_output=True, text=True, timeout=30)


def test_a_running_service_passes_its_health_command(healthy_platform):
    result = run_healthcheck(healthy_platform.platform, services.IDENTITY, "--timeout", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("identity: ok")


def test_the_grpc_and_http_probes_pass_on_a_healthy_platform(healthy_platform):
    platform = healthy_platform.platform
    assert run_healthcheck(platform, "--grpc", platform.grpc_target).returncode == 0
    assert run_healthcheck(platform, "--http", platform.http_url + "/healthz").returncode == 0
