"""The gRPC process, served for real on a free local port, with a fake RPC client in place of the
broker: what a municipal system or a load balancer sees (health, status, error codes, deadlines,
reflection, TLS)."""
import datetime
import ipaddress
import sys
import threading
from contextlib import contextmanager

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from prometheus_client import REGISTRY

from contracts import errors, rpc, services
from contracts.errors import DomainError
from gateway.grpc import example_client
from gateway.grpc.errors import ERROR_CODE_KEY, ERROR_DETAILS_KEY, maps_domain_errors, rpc_timeout
from gateway.grpc.protos import platform_pb2, platform_pb2_grpc
from gateway.grpc.server import PLATFORM_SERVICE, build_server, load
from tests.waiting import wait_until

# grpcio hangs under eventlet's monkey patching; fail loudly instead of hanging the whole run.
if "eventlet" in sys.modules and sys.modules["eventlet"].patcher.is_monkey_patched("thread"):
    raise RuntimeError("gRPC tests must not run under eventlet.monkey_patch()")

pytestmark = pytest.mark.timeout(30)

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
RPC_TIMEOUT = 4.0
# The server reads the caller's deadline off its own clock once the call arrives, so the time it
# sees remaining can exceed the caller's timeout by a few milliseconds.
CLOCK_SLACK = 0.05


class FakeCall:
    def __init__(self, outcome):
        self._outcome = outcome

    def result(self):
        if isinstance(self._outcome, Exception):
            raise self._outcome
        return self._outcome


class FakeRpcClient:
    """RpcClient's interface, answering every service's `health` as ok unless told otherwise."""

    def __init__(self):
        self.failures = {}  # service -> error code
        self.calls = []  # (routing key, timeout)
        self._lock = threading.Lock()

    def fail(self, service, code):
        self.failures[service] = code

    def recover(self, service):
        self.failures.pop(service, None)

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        with self._lock:
            self.calls.append((method.routing_key, timeout))
        code = self.failures.get(method.service)
        if code is not None:
            return FakeCall(DomainError(code, "%s failed with %s" % (method.service, code)))
        return FakeCall({
            "service": method.service, "status": "ok", "version": "0.1.0",
            "store": "sqlite", "uptime_s": 12.5,
        })

    def call(self, method, timeout=None, request_id=None, **kwargs):
        return self.call_async(method, timeout=timeout, request_id=request_id, **kwargs).result()


class ProbeServicer:
    """A servicer the way municipal servicers are written: one RPC, deadline passed through,
    errors mapped by the decorator. Registered only in these tests."""

    def __init__(self, rpc_client):
        self.rpc_client = rpc_client

    @maps_domain_errors
    def Call(self, request, context):
        if request == b"crash":
            raise KeyError("secret internals")
        self.rpc_client.call(rpc.identity.HEALTH, timeout=rpc_timeout(context, RPC_TIMEOUT))
        return b"done"


PROBE_METHOD = "/quartier.test.Probe/Call"


def probe_handler(rpc_client):
    servicer = ProbeServicer(rpc_client)
    return grpc.method_handlers_generic_handler(
        "quartier.test.Probe", {"Call": grpc.unary_unary_rpc_method_handler(servicer.Call)}
    )


def make_config(**overrides):
    config = load()
    config.update(GRPC_HOST="127.0.0.1", GRPC_PORT=0, METRICS_PORT=0, RPC_TIMEOUT=RPC_TIMEOUT,
                  HEALTH_INTERVAL=0.05)
    config.update(overrides)
    return config


@contextmanager
def running_server(rpc_client, config=None):
    server, port, poller = build_server(config or make_config(), rpc_client)
    server.add_generic_rpc_handlers((probe_handler(rpc_client),))
    server.start()
    try:
        yield port, poller
    finally:
        poller.stop()
        server.stop(None)


@pytest.fixture
def fake():
    return FakeRpcClient()


@pytest.fixture
def served(fake):
    with running_server(fake) as (port, poller):
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            yield channel, poller


def health_of(channel, service=""):
    stub = health_pb2_grpc.HealthStub(channel)
    return stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status


def wait_for_health(channel, service, expected, within=5.0):
    wait_until(lambda: health_of(channel, service) == expected, within, interval=0.02,
               describe=lambda _: "health of %r never became %s" % (service, expected))


def get_status(channel, services_=(), timeout=5):
    stub = platform_pb2_grpc.PlatformStub(channel)
    return stub.GetStatus(platform_pb2.GetStatusRequest(services=services_), timeout=timeout)


def call_probe(channel, body=b"", timeout=None):
    return channel.unary_unary(PROBE_METHOD)(body, timeout=timeout)


# -- health --------------------------------------------------------------------------------------

def test_health_is_not_serving_before_the_first_poll(served):
    channel, _ = served
    assert health_of(channel) == NOT_SERVING
    assert health_of(channel, "quartier.identity") == NOT_SERVING


def test_health_is_serving_when_all_six_services_are_ok(served):
    channel, poller = served
    poller.poll_once()
    assert health_of(channel) == SERVING
    assert health_of(channel, PLATFORM_SERVICE) == SERVING
    for name in services.ALL:
        assert health_of(channel, "quartier.%s" % name) == SERVING


def test_one_service_down_makes_the_whole_not_serving_and_names_it(served, fake):
    channel, poller = served
    fake.fail(services.FEED, errors.UNAVAILABLE)
    poller.poll_once()
    assert health_of(channel) == NOT_SERVING
    assert health_of(channel, PLATFORM_SERVICE) == NOT_SERVING
    assert health_of(channel, "quartier.feed") == NOT_SERVING
    assert health_of(channel, "quartier.identity") == SERVING


def test_the_poller_follows_services_going_down_and_coming_back(served, fake):
    channel, poller = served
    poller.start()
    wait_for_health(channel, "", SERVING)
    fake.fail(services.MODERATION, errors.TIMEOUT)
    wait_for_health(channel, "", NOT_SERVING)
    assert health_of(channel, "quartier.moderation") == NOT_SERVING
    fake.recover(services.MODERATION)
    wait_for_health(channel, "", SERVING)


def test_health_probes_use_a_short_timeout(served, fake):
    _, poller = served
    poller.poll_once()
    health_calls = [(key, timeout) for key, timeout in fake.calls if key.endswith(".health")]
    assert {key for key, _ in health_calls} == {m.routing_key for m in rpc.HEALTH.values()}
    assert all(timeout == 1.5 for _, timeout in health_calls)


def test_an_unknown_health_service_is_not_found(served):
    channel, _ = served
    with pytest.raises(grpc.RpcError) as raised:
        health_of(channel, "quartier.nonexistent")
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_stopping_the_poller_reports_not_serving_for_good(served):
    channel, poller = served
    poller.poll_once()
    poller.stop()
    poller.poll_once()
    assert health_of(channel) == NOT_SERVING
    assert health_of(channel, "quartier.identity") == NOT_SERVING


# -- Platform.GetStatus ---------------------------------------------------------------------------

def test_get_status_reports_every_service_in_platform_order(served):
    channel, _ = served
    reply = get_status(channel)
    assert reply.status == "ok"
    assert [entry.name for entry in reply.services] == list(services.ALL)
    identity = reply.services[0]
    assert (identity.status, identity.version, identity.store, identity.uptime_s, identity.detail) \
        == ("ok", "0.1.0", "sqlite", 12.5, "")


def test_a_down_service_is_an_entry_not_a_failed_call(served, fake):
    channel, _ = served
    fake.fail(services.TRANSLATION, errors.UNAVAILABLE)
    reply = get_status(channel)
    assert reply.status == "degraded"
    translation = {entry.name: entry for entry in reply.services}[services.TRANSLATION]
    assert translation.status == "down"
    assert translation.detail == "translation failed with unavailable"
    assert translation.version == ""


def test_get_status_can_be_limited_to_some_services(served, fake):
    channel, _ = served
    reply = get_status(channel, [services.FEED, services.IDENTITY])
    assert [entry.name for entry in reply.services] == [services.IDENTITY, services.FEED]
    assert {key for key, _ in fake.calls} == {"identity.health", "feed.health"}


def test_an_unknown_service_name_is_invalid_argument_with_the_quartier_code(served):
    channel, _ = served
    with pytest.raises(grpc.RpcError) as raised:
        get_status(channel, ["identity", "billing"])
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "billing" in raised.value.details()
    metadata = dict(raised.value.trailing_metadata())
    assert metadata[ERROR_CODE_KEY] == errors.INVALID
    assert "identity" in metadata[ERROR_DETAILS_KEY]


def test_get_status_gives_services_no_longer_than_the_callers_deadline(served, fake):
    channel, _ = served
    get_status(channel, timeout=0.8)
    timeouts = [timeout for _, timeout in fake.calls]
    assert len(timeouts) == len(services.ALL)
    assert all(0 < timeout <= 0.8 + CLOCK_SLACK for timeout in timeouts)


# -- error mapping and deadlines for any servicer -------------------------------------------------

@pytest.mark.parametrize("code, expected", [
    (errors.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE),
    (errors.TIMEOUT, grpc.StatusCode.DEADLINE_EXCEEDED),
    (errors.NOT_FOUND, grpc.StatusCode.NOT_FOUND),
    (errors.FORBIDDEN, grpc.StatusCode.PERMISSION_DENIED),
    (errors.CONFLICT, grpc.StatusCode.ALREADY_EXISTS),
    (errors.RATE_LIMITED, grpc.StatusCode.RESOURCE_EXHAUSTED),
])
def test_service_errors_reach_the_caller_as_their_grpc_status(served, fake, code, expected):
    channel, _ = served
    fake.fail(services.IDENTITY, code)
    with pytest.raises(grpc.RpcError) as raised:
        call_probe(channel, timeout=5)
    assert raised.value.code() == expected
    assert raised.value.details() == "identity failed with %s" % code
    assert dict(raised.value.trailing_metadata())[ERROR_CODE_KEY] == code


def test_every_error_code_maps_through_the_contracts_table(served, fake):
    channel, _ = served
    for code in errors.STATUS:
        fake.fail(services.IDENTITY, code)
        with pytest.raises(grpc.RpcError) as raised:
            call_probe(channel, timeout=5)
        assert raised.value.code().name == errors.grpc_status_name(code), code


def test_an_unexpected_exception_is_internal_without_its_text(served):
    channel, _ = served
    with pytest.raises(grpc.RpcError) as raised:
        call_probe(channel, b"crash", timeout=5)
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert "secret" not in raised.value.details()


def test_the_callers_deadline_bounds_the_rpc_timeout(served, fake):
    channel, _ = served
    assert call_probe(channel, timeout=0.5) == b"done"
    (_, timeout), = fake.calls
    assert 0 < timeout <= 0.5 + CLOCK_SLACK


def test_without_a_deadline_the_rpc_timeout_is_the_configured_one(served, fake):
    channel, _ = served
    call_probe(channel)
    (_, timeout), = fake.calls
    assert timeout == RPC_TIMEOUT


# -- metrics, reflection, the example client ------------------------------------------------------

def grpc_requests(method, code):
    value = REGISTRY.get_sample_value(
        "quartier_grpc_requests_total", {"method": method, "code": code}
    )
    return value or 0.0


def test_calls_are_counted_by_method_and_status(served, fake):
    channel, _ = served
    method = "/quartier.platform.v1.Platform/GetStatus"
    ok_before = grpc_requests(method, "OK")
    invalid_before = grpc_requests(method, "INVALID_ARGUMENT")
    get_status(channel)
    with pytest.raises(grpc.RpcError):
        get_status(channel, ["billing"])
    assert grpc_requests(method, "OK") == ok_before + 1
    assert grpc_requests(method, "INVALID_ARGUMENT") == invalid_before + 1
    assert REGISTRY.get_sample_value(
        "quartier_grpc_request_duration_seconds_count", {"method": method}
    ) >= 2


def test_reflection_lists_the_services(served):
    channel, _ = served
    database = ProtoReflectionDescriptorDatabase(channel)
    listed = set(database.get_services())
    assert {PLATFORM_SERVICE, "grpc.health.v1.Health",
            "grpc.reflection.v1alpha.ServerReflection"} <= listed
    service = database.FindFileContainingSymbol(PLATFORM_SERVICE).service[0]
    assert [method.name for method in service.method] == ["GetStatus"]


def test_the_example_client_prints_health_and_status(fake, capsys):
    fake.fail(services.PARTICIPATION, errors.UNAVAILABLE)
    with running_server(fake) as (port, poller):
        poller.poll_once()
        exit_code = example_client.main(["--target", "127.0.0.1:%d" % port])
    out = capsys.readouterr().out
    assert exit_code == 1
    assert "health (overall)" in out and "NOT_SERVING" in out
    assert "platform: degraded" in out
    assert "participation  down  participation failed with unavailable" in out
    assert "identity       ok    0.1.0, sqlite store" in out


# -- TLS ------------------------------------------------------------------------------------------

def _certificate(subject, issuer_key=None, issuer_name=None, ca=False):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    certificate = builder.sign(issuer_key or key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key, name, certificate.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
def pki(tmp_path):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA."""
    ca_key, ca_name, ca_pem, _ = _certificate("Quartier test CA", ca=True)
    _, _, server_pem, server_key_pem = _certificate("127.0.0.1", ca_key, ca_name)
    _, _, client_pem, client_key_pem = _certificate("municipality", ca_key, ca_name)
    files = {"ca": ca_pem, "server": server_pem, "server_key": server_key_pem,
             "client": client_pem, "client_key": client_key_pem}
    paths = {}
    for label, pem in files.items():
        paths[label] = str(tmp_path / ("%s.pem" % label))
        with open(paths[label], "wb") as handle:
            handle.write(pem)
    return paths


def test_tls_is_served_when_a_certificate_is_configured(fake, pki):
    config = make_config(GRPC_TLS_CERT=pki["server"], GRPC_TLS_KEY=pki["server_key"])
    with running_server(fake, config) as (port, _):
        args = example_client.parse_args(["--target", "127.0.0.1:%d" % port, "--ca", pki["ca"]])
        with example_client.open_channel(args) as channel:
            assert get_status(channel).status == "ok"


def test_a_client_ca_makes_client_certificates_mandatory(fake, pki):
    config = make_config(GRPC_TLS_CERT=pki["server"], GRPC_TLS_KEY=pki["server_key"],
                         GRPC_TLS_CLIENT_CA=pki["ca"])
    with running_server(fake, config) as (port, _):
        target = "127.0.0.1:%d" % port
        anonymous = example_client.parse_args(["--target", target, "--ca", pki["ca"]])
        with example_client.open_channel(anonymous) as channel:
            with pytest.raises(grpc.RpcError) as raised:
                get_status(channel, timeout=3)
            assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        known = example_client.parse_args([
            "--target", target, "--ca", pki["ca"], "--cert", pki["client"],
            "--key", pki["client_key"],
        ])
        with example_client.open_channel(known) as channel:
            assert get_status(channel).status == "ok"


def test_a_certificate_without_its_key_is_refused_at_start(fake, pki):
    with pytest.raises(ValueError, match="GRPC_TLS_KEY"):
        build_server(make_config(GRPC_TLS_CERT=pki["server"]), fake)
