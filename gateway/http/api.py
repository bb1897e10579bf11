"""Route definitions that are also the API's documentation.

Each route is declared once with `@api.operation(...)`: its path, method, auth, the JSON schemas of
its query and body, and its responses. From that one declaration the gateway registers the Flask
view (authenticating, validating and answering errors uniformly) and builds the OpenAPI document,
so the document cannot drift from the code.
"""
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from flask import Response, current_app, g, jsonify, request
from jsonschema import Draft202012Validator

from contracts import errors
from gateway.http import json_depth
from gateway.http.auth import authenticate, require_role
from servicekit import idempotency

IDEMPOTENCY_HEADER = "Idempotency-Key"

_PATH_PARAM = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Path parameters are identifiers: bounded and from a safe alphabet, checked before any RPC.
PATH_PARAM_SCHEMA = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}


@dataclass
class Operation:
    method: str
    path: str
    handler: Callable
    summary: str
    tag: str
    auth: bool = True
    roles: frozenset = frozenset()
    query: dict = field(default_factory=dict)  # name -> JSON schema
    required_query: tuple = ()
    body: Optional[dict] = None  # JSON schema of the request body
    status: int = 200
    response: Optional[dict] = None  # JSON schema of the success body
    errors: tuple = ()  # error statuses this route documents beyond the common ones
    # This route's request body limit when it needs more than the gateway's default (a GeoJSON
    # import); app.py enforces it before the body is read.
    max_body_bytes: Optional[int] = None
    # Accepts an `Idempotency-Key` header: a retried request gets the first response.
    idempotent: bool = False
    # What the success answer may be served as (a CSV export, GeoJSON); JSON unless declared.
    media_types: tuple = ("application/json",)

    @property
    def operation_id(self):
        return self.handler.__name__

    @property
    def path_params(self):
        return _PATH_PARAM.findall(self.path)

    @property
    def flask_rule(self):
        return _PATH_PARAM.sub(r"<\1>", self.path)


@dataclass
class RequestContext:
    """What a handler receives: who calls, validated input, and the RPC client."""

    caller: object
    query: dict
    body: Optional[dict]
    rpc: object
    request_id: str
    rpc_timeout: float
    idempotency_key: Optional[str] = None

    def call(self, method, **kwargs):
        """Call an RPC method on behalf of this request's caller."""
        return self.rpc.call(
            method, timeout=self.rpc_timeout, request_id=self.request_id,
            caller=self.caller.to_dict(), **kwargs,
        )


def _validation_details(validator, instance):
    problems = {}
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        location = ".".join(str(part) for part in error.absolute_path) or "(root)"
        problems.setdefault(location, _shortened(error.message))
    return problems


def _problems_message(summary, problems):
    """One line naming every field at fault, so a client sees which one without reading details."""
    return "%s: %s" % (summary, "; ".join(
        "%s: %s" % (location, _shortened(message)) for location, message in problems.items()))


def _shortened(message, limit=200):
    # jsonschema quotes the offending value in its message: never echo a large body back whole.
    return message if len(message) <= limit else message[:limit] + "…"


def _json_body():
    """The request's JSON body, or None when it has none or it is not JSON. Nesting deeper than
    json_depth.MAX_DEPTH is refused before parsing: the recursive parser would fail on it."""
    if not request.is_json:
        return None
    if json_depth.too_deep(request.get_data(cache=True)):
        raise errors.invalid("the request body nests deeper than %d levels" % json_depth.MAX_DEPTH)
    return request.get_json(silent=True)


# Numbers beyond 64 bits are no position, count or amount of this API, and the stores cannot hold
# them (SQLite INTEGER and BSON int64 raise OverflowError): every integer or number a route
# declares without bounds gets these, in validation and in the document alike.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_NUMERIC = {"integer", "number"}


def _bounded_numbers(schema):
    if isinstance(schema, list):
        return [_bounded_numbers(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: _bounded_numbers(value) for key, value in schema.items()}
    kind = schema.get("type")  # a dict here is a property named "type", not a type
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    if kinds & _NUMERIC:
        bounded.setdefault("minimum", INT64_MIN)
        bounded.setdefault("maximum", INT64_MAX)
    return bounded


def _coerce_query_value(raw, schema):
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw  # left as a string so validation reports the type error
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    return raw


class Api:
    def __init__(self):
        self.operations = []

    def operation(self, method, path, *, summary, tag, auth=True, roles=(), query=None,
                  required_query=(), body=None, status=200, response=None, errors=(),
                  max_body_bytes=None, idempotent=False, media_types=("application/json",)):
        def register(handler):
            self.operations.append(Operation(
                method=method.upper(), path=path, handler=handler, summary=summary, tag=tag,
                auth=auth, roles=frozenset(roles), query=_bounded_numbers(query or {}),
                required_query=tuple(required_query), body=_bounded_numbers(body), status=status,
                response=response, errors=tuple(errors), max_body_bytes=max_body_bytes,
                idempotent=idempotent, media_types=tuple(media_types),
            ))
            return handler
        return register

    def register_routes(self, app):
        for operation in self.operations:
            app.add_url_rule(
                operation.flask_rule,
                endpoint=operation.operation_id,
                view_func=self._view(operation),
                methods=[operation.method],
            )

    @staticmethod
    def _view(operation):
        path_validator = Draft202012Validator(PATH_PARAM_SCHEMA)
        query_schema = {
            "type": "object",
            "properties": operation.query,
            "required": list(operation.required_query),
            "additionalProperties": False,
        }
        query_validator = Draft202012Validator(query_schema)
        body_validator = Draft202012Validator(operation.body) if operation.body else None

        def view(**path_values):
            settings = current_app.config["QUARTIER"]
            caller = authenticate(settings.public_key, required=operation.auth,
                                  revocations=settings.revocations)
            require_role(caller, operation.roles)
            for name, value in path_values.items():
                # An id that cannot exist is simply not found (same answer as an unknown one).
                if not path_validator.is_valid(value):
                    raise errors.not_found("%s not found" % name.replace("_id", ""))
            query = {
                name: _coerce_query_value(value, operation.query.get(name, {}))
                for name, value in request.args.items()
            }
            problems = _validation_details(query_validator, query)
            if problems:
                raise errors.invalid(_problems_message("invalid query parameters", problems),
                                     details=problems)
            body = None
            if body_validator is not None:
                body = _json_body()
                if body is None:
                    raise errors.invalid("the request body must be JSON (application/json)")
                problems = _validation_details(body_validator, body)
                if problems:
                    raise errors.invalid(_problems_message("invalid request body", problems),
                                         details=problems)
            idempotency_key = None
            if operation.idempotent:
                idempotency_key = request.headers.get(IDEMPOTENCY_HEADER)
                if idempotency_key is not None:
                    idempotency.validate_key(idempotency_key)
            context = RequestContext(
                caller=caller, query=query, body=body, rpc=settings.rpc,
                request_id=g.request_id, rpc_timeout=settings.rpc_timeout,
                idempotency_key=idempotency_key,
            )
            result = operation.handler(context, **path_values)
            # A handler answering in another format than JSON (a CSV export) builds its response.
            if isinstance(result, Response):
                return result
            if isinstance(result, tuple):
                payload, status = result
            else:
                payload, status = result, operation.status
            response = jsonify(payload)
            response.status_code = status
            return response

        view.__name__ = operation.operation_id
        view.__doc__ = operation.handler.__doc__
        return view


api = Api()
