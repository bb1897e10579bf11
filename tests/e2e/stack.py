"""What the end-to-end tests need around deploy.local.processes.Platform: a vhost of their own on
the shared RabbitMQ, a platform started on free ports in a temporary var dir and seeded, access
tokens for it, and polling with a deadline.

Each platform gets its own vhost, so two platforms (or two test runs) on one broker never serve
each other's RPC calls, and everything they declared disappears with the vhost.
"""
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import requests

from contracts.caller import RESIDENT, Caller
from deploy.local import seed
from deploy.local.processes import Platform, PlatformNotHealthy, free_port_settings
from servicekit.rpc_client import RpcClient
from servicekit.tokens import issue_access_token, load_private_key
from tests.waiting import Timeout, wait_until  # noqa: F401  (re-exported for e2e tests)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AMQP_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
RABBIT_API_URI = os.environ.get("RABBIT_API_URI", "http://guest:guest@127.0.0.1:15672")
# Short, so a call to a dead service fails in seconds and the outage tests stay fast.
E2E_RPC_TIMEOUT = 3
STARTUP_TIMEOUT = 60.0

# (what, seconds) of every measured transition, printed at the end of the run.
TIMINGS = []


def record_timing(what, seconds):
    TIMINGS.append((what, seconds))


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_uri(cls, uri):
        parts = urlsplit(uri)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5672,
                   parts.username or "guest", parts.password or "guest")

    def uri(self, vhost, host=None, port=None):
        return "amqp://%s:%s@%s:%d/%s" % (
            quote(self.user, safe=""), quote(self.password, safe=""),
            host or self.host, port or self.port, quote(vhost, safe=""))


class RabbitAdmin:
    """The few management-API calls the tests need."""

    def __init__(self, api_uri=RABBIT_API_URI):
        parts = urlsplit(api_uri)
        self.base = "%s://%s:%d/api" % (parts.scheme, parts.hostname, parts.port or 15672)
        self.session = requests.Session()
        self.session.auth = (parts.username or "guest", parts.password or "guest")

    def answers(self):
        try:
            return self.session.get(self.base + "/overview", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def create_vhost(self, name, user):
        vhost = quote(name, safe="")
        self.session.put("%s/vhosts/%s" % (self.base, vhost), timeout=10).raise_for_status()
        self.session.put(
            "%s/permissions/%s/%s" % (self.base, vhost, quote(user, safe="")),
            json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10,
        ).raise_for_status()

    def delete_vhost(self, name):
        self.session.delete("%s/vhosts/%s" % (self.base, quote(name, safe="")), timeout=30)


@dataclass
class RunningPlatform:
    """A started, healthy, seeded platform and what the tests need to talk to it."""

    platform: Platform
    vhost: str
    municipality_id: str
    credentials: dict = field(default_factory=dict)

    def token(self, role=RESIDENT, user_id="e2e-user"):
        caller = Caller(user_id=user_id, role=role, municipality_id=self.municipality_id)
        return issue_access_token(load_private_key(self.platform.var_dir), caller)

    def get(self, path, token=None, timeout=10):
        headers = {"Authorization": "Bearer " + token} if token else {}
        return requests.get(self.platform.http_url + path, headers=headers, timeout=timeout)

    def get_municipality(self, timeout=10):
        return self.get("/api/v1/municipalities/" + self.municipality_id,
                        token=self.token(), timeout=timeout)

    def pids(self):
        return {name: process.pid for name, process in self.platform.processes.items()}


@contextmanager
def running_platform(admin, var_dir, label, amqp_host=None, amqp_port=None, extra_env=None):
    """Start a platform in a fresh vhost (reached through amqp_host:amqp_port when given, e.g. a
    proxy), wait until healthy, seed it; stop it and delete the vhost afterwards. `extra_env`
    configures its processes (e.g. a translation provider started by the test)."""
    broker = Broker.from_uri(AMQP_URI)
    vhost = "quartier-e2e-%s-%s" % (label, uuid.uuid4().hex[:8])
    admin.create_vhost(vhost, broker.user)
    platform = Platform(
        repo_root=REPO_ROOT,
        var_dir=str(var_dir),
        amqp_uri=broker.uri(vhost, amqp_host, amqp_port),
        rpc_timeout=E2E_RPC_TIMEOUT,
        # Log at INFO so a failure's log tail shows the reconnects and RPC errors.
        extra_env=dict({"LOG_LEVEL": "INFO"}, **(extra_env or {})),
        **free_port_settings(),
    )
    try:
        started = time.monotonic()
        platform.start()
        try:
            platform.wait_healthy(STARTUP_TIMEOUT)
        except PlatformNotHealthy as exc:
            raise Timeout(str(exc)) from None
        record_timing("%s platform: start -> healthy" % label, time.monotonic() - started)
        with RpcClient(platform.amqp_uri, client_name="e2e-seed") as client:
            credentials, _ = seed.seed_demo(client, platform.var_dir)
        yield RunningPlatform(platform, vhost, credentials["municipality_id"], credentials)
    finally:
        platform.stop()
        admin.delete_vhost(vhost)



@contextmanager
def platform_of_its_own(admin, tmp_path_factory, label, *args, **kwargs):
    """running_platform for a test module that needs a platform of its own (another setting, a
    proxy, residents it must not share), in a fresh var dir; a start that times out fails the
    test with the platform's own account of it instead of a traceback."""
    import pytest

    try:
        with running_platform(admin, tmp_path_factory.mktemp("var-" + label), label,
                              *args, **kwargs) as running:
            yield running
    except Timeout as exc:
        pytest.fail(str(exc), pytrace=False)

# -- a municipality of residents registered the real way ---------------------------------------

TOWN_PASSWORD = "correct horse battery staple 42"
MEMBERSHIP_TIMEOUT = 20.0


class Api:
    """requests against the gateway with a bearer token."""

    def __init__(self, base_url):
        self.base_url = base_url

    def request(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = "Bearer " + token
        return requests.request(method, self.base_url + path, headers=headers, timeout=20,
                                **kwargs)


@dataclass
class Town:
    """A municipality with a grid of neighbourhoods (tests.neighbourhood_grid) and residents who
    registered with their household's invitation code through the gateway."""

    api: Api
    municipality_id: str
    cells: dict  # grid code ("r0c1") -> neighbourhood id
    tokens: dict  # resident key -> access token
    users: dict  # resident key -> user id
    homes: dict  # resident key -> neighbourhood id
    staff: str  # a city_staff access token of the municipality (a real account)
    staff_user_id: str


def build_town(running, label, rows, cols, residents, activation_threshold=1, workers=8):
    """Create a municipality, import a rows x cols grid, an address register with one household
    per resident, issue the letters and register every resident with their code (in parallel).

    `residents`: {key: (grid cell (row, col), street, display name)}. Waits until every
    resident is a member of their neighbourhood (membership arrives by event)."""
    from concurrent.futures import ThreadPoolExecutor

    from contracts import rpc
    from contracts.caller import SYSTEM_CALLER
    from tests import neighbourhood_grid as grid

    api = Api(running.http_url)
    staff_email = "staff-%s@%s.example" % (uuid.uuid4().hex[:8], label)
    with RpcClient(running.amqp_uri, client_name="e2e-" + label) as client:
        municipality = client.call(
            rpc.identity.CREATE_MUNICIPALITY, caller=SYSTEM_CALLER.to_dict(),
            slug="%s-%s" % (label, uuid.uuid4().hex[:10]), name=label.title(),
            activation_threshold=activation_threshold)
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM_CALLER.to_dict(),
                    municipality_id=municipality["id"], email=staff_email, role="city_staff",
                    display_name="Sam Staff", password=TOWN_PASSWORD)
    login = api.request("POST", "/api/v1/auth/login",
                        json={"email": staff_email, "password": TOWN_PASSWORD})
    assert login.status_code == 200, login.text
    staff, staff_user_id = login.json()["access_token"], login.json()["user"]["id"]

    imported = api.request("POST", "/api/v1/city/neighbourhoods/import", staff,
                           json=grid.grid(rows, cols))
    assert imported.status_code == 200, imported.text
    cells = {n["code"]: n["id"] for n in imported.json()["neighbourhoods"]}

    households = {key: "h-%s" % key for key in residents}
    lines = ["address_id,street,number,postcode,locality,latitude,longitude,household_id"]
    for n, (key, ((row, col), street, _)) in enumerate(sorted(residents.items())):
        lon, lat = grid.point_in(row, col, (0.2 + 0.6 * (n % 7) / 7, 0.2 + 0.6 * (n % 5) / 5))
        lines.append("a-%s,%s,%d,1234,%s,%.6f,%.6f,%s" % (
            key, street, n + 1, label.title(), lat, lon, households[key]))
    placed = api.request("POST", "/api/v1/city/addresses/import", staff,
                         data="\n".join(lines) + "\n", headers={"Content-Type": "text/csv"})
    assert placed.status_code == 200, placed.text
    assert placed.json()["rejected"] == []
    letters = api.request("POST", "/api/v1/city/invitations", staff, json={})
    assert letters.status_code == 201, letters.text
    codes = {letter["household_id"]: letter["invitation_code"]
             for letter in letters.json()["letters"]}

    def register(key):
        _, _, display_name = residents[key]
        response = api.request("POST", "/api/v1/auth/register", json={
            "invitation_code": codes[households[key]], "password": TOWN_PASSWORD,
            "email": "%s-%s@%s.example" % (key, uuid.uuid4().hex[:6], label),
            "display_name": display_name, "language": "fr"})
        assert response.status_code == 201, response.text
        return key, response.json()

    with ThreadPoolExecutor(workers) as pool:
        registered = dict(pool.map(register, residents))
    town = Town(
        api=api, municipality_id=municipality["id"], cells=cells,
        tokens={key: r["access_token"] for key, r in registered.items()},
        users={key: r["user"]["id"] for key, r in registered.items()},
        homes={key: cells[grid.code(*residents[key][0])] for key in residents},
        staff=staff, staff_user_id=staff_user_id)

    def all_members():
        return all(api.request("GET", "/api/v1/neighbourhoods/%s" % town.homes[key],
                               town.tokens[key]).status_code == 200 for key in residents)

    wait_until(all_members, MEMBERSHIP_TIMEOUT)
    return town


def add_co_resident(town, key, new_key, display_name):
    """Resident `key` invites someone they live with, who registers with that code: they land in
    the same household and neighbourhood. Adds `new_key` to the town; returns its access token."""
    invited = town.api.request("POST", "/api/v1/me/household/invitations", town.tokens[key])
    assert invited.status_code == 201, invited.text
    registered = town.api.request("POST", "/api/v1/auth/register", json={
        "invitation_code": invited.json()["invitation_code"], "password": TOWN_PASSWORD,
        "email": "%s-%s@co-resident.example" % (new_key, uuid.uuid4().hex[:6]),
        "display_name": display_name, "language": "fr"})
    assert registered.status_code == 201, registered.text
    town.tokens[new_key] = registered.json()["access_token"]
    town.users[new_key] = registered.json()["user"]["id"]
    town.homes[new_key] = town.homes[key]
    return town.tokens[new_key]


def add_admin(town, running, label):
    """A real admin account of the town's municipality (created by the platform, as the seed
    does) and its access token: admins manage API keys and staff accounts."""
    from contracts import rpc
    from contracts.caller import SYSTEM_CALLER

    email = "admin-%s@%s.example" % (uuid.uuid4().hex[:8], label)
    with RpcClient(running.amqp_uri, client_name="e2e-" + label) as client:
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM_CALLER.to_dict(),
                    municipality_id=town.municipality_id, email=email, role="admin",
                    display_name="Ada Admin", password=TOWN_PASSWORD)
    login = town.api.request("POST", "/api/v1/auth/login",
                             json={"email": email, "password": TOWN_PASSWORD})
    assert login.status_code == 200, login.text
    return login.json()["access_token"]


def add_staff_account(town, running, label, role, display_name):
    """A real account of the town's municipality with `role` (city_staff, moderator or admin),
    created by the platform as the seed does, and its access token."""
    from contracts import rpc
    from contracts.caller import SYSTEM_CALLER

    email = "%s-%s@%s.example" % (role, uuid.uuid4().hex[:8], label)
    with RpcClient(running.amqp_uri, client_name="e2e-" + label) as client:
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM_CALLER.to_dict(),
                    municipality_id=town.municipality_id, email=email, role=role,
                    display_name=display_name, password=TOWN_PASSWORD)
    login = town.api.request("POST", "/api/v1/auth/login",
                             json={"email": email, "password": TOWN_PASSWORD})
    assert login.status_code == 200, login.text
    return login.json()["access_token"]
