"""Sending Web Push: VAPID (RFC 8292) signed with the platform's P-256 key, the payload
encrypted for the subscription's keys (RFC 8291, aes128gcm), POSTed with requests on eventlet's
green sockets (cooperative, so a slow push service never stalls the service). Before each send
the endpoint's host is resolved and every address checked public unless private endpoints are
explicitly allowed (tests)."""
import base64
import json
import os
import socket
import time
from urllib.parse import urlsplit

import http_ece
import requests
import requests.adapters
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from servicekit import keyfiles
from services.notification.push import address_is_public

PUSH_TIMEOUT_SECONDS = 10
PUSH_TTL_SECONDS = 24 * 3600
VAPID_KEY_FILE = os.path.join("keys", "vapid-p256.pem")
GONE = (404, 410)


def load_vapid(configured_pem, var_directory):
    """The VAPID key: VAPID_PRIVATE_KEY (PEM) from the environment, else generated once into
    var/keys/ (O_EXCL: two instances starting together agree on one)."""
    if configured_pem:
        return Vapid.from_pem(str(configured_pem).encode("ascii"))
    path = os.path.join(var_directory, VAPID_KEY_FILE)
    return Vapid.from_pem(keyfiles.read_or_create(path, _new_vapid_pem))


def _new_vapid_pem():
    vapid = Vapid()
    vapid.generate_keys()
    return vapid.private_pem()


def application_server_key(vapid):
    """The public key browsers subscribe with (uncompressed point, base64url)."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class PushSender:
    def __init__(self, vapid, subject, allow_private):
        self.vapid = vapid
        self.subject = subject
        self.allow_private = allow_private
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=32)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.public_key = application_server_key(vapid)
        self._signatures = {}

    def _authorization(self, origin):
        # One VAPID signature per push service origin for an hour (valid 12 h): signing is the
        # costly part, and a city's alert goes to a handful of push services.
        cached = self._signatures.get(origin)
        now = time.time()
        if cached and cached[0] > now:
            return cached[1]
        headers = self.vapid.sign({"aud": origin, "sub": self.subject,
                                   "exp": int(now) + 12 * 3600})
        self._signatures[origin] = (now + 3600, headers["Authorization"])
        return headers["Authorization"]

    def _reachable(self, host, port):
        if self.allow_private:
            return True
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, port)}
        except OSError:
            return False
        return bool(addresses) and all(address_is_public(a.split("%")[0]) for a in addresses)

    def send(self, subscription, payload):
        """"sent", "gone" (the subscription expired: drop it) or "failed"."""
        parts = urlsplit(subscription["endpoint"])
        if not self._reachable(parts.hostname, parts.port or 443):
            return "gone"
        try:
            # RFC 8291: a fresh key pair and salt for every message.
            body = http_ece.encrypt(
                json.dumps(payload).encode("utf-8"), version="aes128gcm",
                salt=os.urandom(16), private_key=ec.generate_private_key(ec.SECP256R1()),
                dh=base64.urlsafe_b64decode(subscription["p256dh"] + "==="),
                auth_secret=base64.urlsafe_b64decode(subscription["auth"] + "==="))
        except (http_ece.ECEException, ValueError):
            return "gone"  # keys no push service could use: the subscription is worthless
        origin = "%s://%s" % (parts.scheme, parts.netloc)
        try:
            response = self.session.post(
                subscription["endpoint"], data=body, timeout=PUSH_TIMEOUT_SECONDS,
                allow_redirects=False, headers={
                    "Authorization": self._authorization(origin),
                    "Content-Encoding": "aes128gcm", "TTL": str(PUSH_TTL_SECONDS),
                    "Urgency": "high", "Content-Type": "application/octet-stream"})
        except requests.RequestException:
            return "failed"
        if response.status_code in GONE:
            return "gone"
        return "sent" if 200 <= response.status_code < 300 else "failed"
