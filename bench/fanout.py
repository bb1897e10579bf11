"""Fan-out bench: one urgent announcement to a whole city of bulk-seeded residents, by e-mail and
Web Push, measured at the receiving end.

    .venv/bin/python bench/fanout.py [--residents 100000] [--instances 2] [--deadline 300]

Starts the whole platform (as the e2e tests do: free ports, a temporary var dir, a vhost of its
own on the broker at $AMQP_URI, management API at $RABBIT_API_URI) with SMTP_URL pointing at a
real SMTP server in this process (aiosmtpd) and a local Web Push endpoint that decrypts every
push (RFC 8291) before answering 201; `--instances - 1` extra notification processes share the
batches. It writes `--residents` accounts straight into identity's embedded store (address and
language; six languages round-robin) and the same people into notification's (neighbourhood, one
push subscription each), then publishes one urgent announcement to every neighbourhood through
the gateway as the demo staff account, and waits until the SMTP server accepted every e-mail and
the endpoint every push, or the deadline passes.

Prints deliveries/s, p50/p99 from publish to acceptance per channel, and the peak resident memory
of the notification processes. Exits 1 if anything was missing at the deadline. The machine is
shared: figures vary with what else runs.
"""
import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import http_ece  # noqa: E402
import requests  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from servicekit.store import SqliteStore  # noqa: E402
from services.identity.accounts import Account  # noqa: E402
from services.identity.repositories.accounts import SqliteAccounts  # noqa: E402
from services.notification.repository import SqliteNotifications  # noqa: E402
from tests.e2e import stack  # noqa: E402
from tests.mail_sink import MailSink  # noqa: E402

LANGUAGES = ("fr", "de", "en", "pt", "nl", "lb")
CHUNK = 5000


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class CountingPushEndpoint:
    """Decrypts every push with the one key pair all the bench's subscriptions share (each
    message still has its own sender key and salt) and records when it arrived."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.arrivals = []
        self.undecryptable = 0
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    json.loads(http_ece.decrypt(body, private_key=endpoint.private_key,
                                                auth_secret=endpoint.auth, version="aes128gcm"))
                    status = 201
                except Exception:
                    status = 400
                with endpoint.lock:
                    if status == 201:
                        endpoint.arrivals.append(time.time())
                    else:
                        endpoint.undecryptable += 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.p256dh, self.auth_b64 = b64(public), b64(self.auth)

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def seed(var_dir, credentials, count, endpoint):
    """`count` residents in identity's and notification's SQLite files (the running services
    have them open: WAL mode lets both write)."""
    municipality_id = credentials["municipality_id"]
    neighbourhoods = sorted({r["neighbourhood_id"] for r in credentials["residents"]})
    identity = SqliteStore(os.path.join(var_dir, "identity", "identity.sqlite3"))
    SqliteAccounts(identity)
    notification = SqliteStore(os.path.join(var_dir, "notification", "notification.sqlite3"))
    SqliteNotifications(notification)
    started = time.perf_counter()
    now = time.time()
    for first in range(0, count, CHUNK):
        accounts, recipients, subscriptions = [], [], []
        for n in range(first, min(count, first + CHUNK)):
            user_id = "bench-%07d" % n
            account = Account(
                id=user_id, municipality_id=municipality_id,
                email="resident%07d@fanout.example" % n, password_hash=None, role="resident",
                display_name="Resident %d" % n, language=LANGUAGES[n % len(LANGUAGES)],
                neighbourhood_id=neighbourhoods[n % len(neighbourhoods)], created_at=now)
            accounts.append((user_id,) + SqliteAccounts._row(account))
            recipients.append((user_id, municipality_id, account.neighbourhood_id, "resident"))
            subscription = {"id": "sub-%07d" % n,
                            "endpoint": "%s/push/%s" % (endpoint.url, user_id),
                            "p256dh": endpoint.p256dh, "auth": endpoint.auth_b64}
            subscriptions.append((subscription["id"], user_id, json.dumps(subscription)))
        with identity.transaction() as db:
            db.executemany("INSERT INTO accounts (id, email, municipality_id, household_id, "
                           "active, version, document) VALUES (?, ?, ?, ?, ?, ?, ?)", accounts)
        with notification.transaction() as db:
            db.executemany("INSERT INTO recipients (user_id, municipality_id, neighbourhood_id, "
                           "role) VALUES (?, ?, ?, ?)", recipients)
            db.executemany("INSERT INTO push_subscriptions (id, user_id, document) "
                           "VALUES (?, ?, ?)", subscriptions)
    identity.close()
    notification.close()
    return time.perf_counter() - started


def peak_memory_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--instances", type=int, default=2,
                        help="notification processes sharing the batches")
    parser.add_argument("--deadline", type=float, default=300.0)
    args = parser.parse_args()

    admin = stack.RabbitAdmin()
    if not admin.answers():
        raise SystemExit("the RabbitMQ management API does not answer on %s" % admin.base)
    extras = []
    with MailSink(raw=True) as sink, CountingPushEndpoint() as endpoint, \
            tempfile.TemporaryDirectory(prefix="quartier-bench-fanout-") as var_dir, \
            stack.running_platform(admin, var_dir, "fanout", extra_env={
                "SMTP_URL": sink.url, "PUSH_ALLOW_PRIVATE_ENDPOINTS": "true",
                "LOG_LEVEL": "WARNING"}) as running:
        platform = running.platform
        seconds = seed(var_dir, running.credentials, args.residents, endpoint)
        print("seeded %d residents (identity + notification stores) in %.1f s"
              % (args.residents, seconds))
        spec = platform.specs["notification"]
        for n in range(args.instances - 1):
            env = dict(platform._environment(spec), NOTIFICATION_METRICS_PORT="0")
            log = open(os.path.join(platform.logs_dir, "notification-extra-%d.log" % n), "ab")
            extras.append(subprocess.Popen(spec.argv, cwd=platform.repo_root, env=env,
                                           stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True))
        time.sleep(5 if extras else 0)  # the extra instances bind their queues

        api = stack.Api(platform.http_url)
        staff = running.credentials["staff"]
        login = api.request("POST", "/api/v1/auth/login", json={
            "email": staff["email"], "password": staff["password"]})
        token = login.json()["access_token"]
        published = time.time()
        created = api.request("POST", "/api/v1/city/announcements", token, json={
            "title": "Boil water notice", "body": "Boil tap water before drinking it.",
            "neighbourhood_ids": "all", "urgent": True, "language": "en",
            "translations": {"fr": {"title": "Avis d'ébullition",
                                    "body": "Faites bouillir l'eau du robinet."},
                             "de": {"title": "Abkochgebot",
                                    "body": "Leitungswasser vor dem Trinken abkochen."}}})
        if created.status_code != 201:
            raise SystemExit("announcement refused: %s" % created.text)
        announcement_id = created.json()["id"]
        print("published %s to the whole city at %s" % (announcement_id,
                                                         time.strftime("%H:%M:%S")))
        expected = args.residents  # the demo's own residents are in the count too
        deadline = published + args.deadline
        last_print = 0
        while time.time() < deadline:
            mails, pushes = len(sink.messages), len(endpoint.arrivals)
            if mails >= expected and pushes >= expected:
                break
            if time.time() - last_print > 15:
                answer = api.request("GET", "/api/v1/city/announcements/%s/deliveries"
                                     % announcement_id, token)
                # Every worker busy with batches: the progress RPC may wait past the gateway's
                # timeout (504), which the bench shows rather than hides.
                batches = "%s/%s" % (answer.json().get("batches_done"),
                                     answer.json().get("batches")) \
                    if answer.status_code == 200 else "? (%d)" % answer.status_code
                print("  %5.0f s: %d e-mails, %d pushes accepted; batches %s"
                      % (time.time() - published, mails, pushes, batches))
                last_print = time.time()
            time.sleep(0.5)
        mail_times = [at - published for at, _, _ in sink.messages]
        push_times = [at - published for at in endpoint.arrivals]
        memory = [peak_memory_mb(platform.processes["notification"].pid)] + \
            [peak_memory_mb(p.pid) for p in extras]
        answer = api.request("GET", "/api/v1/city/announcements/%s/deliveries"
                             % announcement_id, token)
        progress = answer.json() if answer.status_code == 200 else {
            "recipients": args.residents + len(running.credentials["residents"]),
            "batches": "? (the progress RPC did not answer: %d)" % answer.status_code}
        # Nameko finishes its running workers on SIGTERM; the bench is over, so no waiting.
        for process in extras:
            process.kill()
            process.wait(10)

    print("\nrecipients %d (the demo's residents among them), batches %s"
          % (progress["recipients"], progress["batches"]))
    ok = True
    for channel, times in (("e-mail", mail_times), ("push", push_times)):
        if not times:
            print("%-7s none accepted" % channel)
            ok = False
            continue
        print("%-7s accepted %6d  in %6.1f s  %7.0f /s  p50 %6.1f s  p99 %6.1f s" % (
            channel, len(times), max(times), len(times) / max(times),
            percentile(times, 0.5), percentile(times, 0.99)))
        # Every recipient has an address; only the seeded ones have a push subscription.
        ok = ok and len(times) >= (progress["recipients"] if channel == "e-mail"
                                   else args.residents)
    total = len(mail_times) + len(push_times)
    last = max(mail_times + push_times or [0])
    print("all     %d deliveries in %.1f s: %.0f deliveries/s" % (total, last, total / last
                                                                   if last else 0))
    print("peak resident memory of the notification processes (MB): %s"
          % ", ".join("%.0f" % m for m in memory))
    print("undecryptable pushes: %d" % endpoint.undecryptable)
    print("within the %.0f s deadline: %s" % (args.deadline, "yes" if ok and last <= args.deadline
                                              else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
