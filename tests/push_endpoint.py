"""A local Web Push endpoint for tests: hands out browser-like subscriptions (its own P-256 key
pair and auth secret per subscription) and decrypts what the platform pushes to them (RFC 8291,
aes128gcm), keeping every payload with the time it arrived. A subscription can be made to
answer 410 Gone, as an expired one does."""
import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class PushEndpoint:
    def __init__(self):
        self.keys = {}  # name -> (private key, auth secret)
        self.received = []  # (time, name, payload, headers)
        self.gone = set()
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                name = self.path.rsplit("/", 1)[-1]
                status = endpoint._receive(name, body, dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def _receive(self, name, body, headers):
        with self.lock:
            if name in self.gone or name not in self.keys:
                return 410
            private_key, auth = self.keys[name]
        if headers.get("Content-Encoding") != "aes128gcm" or \
                not headers.get("Authorization", "").startswith("vapid t="):
            return 400
        try:
            plain = http_ece.decrypt(body, private_key=private_key, auth_secret=auth,
                                     version="aes128gcm")
        except Exception:
            return 400
        with self.lock:
            self.received.append((time.time(), name, json.loads(plain), headers))
        return 201

    def subscription(self, name=None):
        """A PushSubscription.toJSON() like a browser's, for a new key pair."""
        name = name or uuid.uuid4().hex
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = uuid.uuid4().bytes
        with self.lock:
            self.keys[name] = (private_key, auth)
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": "%s/push/%s" % (self.url, name), "expirationTime": None,
                "keys": {"p256dh": _b64(public), "auth": _b64(auth)}}

    def payloads(self, name):
        with self.lock:
            return [payload for _, who, payload, _ in self.received if who == name]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
