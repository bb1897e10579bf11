"""gRPC servicers: translate between protobuf messages and the services' RPCs. Each method stays
thin (request -> RPC calls -> response); error mapping and deadlines come from `errors`."""
from contracts import errors, services
from contracts.errors import DomainError
from gateway.grpc import health
from gateway.grpc.errors import maps_domain_errors, rpc_timeout
from gateway.grpc.protos import platform_pb2, platform_pb2_grpc


class PlatformServicer(platform_pb2_grpc.PlatformServicer):
    def __init__(self, rpc_client, rpc_timeout_s):
        self._rpc_client = rpc_client
        self._probe_timeout = health.probe_timeout(rpc_timeout_s)

    @maps_domain_errors
    def GetStatus(self, request, context):
        names = _requested_services(request.services)
        results = health.check_services(
            self._rpc_client, names, rpc_timeout(context, self._probe_timeout)
        )
        return platform_pb2.GetStatusResponse(
            status="ok" if all(r.ok for r in results) else "degraded",
            services=[_service_status(r) for r in results],
        )


def _requested_services(requested):
    """The services asked for, in the platform's own order, so the answer reads the same
    whichever way the caller listed them."""
    unknown = sorted(set(requested) - set(services.ALL))
    if unknown:
        raise DomainError(
            errors.INVALID,
            "unknown service(s): %s" % ", ".join(unknown),
            {"known_services": list(services.ALL)},
        )
    if not requested:
        return services.ALL
    wanted = set(requested)
    return tuple(name for name in services.ALL if name in wanted)


def _service_status(result):
    return platform_pb2.ServiceStatus(
        name=result.name,
        status=result.status,
        version=result.version,
        store=result.store,
        uptime_s=result.uptime_s,
        detail=result.detail,
    )
