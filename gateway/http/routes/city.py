"""The municipality's own routes: staff accounts, the address register, invitation letters."""
import csv
import io

from flask import Response, request

from contracts import errors, rpc
from gateway.http.api import api
from gateway.http.routes.auth import LANGUAGES, PROFILE

TAG = "city"
STAFF = ("city_staff", "admin")
LETTER_COLUMNS = ("household_id", "address_id", "street", "number", "postcode", "locality",
                  "neighbourhood_id", "invitation_code", "expires_on")
CSV_TYPES = ("text/csv", "text/plain", "application/csv")


@api.operation(
    "POST", "/api/v1/city/accounts", tag=TAG, roles=("admin",), status=201,
    summary="Create a city staff or moderator account (admins)",
    body={
        "type": "object",
        "properties": {
            "email": {"type": "string", "minLength": 3, "maxLength": 254},
            "role": {"type": "string", "enum": ["city_staff", "moderator"]},
            "display_name": {"type": "string", "minLength": 1, "maxLength": 200},
            "language": {"type": "string", "enum": LANGUAGES},
            "password": {"type": "string", "minLength": 1, "maxLength": 1024},
        },
        "required": ["email", "role", "display_name"],
        "additionalProperties": False,
    },
    response={"type": "object", "properties": {
        "account": PROFILE, "created": {"type": "boolean"},
        "initial_password": {"type": "string", "description": "only when none was given"}}},
    errors=(409,),
)
def create_staff_account(ctx):
    return ctx.call(rpc.identity.CREATE_STAFF_ACCOUNT,
                    municipality_id=ctx.caller.municipality_id, **ctx.body)


@api.operation(
    "POST", "/api/v1/city/addresses/import", tag=TAG, roles=STAFF,
    summary="Import address register rows (CSV body, at most 64 KiB per request)",
    query={"first_line": {"type": "integer", "minimum": 2}},
    response={"type": "object", "properties": {
        "received": {"type": "integer"}, "created": {"type": "integer"},
        "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
        "rejected": {"type": "array", "items": {"type": "object", "properties": {
            "line": {"type": "integer"}, "address_id": {"type": ["string", "null"]},
            "reason": {"type": "string"}}}}}},
    errors=(413, 503),
)
def import_addresses(ctx):
    """Body: CSV (`Content-Type: text/csv`) with the header `address_id,street,number,postcode,
    locality,latitude,longitude,household_id`. The gateway's body limit (64 KiB) applies, so a
    whole register is sent in chunks, each with the header line; `first_line` (the file line of
    the chunk's first row) makes the report name lines of the whole file. Re-sending rows is
    harmless; rejected rows come back with their reason, the others are imported."""
    if request.mimetype not in CSV_TYPES:
        raise errors.invalid("send the rows as text/csv")
    try:
        text = request.get_data(as_text=False).decode("utf-8")
    except UnicodeDecodeError:
        raise errors.invalid("the CSV must be UTF-8") from None
    return ctx.call(rpc.identity.IMPORT_ADDRESSES, municipality_id=ctx.caller.municipality_id,
                    csv_text=text, first_line=ctx.query.get("first_line", 2))


def letters_csv(letters):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LETTER_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for letter in letters:
        writer.writerow({name: _csv_safe(letter.get(name)) for name in LETTER_COLUMNS})
    return buffer.getvalue()


def _csv_safe(value):
    """Spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@api.operation(
    "POST", "/api/v1/city/invitations", tag=TAG, roles=STAFF, status=201,
    summary="Issue invitation letters (codes shown this once; format=csv for a mail merge)",
    query={"format": {"type": "string", "enum": ["json", "csv"]}},
    body={
        "type": "object",
        "properties": {
            "household_ids": {"type": "array", "minItems": 1, "maxItems": 1000,
                              "items": {"type": "string", "maxLength": 64}},
            "reissue": {"type": "boolean"},
            "valid_days": {"type": "integer", "minimum": 1, "maximum": 365},
            "cursor": {"type": "string", "maxLength": 512},
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
        },
        "additionalProperties": False,
    },
    response={"type": "object", "properties": {
        "letters": {"type": "array", "items": {"type": "object"}},
        "skipped": {"type": "integer"},
        "unknown_household_ids": {"type": "array", "items": {"type": "string"}},
        "next_cursor": {"type": ["string", "null"]}}},
    media_types=("application/json", "text/csv"),
)
def issue_invitations(ctx):
    """`household_ids`: new codes for those households, their older codes stop working (lost
    letters). Without: the next page of the register (`cursor`, `limit` ≤ 1000); households with
    a pending letter are skipped unless `reissue`. Codes are stored hashed: this answer is the
    only place they appear. With `format=csv` the letters come as CSV and the next page's cursor
    in the `X-Next-Cursor` header."""
    answer = ctx.call(rpc.identity.ISSUE_INVITATIONS,
                      municipality_id=ctx.caller.municipality_id, **ctx.body)
    if ctx.query.get("format") != "csv":
        return answer, 201
    response = Response(letters_csv(answer["letters"]), status=201, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="invitation-letters.csv"'
    if answer.get("next_cursor"):
        response.headers["X-Next-Cursor"] = answer["next_cursor"]
    return response


@api.operation(
    "GET", "/api/v1/city/invitations", tag=TAG, roles=STAFF,
    summary="The register's households and the state of their letters (never the codes)",
    query={"cursor": {"type": "string", "maxLength": 512},
           "limit": {"type": "integer", "minimum": 1, "maximum": 1000}},
    response={"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object"}},
        "next_cursor": {"type": ["string", "null"]}}},
)
def list_invitations(ctx):
    return ctx.call(rpc.identity.LIST_INVITATIONS, municipality_id=ctx.caller.municipality_id,
                    cursor=ctx.query.get("cursor"), limit=ctx.query.get("limit"))
