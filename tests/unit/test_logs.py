"""Structured logs: one JSON object per line with the request id of whatever is being served, in
the gateway (HTTP), the gRPC process and any RPC sent on a request's behalf."""
import json
import logging
import threading

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts import rpc
from gateway.grpc.protos import platform_pb2, platform_pb2_grpc
from gateway.grpc.server import build_server, load
from gateway.http import request_log
from gateway.http.app import GatewaySettings, create_app
from servicekit import logs, request_context
from servicekit.rpc_client import RpcClient


class Lines(logging.Handler):
    """What the process would write: the JSON lines, after the request-id filter."""

    def __init__(self, request_filter=logs.RequestIdFilter):
        super().__init__()
        self.addFilter(request_filter())
        self.setFormatter(logs.JsonFormatter("test-process"))
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines():
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_line_is_one_json_object_with_the_standard_fields(lines):
    logging.getLogger("quartier.test").info("hello %s", "world", extra={"route": "/x"})
    (line,) = lines.lines
    assert line["message"] == "hello world"
    assert line["level"] == "INFO"
    assert line["process"] == "test-process"
    assert line["logger"] == "quartier.test"
    assert line["route"] == "/x"
    assert line["ts"].endswith("Z") and "T" in line["ts"]
    assert "request_id" not in line  # nothing is being served


def test_the_current_request_id_is_on_every_line_logged_while_serving_it(lines):
    with request_context.bound("req-42"):
        logging.getLogger("some.library").warning("inside")
    logging.getLogger("some.library").warning("outside")
    assert [line.get("request_id") for line in lines.lines] == ["req-42", None]


def test_an_exception_is_kept_with_its_traceback_in_the_same_line(lines):
    try:
        raise KeyError("boom")
    except KeyError:
        logging.getLogger("quartier.test").exception("failed")
    (line,) = lines.lines
    assert line["exc_type"] == "KeyError"
    assert "Traceback" in line["exc"] and "boom" in line["exc"]


def test_a_multiline_message_stays_on_one_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a\nb", (), None)
    text = logs.JsonFormatter("p").format(record)
    assert "\n" not in text and json.loads(text)["message"] == "a\nb"


def test_the_process_logging_config_writes_json_at_the_requested_level():
    config = logs.logging_config("gateway", "warning", quiet=("pika",))
    assert config["root"]["level"] == "WARNING"
    assert config["loggers"] == {"pika": {"level": "WARNING"}}
    assert config["handlers"]["console"]["filters"] == ["request_id"]


# -- gateway -------------------------------------------------------------------------------------


class RecordingRpc:
    def __init__(self):
        self.request_ids = []

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        self.request_ids.append(request_id)
        return _Done({"id": kwargs.get("municipality_id"), "status": "ok"})

    def call(self, method, timeout=None, request_id=None, **kwargs):
        return self.call_async(method, timeout, request_id, **kwargs).result()


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def test_the_gateway_writes_an_access_line_with_the_callers_request_id():
    handler = Lines(request_log.FlaskRequestIdFilter)
    access = logging.getLogger("quartier.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    request_log.log_requests()
    settings = GatewaySettings(rpc=RecordingRpc(), public_key=Ed25519PrivateKey.generate()
                               .public_key())
    try:
        response = create_app(settings).test_client().get(
            "/api/v1/nothing-here", headers={"X-Request-Id": "abc-123"})
    finally:
        access.removeHandler(handler)
        access.setLevel(logging.NOTSET)
    assert response.status_code == 404
    (line,) = handler.lines
    assert line["request_id"] == "abc-123"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/nothing-here", 404)
    assert line["duration_ms"] >= 0


def test_the_access_line_does_not_name_the_person_a_path_is_about():
    # The access log outlives an erasure: "who blocked whom" must not be in it.
    handler = Lines(request_log.FlaskRequestIdFilter)
    access = logging.getLogger("quartier.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    request_log.log_requests()
    settings = GatewaySettings(rpc=RecordingRpc(), public_key=Ed25519PrivateKey.generate()
                               .public_key())
    try:
        create_app(settings).test_client().put("/api/v1/me/blocks/" + "ab" * 16)
    finally:
        access.removeHandler(handler)
        access.setLevel(logging.NOTSET)
    (line,) = handler.lines
    assert line["path"] == "/api/v1/me/blocks/{user_id}" and "ab" * 16 not in line["message"]


# -- RPC client ----------------------------------------------------------------------------------


class _Connection:
    """Runs what the I/O thread would run, at once."""

    def add_callback_threadsafe(self, callback):
        callback()


class _Channel:
    def __init__(self):
        self.published = []

    def basic_publish(self, exchange, routing_key, body, properties, mandatory):
        self.published.append(properties.headers)


def _offline_client():
    client = RpcClient("amqp://unused/")
    client._connection, client._channel = _Connection(), _Channel()
    client._connected.set()
    return client


def test_an_rpc_sent_while_serving_a_request_carries_its_id():
    client = _offline_client()
    with request_context.bound("req-7"):
        client.call_async(rpc.identity.HEALTH, timeout=1)
    client.call_async(rpc.identity.HEALTH, timeout=1, request_id="explicit")
    headers = client._channel.published
    assert headers[0]["nameko.request_id"] == "req-7"
    assert headers[1]["nameko.request_id"] == "explicit"


# -- gRPC ----------------------------------------------------------------------------------------


class HealthyServices:
    """Answers every health RPC, noting the request id each would have been sent with."""

    def __init__(self):
        self.request_ids = []
        self._lock = threading.Lock()

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        with self._lock:
            self.request_ids.append(request_id or request_context.current())
        return _Done({"service": method.service, "status": "ok", "version": "1",
                      "store": "sqlite", "uptime_s": 1.0})


def _grpc_call(metadata):
    services = HealthyServices()
    config = load()
    config.update(GRPC_HOST="127.0.0.1", GRPC_PORT=0, METRICS_PORT=0, HEALTH_INTERVAL=60)
    server, port, _poller = build_server(config, services)
    server.start()
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            stub = platform_pb2_grpc.PlatformStub(channel)
            _reply, call = stub.GetStatus.with_call(
                platform_pb2.GetStatusRequest(services=["identity"]), metadata=metadata,
                timeout=5)
    finally:
        server.stop(None)
    return dict(call.initial_metadata()), services.request_ids


def test_a_grpc_callers_request_id_is_used_and_sent_back():
    returned, sent = _grpc_call((("x-request-id", "city-system-9"),))
    assert returned["x-request-id"] == "city-system-9"
    assert sent == ["city-system-9"]


def test_a_grpc_call_without_an_id_gets_a_fresh_one():
    returned, sent = _grpc_call(())
    assert returned["x-request-id"] and sent == [returned["x-request-id"]]
