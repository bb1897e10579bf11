"""Server interceptor that gives every unary-response call a request id and an access line.

The id is the caller's `x-request-id` metadata when acceptable, else a fresh one; it is bound for
the call's thread (servicekit.request_context), so every log line written while serving the call
and every RPC made for it carry it, and it is sent back as `x-request-id` initial metadata so a
municipal system can quote it. Streaming responses (health Watch, reflection) pass untouched, as
in MetricsInterceptor."""
import logging
import time

import grpc

from servicekit import request_context

log = logging.getLogger("quartier.access")

REQUEST_ID_KEY = "x-request-id"
# Load balancers and probes call these every few seconds.
QUIET_PREFIX = "/grpc.health.v1.Health/"


class RequestLogInterceptor(grpc.ServerInterceptor):
    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.response_streaming:
            return handler
        method = handler_call_details.method
        supplied = dict(handler_call_details.invocation_metadata or ()).get(REQUEST_ID_KEY)
        if handler.request_streaming:
            return grpc.stream_unary_rpc_method_handler(
                _logged(handler.stream_unary, method, supplied),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.unary_unary_rpc_method_handler(
            _logged(handler.unary_unary, method, supplied),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _logged(behavior, method, supplied):
    def logged_behavior(request, context):
        request_id = request_context.accept(supplied)
        started = time.perf_counter()
        with request_context.bound(request_id):
            context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))
            try:
                return behavior(request, context)
            finally:
                code = context.code() or grpc.StatusCode.OK
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                level = logging.DEBUG if method.startswith(QUIET_PREFIX) else logging.INFO
                log.log(level, "%s %s", method, code.name,
                        extra={"method": method, "code": code.name, "duration_ms": duration_ms})

    return logged_behavior
