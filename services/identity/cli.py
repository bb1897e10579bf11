"""Identity's operator commands, over RPC as the platform (system caller):

    python -m services.identity.cli import-addresses FILE --municipality SLUG
    python -m services.identity.cli bootstrap-admin --municipality SLUG --email E --name NAME
    python -m services.identity.cli issue-letters --municipality SLUG --out letters.csv

AMQP_URI names the broker (default: the local one). The register is sent in chunks (each with the
CSV header, so every call stands alone and a re-run repeats nothing but work): a progress bar
shows the rows done, and every rejected row is printed with its file line and reason."""
import argparse
import csv
import getpass
import io
import os
import sys

from contracts import rpc
from contracts.caller import SYSTEM_CALLER
from contracts.errors import DomainError
from servicekit.rpc_client import RpcClient

SYSTEM = SYSTEM_CALLER.to_dict()
CHUNK_ROWS = 500
# Each chunk waits for the neighbourhood service to place its points as well.
IMPORT_TIMEOUT = 60.0
LETTER_COLUMNS = ("household_id", "address_id", "street", "number", "postcode", "locality",
                  "neighbourhood_id", "invitation_code", "expires_on")


def find_municipality(client, slug):
    cursor = None
    while True:
        page = client.call(rpc.identity.LIST_MUNICIPALITIES, caller=SYSTEM, cursor=cursor,
                           limit=100)
        for municipality in page["items"]:
            if municipality["slug"] == slug:
                return municipality
        cursor = page["next_cursor"]
        if not cursor:
            raise SystemExit("no municipality with slug %r" % slug)


def register_chunks(handle, rows_per_chunk=CHUNK_ROWS):
    """(first file line, rows in chunk, CSV text with header) for each chunk of the file."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        return
    rows, first_line = [], None
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if first_line is None:
            first_line = reader.line_num
        rows.append(row)
        if len(rows) == rows_per_chunk:
            yield first_line, len(rows), _csv_text(header, rows)
            rows, first_line = [], None
    if rows:
        yield first_line, len(rows), _csv_text(header, rows)


def _csv_text(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


class ProgressBar:
    def __init__(self, total, stream=None, width=30):
        self.total, self.width, self.done = max(total, 1), width, 0
        self.stream = stream or sys.stderr

    def advance(self, rows, rejected):
        self.done += rows
        filled = int(self.width * self.done / self.total)
        self.stream.write("\r[%s%s] %d/%d rows, %d rejected" % (
            "#" * filled, "." * (self.width - filled), self.done, self.total, rejected))
        self.stream.flush()

    def finish(self):
        self.stream.write("\n")


def import_addresses(client, path, slug, rows_per_chunk=CHUNK_ROWS, out=None):
    out = out or sys.stdout
    municipality = find_municipality(client, slug)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        total = sum(1 for _ in csv.reader(handle)) - 1
    totals = {"received": 0, "created": 0, "updated": 0, "unchanged": 0}
    rejected = []
    bar = ProgressBar(total)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for first_line, count, text in register_chunks(handle, rows_per_chunk):
            report = client.call(rpc.identity.IMPORT_ADDRESSES, timeout=IMPORT_TIMEOUT,
                                 caller=SYSTEM, municipality_id=municipality["id"],
                                 csv_text=text, first_line=first_line)
            for key in totals:
                totals[key] += report[key]
            rejected.extend(report["rejected"])
            bar.advance(count, len(rejected))
    bar.finish()
    for row in rejected:
        out.write("line %d (%s): %s\n" % (row["line"], row["address_id"] or "-", row["reason"]))
    out.write("%(received)d rows: %(created)d created, %(updated)d updated, "
              "%(unchanged)d unchanged, " % totals + "%d rejected\n" % len(rejected))
    return totals, rejected


def bootstrap_admin(client, slug, email, name, password, out=None):
    out = out or sys.stdout
    municipality = find_municipality(client, slug)
    answer = client.call(rpc.identity.CREATE_STAFF_ACCOUNT, caller=SYSTEM,
                         municipality_id=municipality["id"], email=email, role="admin",
                         display_name=name, password=password)
    out.write("%s admin %s of %s\n" % ("created" if answer["created"] else "kept",
                                       answer["account"]["email"], slug))
    return answer


def issue_letters(client, slug, out_path, reissue=False):
    """Every household without a pending letter gets one; the CSV is the only copy of the codes
    (identity keeps hashes), so it is written owner-only."""
    municipality = find_municipality(client, slug)
    cursor, count = None, 0
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=LETTER_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        while True:
            answer = client.call(rpc.identity.ISSUE_INVITATIONS, timeout=IMPORT_TIMEOUT,
                                 caller=SYSTEM, municipality_id=municipality["id"],
                                 reissue=reissue, cursor=cursor)
            writer.writerows(answer["letters"])
            count += len(answer["letters"])
            cursor = answer["next_cursor"]
            if not cursor:
                break
    return count


def parser():
    root = argparse.ArgumentParser(prog="python -m services.identity.cli")
    commands = root.add_subparsers(dest="command", required=True)
    imports = commands.add_parser("import-addresses", help="import the address register CSV")
    imports.add_argument("file")
    imports.add_argument("--municipality", required=True, help="the municipality's slug")
    imports.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    admin = commands.add_parser("bootstrap-admin", help="create a municipality's first admin")
    admin.add_argument("--municipality", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    letters = commands.add_parser("issue-letters", help="invitation letters as CSV")
    letters.add_argument("--municipality", required=True)
    letters.add_argument("--out", required=True)
    letters.add_argument("--reissue", action="store_true",
                         help="new codes for every household, replacing pending ones")
    return root


def main(argv=None):
    arguments = parser().parse_args(argv)
    client = RpcClient(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
                       client_name="identity-cli").start()
    try:
        if arguments.command == "import-addresses":
            import_addresses(client, arguments.file, arguments.municipality,
                             arguments.chunk_rows)
        elif arguments.command == "bootstrap-admin":
            # Never on the command line, where it would land in the shell history.
            password = os.environ.get("QUARTIER_ADMIN_PASSWORD") or getpass.getpass(
                "password for %s: " % arguments.email)
            bootstrap_admin(client, arguments.municipality, arguments.email, arguments.name,
                            password)
        else:
            count = issue_letters(client, arguments.municipality, arguments.out,
                                  arguments.reissue)
            print("%d letters written to %s" % (count, arguments.out))
    except DomainError as exc:
        print("failed: %s: %s" % (exc.code, exc.message), file=sys.stderr)
        return 1
    finally:
        client.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
