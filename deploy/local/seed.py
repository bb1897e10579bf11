"""Demo data for a fresh local platform: `python -m deploy.local.seed` (run.py calls `seed_demo`).

Creates the demo municipality through identity's RPC API with the system caller and writes
var/demo/credentials.json in the shape of ARCHITECTURE §7, so a newcomer or a script can start at
once. Idempotent: when the credentials file exists and still names a municipality identity knows,
nothing happens; otherwise every step is replayed (the services' writes are idempotent on their
natural keys, e.g. the municipality's slug).

The credentials file grows with the platform: each step below adds its part to the document
(the municipality, its map and address register, the admin, staff and moderator accounts, a few
registered residents and unused invitation codes).
"""
import base64
import csv
import datetime
import hashlib
import hmac
import inspect
import io
import json
import os
import sys
import time

from contracts import caller, errors, rpc
from contracts.errors import DomainError
from deploy.local import demo_geography
from servicekit import keyfiles
from servicekit.config import var_dir as default_var_dir
from servicekit.rpc_client import RpcClient

DEMO_MUNICIPALITY = {
    "slug": "demo",
    "name": "Quartier Demo",
    "activation_threshold": 10,
    "languages": ["fr", "de", "en", "nl", "pt", "lb"],
}
# (credentials key and e-mail local part, role, display name)
DEMO_STAFF = (
    ("admin", "admin", "Demo Admin"),
    ("staff", "city_staff", "Demo Staff"),
    ("moderator", "moderator", "Demo Moderator"),
)
# Registered residents (household of the demo register, name): two share the neighbourhood
# "gare" (households 0 and 6), one lives in "bonnevoie".
DEMO_RESIDENTS = (("demo-h0000", "Marie Dupont"), ("demo-h0006", "Luca Rossi"),
                  ("demo-h0001", "Ana Ferreira"))
# Households whose fresh, unused codes go into credentials.json, one per neighbourhood but gare.
DEMO_UNUSED_CODE_HOUSEHOLDS = ("demo-h0007", "demo-h0002", "demo-h0003", "demo-h0004",
                               "demo-h0005")
REGISTER_CHUNK = 1000
# One register chunk also waits for the neighbourhood service to place its points.
IMPORT_TIMEOUT = 60.0
# Services may still be starting when the seed runs: retry transient failures this long.
READY_TIMEOUT = 30.0


def credentials_path(var_dir):
    return os.path.join(var_dir, "demo", "credentials.json")


def read_credentials(var_dir):
    try:
        with open(credentials_path(var_dir)) as handle:
            return json.load(handle)
    except (FileNotFoundError, ValueError):
        return None


def write_credentials(var_dir, document):
    """Atomic write, owner-only: the file will hold passwords."""
    path = credentials_path(var_dir)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(temporary, path)
    return path


def call_when_ready(client, method, timeout=READY_TIMEOUT, **kwargs):
    """Call `method`, retrying while its service is unreachable or not answering yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.call(method, **kwargs)
        except DomainError as exc:
            if exc.code not in (errors.UNAVAILABLE, errors.TIMEOUT) or time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def municipality_exists(client, municipality_id):
    try:
        call_when_ready(client, rpc.identity.GET_MUNICIPALITY,
                        caller=caller.SYSTEM_CALLER.to_dict(), municipality_id=municipality_id)
    except DomainError as exc:
        if exc.code == errors.NOT_FOUND:
            return False
        raise
    return True


def seed_municipality(client, document):
    municipality = call_when_ready(
        client, rpc.identity.CREATE_MUNICIPALITY,
        caller=caller.SYSTEM_CALLER.to_dict(), **DEMO_MUNICIPALITY,
    )
    document["municipality_id"] = municipality["id"]
    return document


def seed_neighbourhoods(client, document):
    """The demo map (deploy/local/demo_geography.py): six neighbourhoods; a replay changes
    nothing (the import matches neighbourhoods by code)."""
    call_when_ready(
        client, rpc.neighbourhood.IMPORT_NEIGHBOURHOODS, caller=caller.SYSTEM_CALLER.to_dict(),
        municipality_id=document["municipality_id"],
        collection=demo_geography.feature_collection(),
    )
    return document


def _system():
    return caller.SYSTEM_CALLER.to_dict()


def _demo_secret(var_dir):
    """A random secret created once per var dir (owner-only). Demo passwords derive from it, so a
    replayed seed (credentials file lost, services' data kept) finds the same passwords again."""
    return keyfiles.random_hex_secret(os.path.join(var_dir, "demo", ".seed-secret"))


def demo_password(secret, label):
    digest = hmac.new(secret, label.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:20]


def seed_households(client, document):
    """The 2,000-household register of the demo map, through identity (which places each
    household with the neighbourhood service); a replay changes nothing."""
    rows = demo_geography.households()
    columns = list(rows[0])
    for start in range(0, len(rows), REGISTER_CHUNK):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[start:start + REGISTER_CHUNK])
        report = client.call(rpc.identity.IMPORT_ADDRESSES, timeout=IMPORT_TIMEOUT,
                             caller=_system(), municipality_id=document["municipality_id"],
                             csv_text=buffer.getvalue(), first_line=start + 2)
        if report["rejected"]:
            raise DomainError(errors.INTERNAL, "demo register rows rejected: %s"
                              % report["rejected"][:3])
    return document


def seed_accounts(client, document, var_dir):
    """The municipality's first admin (the platform bootstrap), then staff and a moderator."""
    secret = _demo_secret(var_dir)
    for key, role, name in DEMO_STAFF:
        email = "%s@demo.quartier.example" % key
        password = demo_password(secret, key)
        client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=_system(),
                    municipality_id=document["municipality_id"], email=email, role=role,
                    display_name=name, password=password)
        document[key] = {"email": email, "password": password}
    return document


def _letters(client, document, household_ids):
    answer = client.call(rpc.identity.ISSUE_INVITATIONS, caller=_system(),
                         municipality_id=document["municipality_id"],
                         household_ids=household_ids)
    return {letter["household_id"]: letter for letter in answer["letters"]}


def seed_residents(client, document, var_dir):
    """A few residents registered with their household's code, and unused codes for newcomers.
    On a replay a resident who exists already signs in with the same derived password."""
    secret = _demo_secret(var_dir)
    residents = []
    letters = _letters(client, document, [household for household, _ in DEMO_RESIDENTS])
    for household, name in DEMO_RESIDENTS:
        email = "%s@demo.quartier.example" % name.split()[0].lower()
        password = demo_password(secret, household)
        try:
            answer = client.call(
                rpc.identity.REGISTER, caller={}, client_id="demo-seed",
                invitation_code=letters[household]["invitation_code"], email=email,
                password=password, display_name=name, language="fr")
        except DomainError as exc:
            if exc.code != errors.CONFLICT:
                raise
            answer = client.call(rpc.identity.LOGIN, caller={}, email=email, password=password)
        residents.append({"email": email, "password": password,
                          "neighbourhood_id": answer["user"]["neighbourhood_id"]})
    unused = _letters(client, document, list(DEMO_UNUSED_CODE_HOUSEHOLDS))
    document.update(
        residents=residents,
        invitation_codes=[{"code": unused[h]["invitation_code"],
                           "neighbourhood_id": unused[h]["neighbourhood_id"]}
                          for h in DEMO_UNUSED_CODE_HOUSEHOLDS],
    )
    return document


# The organisations map of every demo neighbourhood: (name pattern, category, where in the cell's
# safe square as fractions of the cell).
DEMO_ORGANISATIONS = (
    ("Bibliothèque %s", "library", (0.3, 0.35)),
    ("École fondamentale %s", "school", (0.6, 0.3)),
    ("FC %s", "sports_club", (0.7, 0.7)),
    ("Maison relais %s", "childcare", (0.35, 0.65)),
    ("Club des seniors %s", "seniors", (0.5, 0.5)),
)


def demo_organisations():
    """The demo organisations, each well inside its neighbourhood's polygon (the same safe square
    the demo register places households in)."""
    geography = demo_geography
    found = []
    for index, (code, name) in enumerate(geography.NAMES):
        row, col = divmod(index, geography.COLS)
        streets = geography.STREETS[code]
        for number, (pattern, category, (x, y)) in enumerate(DEMO_ORGANISATIONS):
            found.append({
                "name": pattern % name, "category": category,
                "address": "%d %s" % (number * 7 + 3, streets[number % len(streets)]),
                "point": [round(geography.ORIGIN[0] + (col + x) * geography.CELL_LON, 6),
                          round(geography.ORIGIN[1] + (row + y) * geography.CELL_LAT, 6)],
                "neighbourhood_id": None,
            })
    return found


def seed_organisations(client, document):
    """The organisations map; a replay finds each name taken (409) and changes nothing."""
    for organisation in demo_organisations():
        try:
            call_when_ready(client, rpc.neighbourhood.CREATE_ORGANISATION, caller=_system(),
                            municipality_id=document["municipality_id"],
                            organisation=organisation)
        except DomainError as exc:
            if exc.code != errors.CONFLICT:
                raise
    return document


def _demo_survey(neighbourhood_ids, now):
    return {
        "title": "Our streets in 2027",
        "translations": {"fr": "Nos rues en 2027", "de": "Unsere Straßen 2027"},
        "neighbourhood_ids": neighbourhood_ids,
        "response_unit": "household",
        "closes_at": (now + datetime.timedelta(days=60)).isoformat(timespec="seconds"),
        "sections": [{"id": "streets", "title": "Your street", "questions": [
            {"id": "travel", "type": "single_choice", "text": "How do you usually get around?",
             "translations": {"fr": "Comment vous déplacez-vous le plus souvent ?"},
             "options": [{"id": "walk", "label": "On foot"}, {"id": "bike", "label": "By bike"},
                         {"id": "bus", "label": "By bus"}, {"id": "car", "label": "By car"}]},
            {"id": "bike_parking", "type": "scale", "text": "Is there enough bike parking?",
             "show_if": {"question_id": "travel", "any_of": ["bike"]}},
            {"id": "safety", "type": "scale", "text": "How safe do you feel at night (1-10)?"},
            {"id": "ideas", "type": "long_text", "text": "What would you change?",
             "required": False},
        ]}],
    }


def _demo_budget(now):
    def day(days):
        return (now + datetime.timedelta(days=days)).isoformat(timespec="seconds")
    return {"title": "Participatory budget 2027", "cap": 250_000, "voting_style": "knapsack",
            "ballot_unit": "household",
            "schedule": {"proposals": day(0), "review": day(30), "voting": day(45),
                         "results": day(60)}}


def seed_participation(client, document):
    """A survey asked of every demo neighbourhood and a city-wide budget open for proposals.
    Idempotency keys make a replay find them (a replay on another day is refused as a different
    request: already seeded)."""
    municipality_id = document["municipality_id"]
    listing = call_when_ready(client, rpc.neighbourhood.LIST_NEIGHBOURHOODS, caller=_system(),
                              municipality_id=municipality_id)
    now = datetime.datetime.now(datetime.timezone.utc)
    for method, key, argument in (
            (rpc.participation.CREATE_SURVEY, "survey",
             _demo_survey([n["id"] for n in listing["items"]], now)),
            (rpc.participation.CREATE_BUDGET, "budget", _demo_budget(now))):
        try:
            call_when_ready(client, method, caller=_system(), municipality_id=municipality_id,
                            idempotency_key="demo-" + key, **{key: argument})
        except DomainError as exc:
            if exc.code != errors.UNPROCESSABLE:
                raise
    return document


# The seed, in order; each step adds to the credentials document.
STEPS = (seed_municipality, seed_neighbourhoods, seed_households, seed_accounts, seed_residents,
         seed_organisations, seed_participation)


def seed_demo(client, var_dir):
    """Returns (credentials document, whether anything was created)."""
    existing = read_credentials(var_dir)
    if existing and existing.get("municipality_id") and municipality_exists(
            client, existing["municipality_id"]):
        return existing, False
    document = {}
    for step in STEPS:
        if "var_dir" in inspect.signature(step).parameters:
            document = step(client, document, var_dir)
        else:
            document = step(client, document)
    write_credentials(var_dir, document)
    return document, True


def main():
    amqp_uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    var_dir = default_var_dir()
    client = RpcClient(amqp_uri, client_name="seed").start()
    try:
        document, created = seed_demo(client, var_dir)
    except DomainError as exc:
        print("seed failed: %s: %s" % (exc.code, exc.message), file=sys.stderr)
        return 1
    finally:
        client.stop()
    print("%s demo municipality %s; credentials in %s" % (
        "created" if created else "kept", document["municipality_id"],
        credentials_path(var_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
