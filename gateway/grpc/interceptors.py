"""Server interceptor recording every unary-response call in Prometheus: count by method and
status code, latency by method.

Streaming responses pass through unmeasured: health `Watch` and reflection streams are open for
minutes and would swamp the latency histogram, and `Watch` relies on grpcio's non-blocking
handler attributes that a wrapper would drop. Unknown methods are not recorded either, so a
scanner trying random paths cannot blow up the label set.
"""
import time

import grpc

from servicekit.metrics import GRPC_LATENCY, GRPC_REQUESTS


class MetricsInterceptor(grpc.ServerInterceptor):
    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.response_streaming:
            return handler
        method = handler_call_details.method
        if handler.request_streaming:
            return grpc.stream_unary_rpc_method_handler(
                _measured(handler.stream_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.unary_unary_rpc_method_handler(
            _measured(handler.unary_unary, method),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _measured(behavior, method):
    def measured_behavior(request, context):
        started = time.perf_counter()
        code = grpc.StatusCode.UNKNOWN  # an exception grpcio turns into UNKNOWN
        try:
            response = behavior(request, context)
            code = context.code() or _code_without_error(context)
            return response
        except Exception:
            code = context.code() or grpc.StatusCode.UNKNOWN
            raise
        finally:
            GRPC_REQUESTS.labels(method, code.name).inc()
            GRPC_LATENCY.labels(method).observe(time.perf_counter() - started)

    return measured_behavior


def _code_without_error(context):
    # An answer finished after the caller's deadline never reaches it: the caller sees
    # DEADLINE_EXCEEDED, and so should the dashboards.
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        return grpc.StatusCode.DEADLINE_EXCEEDED
    return grpc.StatusCode.OK
