"""`python -m servicekit.healthcheck`: the container probe exits 0 only when the thing it checks
answers healthy, and fails fast (never hangs) when it does not."""
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from servicekit import healthcheck
from deploy.local.processes import free_ports


@pytest.fixture
def http_server():
    """A local server answering GET / with the status in `server.status`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(self.server.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_http_probe_passes_on_200_and_fails_on_503(http_server, capsys):
    url = "http://127.0.0.1:%d/healthz" % http_server.server_port
    assert healthcheck.main(["--http", url]) == 0
    http_server.status = 503
    assert healthcheck.main(["--http", url]) == 1
    assert "503" in capsys.readouterr().out


def test_probes_fail_fast_when_nothing_listens(monkeypatch):
    (port,) = free_ports(1)
    monkeypatch.setenv("AMQP_URI", "amqp://guest:guest@127.0.0.1:%d/" % port)
    started = time.monotonic()
    assert healthcheck.main(["--grpc", "127.0.0.1:%d" % port, "--timeout", "1"]) == 1
    assert healthcheck.main(["feed", "--timeout", "1"]) == 1
    assert healthcheck.main(["--http", "http://127.0.0.1:%d/" % port, "--timeout", "1"]) == 1
    assert time.monotonic() - started < 10


def test_an_unknown_service_is_a_usage_error():
    with pytest.raises(SystemExit) as raised:
        healthcheck.main(["billing"])
    assert raised.value.code == 2
