"""Demo data for a fresh local platform: `python -m deploy.local.seed` (run.py calls `seed_demo`).

Creates the demo municipality through identity's RPC API with the system caller and writes
var/demo/credentials.json in the shape of ARCHITECTURE §7, so a newcomer or a script can start at
once. Idempotent: when the credentials file exists and still names a municipality identity knows,
nothing happens; otherwise every step is replayed (the services' writes are idempotent on their
natural keys, e.g. the municipality's slug).

The credentials file grows with the platform: each step below adds its part to the document
(today the municipality; the accounts, residents and invitation codes join it when identity
has accounts).
"""
import json
import os
import sys
import time

from contracts import caller, errors, rpc
from contracts.errors import DomainError
from deploy.local import demo_geography
from servicekit.config import var_dir as default_var_dir
from servicekit.rpc_client import RpcClient

DEMO_MUNICIPALITY = {
    "slug": "demo",
    "name": "Quartier Demo",
    "activation_threshold": 10,
    "languages": ["fr", "de", "en", "nl", "pt", "lb"],
}
ACCOUNTS_NOTE = (
    "Demo accounts (admin, staff, moderator, residents) and invitation codes arrive with "
    "identity accounts; until then only the municipality exists."
)
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


def seed_accounts(client, document):
    # Identity has no accounts yet: the document keeps the §7 keys so scripts can rely on them.
    document.update(admin=None, staff=None, moderator=None, residents=[], invitation_codes=[],
                    note=ACCOUNTS_NOTE)
    return document


# The seed, in order; each step adds to the credentials document.
STEPS = (seed_municipality, seed_neighbourhoods, seed_accounts)


def seed_demo(client, var_dir):
    """Returns (credentials document, whether anything was created)."""
    existing = read_credentials(var_dir)
    if existing and existing.get("municipality_id") and municipality_exists(
            client, existing["municipality_id"]):
        return existing, False
    document = {}
    for step in STEPS:
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
