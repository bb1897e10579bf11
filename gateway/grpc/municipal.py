"""quartier.municipal.v1.Municipal: the municipality's own systems, authenticated by API key.

Each method: who is calling (gateway.grpc.api_keys; the request's municipality must be the key's)
-> the owning services' RPCs as a `municipal_system` caller, each bounded by the caller's deadline
-> protobuf. The services authorize again on their side; errors map through the shared table.
"""
import csv
import functools
import io
import json
import logging
import threading

from google.protobuf import json_format

from contracts import errors, rpc
from contracts.errors import DomainError
from gateway import city_stats
from gateway.grpc.errors import abort_with, maps_domain_errors, rpc_timeout
from gateway.grpc.protos import municipal_pb2, municipal_pb2_grpc

log = logging.getLogger(__name__)

ADDRESS_COLUMNS = ("address_id", "street", "number", "postcode", "locality", "latitude",
                   "longitude", "household_id")
# Rows per import RPC: identity takes at most 5,000; 500 keeps each call (and the neighbourhood
# service's point lookups inside it) short, like the CLI's chunks.
IMPORT_CHUNK_ROWS = 500
IMPORT_ROWS_MAX = 200_000
# An import chunk waits for identity and its calls to the neighbourhood service; longer than a
# plain read, still bounded by the caller's deadline.
IMPORT_CHUNK_TIMEOUT = 30.0
# Incident stream: how often the participation service is asked for new reports while the
# stream is idle, and how many it returns at once.
INCIDENT_POLL_SECONDS = 1.0
INCIDENT_PAGE = 100


def maps_stream_errors(method):
    """maps_domain_errors for server-streaming methods: the generator's errors arise while the
    caller iterates, after the method itself has returned."""

    @functools.wraps(method)
    def streaming(self, request, context):
        try:
            yield from method(self, request, context)
        except DomainError as exc:
            abort_with(context, exc)
        except Exception:
            if context.code() is not None:
                raise
            log.exception("%s failed", method.__qualname__)
            abort_with(context, DomainError(errors.INTERNAL, "internal error"))

    return streaming


class MunicipalServicer(municipal_pb2_grpc.MunicipalServicer):
    def __init__(self, rpc_client, rpc_timeout_s, authenticator, max_streams,
                 incident_poll_seconds=None):
        self._rpc_client = rpc_client
        self._rpc_timeout = float(rpc_timeout_s)
        self._authenticator = authenticator
        self._incident_poll = float(incident_poll_seconds or INCIDENT_POLL_SECONDS)
        # An open stream holds a worker thread for as long as the caller listens: capped, so
        # streams can never take every thread from the unary calls.
        self._streams = threading.BoundedSemaphore(max(1, int(max_streams)))

    # -- plumbing ------------------------------------------------------------------------------

    def _caller(self, context, municipality_id):
        return self._authenticator.caller_for(
            context.invocation_metadata(), municipality_id,
            timeout=rpc_timeout(context, self._rpc_timeout))

    def _call(self, context, caller, method, ceiling=None, **kwargs):
        return self._rpc_client.call(
            method, timeout=rpc_timeout(context, ceiling or self._rpc_timeout),
            caller=caller.to_dict(), **kwargs)

    def _call_async(self, context, caller):
        def start(method, **kwargs):
            return self._rpc_client.call_async(
                method, timeout=rpc_timeout(context, self._rpc_timeout),
                caller=caller.to_dict(), **kwargs)
        return start

    # -- address register ------------------------------------------------------------------------

    @maps_domain_errors
    def ImportAddresses(self, request_iterator, context):
        identity = self._authenticator.identify(
            context.invocation_metadata(), timeout=rpc_timeout(context, self._rpc_timeout))
        importer = _RegisterImport(identity["municipality_id"])
        caller = None
        for row in request_iterator:
            if caller is None:
                # The first row names the municipality: checked before anything is imported.
                caller = self._authenticator.caller_for(
                    context.invocation_metadata(), row.municipality_id)
            chunk = importer.add(row)
            if chunk is not None:
                importer.record(self._import_chunk(context, caller, *chunk))
        if caller is None:
            raise errors.invalid("the stream held no rows")
        chunk = importer.flush()
        if chunk is not None:
            importer.record(self._import_chunk(context, caller, *chunk))
        return importer.response()

    def _import_chunk(self, context, caller, first_row, csv_text):
        # CSV line n holds stream row n - 1 (line 1 is the header).
        return self._call(context, caller, rpc.identity.IMPORT_ADDRESSES,
                          ceiling=IMPORT_CHUNK_TIMEOUT, municipality_id=caller.municipality_id,
                          csv_text=csv_text, first_line=first_row + 1)

    # -- invitation letters ----------------------------------------------------------------------

    @maps_domain_errors
    def IssueInvitations(self, request, context):
        caller = self._caller(context, request.municipality_id)
        kwargs = {"reissue": request.reissue}
        if request.household_ids:
            kwargs["household_ids"] = list(request.household_ids)
        if request.valid_days:
            kwargs["valid_days"] = request.valid_days
        if request.cursor:
            kwargs["cursor"] = request.cursor
        if request.limit:
            kwargs["limit"] = request.limit
        answer = self._call(context, caller, rpc.identity.ISSUE_INVITATIONS,
                            municipality_id=caller.municipality_id, **kwargs)
        return municipal_pb2.IssueInvitationsResponse(
            letters=[municipal_pb2.Letter(**{k: str(v or "") for k, v in letter.items()
                                             if k in _LETTER_FIELDS})
                     for letter in answer["letters"]],
            skipped=answer.get("skipped") or 0,
            unknown_household_ids=answer.get("unknown_household_ids") or [],
            next_cursor=answer.get("next_cursor") or "",
        )

    # -- announcements ---------------------------------------------------------------------------

    @maps_domain_errors
    def PublishAnnouncement(self, request, context):
        caller = self._caller(context, request.municipality_id)
        announcement = {"title": request.title, "body": request.body, "urgent": request.urgent,
                        "neighbourhood_ids": list(request.neighbourhood_ids) or "all"}
        if request.publish_at:
            announcement["publish_at"] = request.publish_at
        if request.language:
            announcement["language"] = request.language
        if request.translations:
            announcement["translations"] = {
                language: {"title": t.title, "body": t.body}
                for language, t in request.translations.items()}
        created = self._call(context, caller, rpc.feed.CREATE_ANNOUNCEMENT,
                             announcement=announcement,
                             idempotency_key=request.idempotency_key or None)
        return municipal_pb2.Announcement(
            id=created["id"], neighbourhood_ids=created.get("neighbourhood_ids") or [],
            urgent=bool(created.get("urgent")), published_at=created.get("published_at") or "",
            language=created.get("language") or "")

    # -- statistics and results ------------------------------------------------------------------

    @maps_domain_errors
    def GetNeighbourhoodStats(self, request, context):
        caller = self._caller(context, request.municipality_id)
        figures = city_stats.city_statistics(self._call_async(context, caller),
                                             caller.municipality_id)
        # A proto map has no null: a hidden category is left out (and listed as suppressed).
        figures = dict(figures, posts_by_category={
            k: v for k, v in figures["posts_by_category"].items() if v is not None})
        return json_format.ParseDict(figures, municipal_pb2.NeighbourhoodStats())

    @maps_domain_errors
    def GetSurveyResults(self, request, context):
        caller = self._caller(context, request.municipality_id)
        results = self._call(context, caller, rpc.participation.SURVEY_RESULTS,
                             survey_id=request.survey_id)
        return _results(results)

    @maps_domain_errors
    def GetBudgetResults(self, request, context):
        caller = self._caller(context, request.municipality_id)
        results = self._call(context, caller, rpc.participation.BUDGET_RESULTS,
                             budget_id=request.budget_id)
        return _results(results)

    # -- incidents -------------------------------------------------------------------------------

    @maps_stream_errors
    def StreamIncidentReports(self, request, context):
        caller = self._caller(context, request.municipality_id)
        if request.after_sequence < 0:
            raise errors.invalid("after_sequence must be 0 or more")
        if not self._streams.acquire(blocking=False):
            raise DomainError(errors.RATE_LIMITED, "too many incident streams are open on this "
                              "server; close one or retry later")
        try:
            yield from self._follow_incidents(request, context, caller)
        finally:
            self._streams.release()

    def _follow_incidents(self, request, context, caller):
        after = request.after_sequence
        # Woken early when the call ends (cancel, deadline), so an idle stream frees its thread
        # at once instead of after a poll interval.
        ended = threading.Event()
        context.add_callback(ended.set)
        while context.is_active():
            # The key is checked again on every poll (from the 5 s cache): revoking it ends the
            # streams already open with it, not only new ones.
            caller = self._caller(context, caller.municipality_id)
            page = self._call(context, caller, rpc.participation.LIST_INCIDENTS,
                              after_sequence=after, limit=INCIDENT_PAGE,
                              status=request.status or None,
                              municipality_id=caller.municipality_id)
            for incident in page["items"]:
                yield _incident(incident)
                after = incident["sequence"]
            if len(page["items"]) < INCIDENT_PAGE:
                ended.wait(self._incident_poll)

    @maps_domain_errors
    def UpdateIncidentStatus(self, request, context):
        caller = self._caller(context, request.municipality_id)
        updated = self._call(context, caller, rpc.participation.SET_INCIDENT_STATUS,
                             incident_id=request.incident_id, status=request.status,
                             reason=request.reason or None)
        return _incident(updated)


_LETTER_FIELDS = frozenset(municipal_pb2.Letter.DESCRIPTOR.fields_by_name)


class _RegisterImport:
    """Turns streamed rows into CSV chunks for identity and adds up what identity reports.

    Repeats across the whole stream (an address id or household id seen in an earlier chunk) are
    rejected here, as identity rejects them within one chunk; rows identity never sees are still
    counted in `received`."""

    def __init__(self, municipality_id):
        self.municipality_id = municipality_id
        self.rows = 0
        self.totals = {"received": 0, "created": 0, "updated": 0, "unchanged": 0}
        self.rejected = []
        self._buffer, self._first_row = [], None
        self._addresses, self._households = set(), set()

    def add(self, row):
        self.rows += 1
        if self.rows > IMPORT_ROWS_MAX:
            raise errors.invalid("at most %d rows per import stream; earlier rows are imported, "
                                 "send the rest in another call" % IMPORT_ROWS_MAX)
        if row.municipality_id and row.municipality_id != self.municipality_id:
            raise errors.invalid("every row must name the same municipality",
                                 {"row": self.rows})
        address_id, household_id = row.address_id.strip(), row.household_id.strip()
        repeated = None
        if address_id and address_id in self._addresses:
            repeated = "address_id repeated in this file"
        elif household_id and household_id in self._households:
            repeated = "household_id given for a second address in this file"
        if repeated:
            self.totals["received"] += 1
            self.rejected.append({"row": self.rows, "address_id": address_id,
                                  "reason": repeated})
            return None
        if address_id:
            self._addresses.add(address_id)
        if household_id:
            self._households.add(household_id)
        if not self._buffer:
            self._first_row = self.rows
        self._buffer.append(row)
        return self.flush() if len(self._buffer) >= IMPORT_CHUNK_ROWS else None

    def flush(self):
        """(first row number, CSV text) of the rows buffered, or None."""
        if not self._buffer:
            return None
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(ADDRESS_COLUMNS)
        for row in self._buffer:
            writer.writerow([
                row.address_id, row.street, row.number, row.postcode, row.locality,
                repr(row.latitude) if row.HasField("latitude") else "",
                repr(row.longitude) if row.HasField("longitude") else "",
                row.household_id])
        chunk = (self._first_row, text.getvalue())
        self._buffer = []
        return chunk

    def record(self, report):
        for name in self.totals:
            self.totals[name] += int(report.get(name) or 0)
        for rejection in report.get("rejected") or []:
            self.rejected.append({"row": rejection["line"] - 1,
                                  "address_id": rejection.get("address_id") or "",
                                  "reason": rejection["reason"]})

    def response(self):
        rejected = sorted(self.rejected, key=lambda r: r["row"])
        return municipal_pb2.ImportAddressesResponse(
            rejected_count=len(rejected),
            rejected=[municipal_pb2.RejectedRow(**r) for r in rejected],
            **self.totals)


def _results(document):
    message = municipal_pb2.Results()
    # JSON round trip: Struct takes only JSON types (numbers become doubles).
    message.results.update(json.loads(json.dumps(document, default=str)))
    return message


def _incident(incident):
    location = incident.get("location") or {}
    return municipal_pb2.IncidentReport(
        sequence=incident["sequence"], id=incident["id"],
        neighbourhood_id=incident.get("neighbourhood_id") or "",
        category=incident.get("category") or "",
        location=municipal_pb2.Location(
            latitude=location.get("latitude") or 0.0,
            longitude=location.get("longitude") or 0.0,
            description=location.get("description") or ""),
        text=incident.get("text") or "", status=incident.get("status") or "",
        reason=incident.get("reason") or "", created_at=incident.get("created_at") or "",
        updated_at=incident.get("updated_at") or "",
        history=[municipal_pb2.StatusChange(status=h.get("status") or "",
                                            reason=h.get("reason") or "", at=h.get("at") or "")
                 for h in incident.get("history") or []])
