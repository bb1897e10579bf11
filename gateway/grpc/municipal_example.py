"""An example municipal system: Quartier's Municipal API with an API key.

    export QUARTIER_API_KEY=qk_...        (created by an admin: POST /api/v1/city/api-keys)
    python -m gateway.grpc.municipal_example --municipality <id> stats
    python -m gateway.grpc.municipal_example --municipality <id> import register.csv
    python -m gateway.grpc.municipal_example --municipality <id> incidents --cursor-file seq.txt

TLS options are those of gateway.grpc.example_client (--ca, --cert, --key). Stubs for your own
code: `python -m grpc_tools.protoc -I contracts/proto --python_out=. --grpc_python_out=.
contracts/proto/quartier/municipal/v1/municipal.proto`, then import
`from quartier.municipal.v1 import municipal_pb2, municipal_pb2_grpc`.

Habits worth copying:
- the key travels as metadata `authorization: Bearer <key>` on every call; read it from the
  environment or a secret store, never from the command line (other users see it in `ps`);
- a deadline on every call; long ones (an import, a stream) get a long deadline, not none;
- the incident stream is resumable: store the `sequence` of each report once you have handled it
  and reconnect with it (`after_sequence`); you receive what you missed, once;
- UNAUTHENTICATED means the key is missing, unknown or revoked; PERMISSION_DENIED that it belongs
  to another municipality; UNAVAILABLE and DEADLINE_EXCEEDED are worth a retry with backoff.

Exit status: 0 done, 2 the call failed.
"""
import argparse
import csv
import os
import sys

import grpc

from gateway.grpc.example_client import open_channel
from gateway.grpc.protos import municipal_pb2, municipal_pb2_grpc

API_KEY_VARIABLE = "QUARTIER_API_KEY"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="host:port of the server")
    parser.add_argument("--municipality", required=True, help="your municipality's id")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline per call, seconds")
    parser.add_argument("--ca", help="PEM of the CA that signed the server certificate (TLS)")
    parser.add_argument("--cert", help="PEM client certificate (mutual TLS)")
    parser.add_argument("--key", help="PEM client private key (mutual TLS)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("stats", help="users, households, adoption and activity")
    imports = commands.add_parser("import", help="stream an address register CSV")
    imports.add_argument("path")
    incidents = commands.add_parser("incidents", help="follow incident reports")
    incidents.add_argument("--cursor-file", help="where the last sequence handled is kept")
    incidents.add_argument("--for-seconds", type=float, default=60.0,
                           help="how long to listen before ending (the stream's deadline)")
    return parser.parse_args(argv)


def print_stats(stub, metadata, args):
    stats = stub.GetNeighbourhoodStats(
        municipal_pb2.GetNeighbourhoodStatsRequest(municipality_id=args.municipality),
        metadata=metadata, timeout=args.timeout)
    print("%-24s %8s %8s %6s %8s %6s" % ("neighbourhood", "register", "joined", "users",
                                         "adoption", "posts"))
    for n in stats.neighbourhoods:
        print("%-24s %8d %8d %6d %7.1f%% %6d" % (n.name[:24], n.register_households,
                                                n.households, n.users, 100 * n.adoption_rate,
                                                n.activity.posts))
    for week in stats.weeks:
        print("week %s: %d posts, %d comments, %d thanks" % (
            week.week, week.activity.posts, week.activity.comments, week.activity.reactions))


def register_rows(path, municipality_id):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            fields = {name: (row.get(name) or "").strip() for name in (
                "address_id", "household_id", "street", "number", "postcode", "locality")}
            for name in ("latitude", "longitude"):
                try:
                    fields[name] = float(row.get(name) or "")
                except ValueError:
                    pass  # left unset: Quartier reports the row with its reason
            yield municipal_pb2.AddressRow(municipality_id=municipality_id if n == 0 else "",
                                           **fields)


def import_register(stub, metadata, args):
    report = stub.ImportAddresses(register_rows(args.path, args.municipality),
                                  metadata=metadata, timeout=max(args.timeout, 600.0))
    print("received %d: %d created, %d updated, %d unchanged, %d rejected" % (
        report.received, report.created, report.updated, report.unchanged,
        report.rejected_count))
    for rejected in report.rejected:
        print("  row %d (%s): %s" % (rejected.row, rejected.address_id, rejected.reason))


def follow_incidents(stub, metadata, args):
    after = 0
    if args.cursor_file and os.path.exists(args.cursor_file):
        with open(args.cursor_file) as handle:
            after = int(handle.read().strip() or 0)
    stream = stub.StreamIncidentReports(municipal_pb2.StreamIncidentReportsRequest(
        municipality_id=args.municipality, after_sequence=after), metadata=metadata,
        timeout=args.for_seconds)
    try:
        for incident in stream:
            print("#%d %s %s at %.5f,%.5f: %s" % (
                incident.sequence, incident.category, incident.status,
                incident.location.latitude, incident.location.longitude, incident.text))
            if args.cursor_file:  # handled: remember it, so a restart resumes after it
                with open(args.cursor_file, "w") as handle:
                    handle.write(str(incident.sequence))
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise  # the deadline is how this example stops listening


COMMANDS = {"stats": print_stats, "import": import_register, "incidents": follow_incidents}


def main(argv=None, environ=os.environ):
    args = parse_args(argv)
    api_key = environ.get(API_KEY_VARIABLE)
    if not api_key:
        print("set %s to your API key" % API_KEY_VARIABLE, file=sys.stderr)
        return 2
    metadata = (("authorization", "Bearer " + api_key),)
    with open_channel(args) as channel:
        stub = municipal_pb2_grpc.MunicipalStub(channel)
        try:
            COMMANDS[args.command](stub, metadata, args)
        except grpc.RpcError as error:
            code = dict(error.trailing_metadata() or ()).get("quartier-error-code", "")
            print("call failed: %s %s %s" % (error.code().name, code, error.details()),
                  file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
